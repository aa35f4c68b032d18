"""Listing rows and facet counts."""

from sqlalchemy import select, update

from storefront.marketplace import catalog, delivery, listing, reference
from storefront.marketplace.listing import Selection
from storefront.marketplace.models import Condition, ProductListing
from tests.shop_fixtures import NOW

EVERYTHING = Selection()


def _browse(session, selection=EVERYTHING, category="home", zone="FR-MAIN", **kwargs):
    return listing.browse(
        session, reference.get_category(session, category) if category else None,
        delivery.get_zone(session, zone), selection, **kwargs
    )


def _facet(result, code):
    facet = next(f for f in result.facets if f.code == code)
    return {v.code: v.count for v in facet.values} if facet.kind != "range" else (facet.low, facet.high)


def test_rows_follow_the_buy_box(session, mini_shop):
    row = session.get(ProductListing, (mini_shop.washer.id, delivery.get_zone(session, "FR-MAIN").id))
    # New offers first: the retailer's (549 € + 4,99 €), not the refurbished one at 399 €.
    assert row.best_offer_id == mini_shop.offers["washer_1p"].id
    assert (row.best_price, row.best_total, row.offer_count) == (54900, 55399, 3)
    assert row.operator_shipped and row.available
    assert row.condition_mask == listing.CONDITION_BITS[Condition.NEW] | listing.CONDITION_BITS[Condition.REFURBISHED]
    corsica = session.get(ProductListing, (mini_shop.washer.id, delivery.get_zone(session, "FR-COR").id))
    assert corsica.best_offer_id == mini_shop.offers["washer_1p"].id


def test_category_includes_subcategories(session, mini_shop):
    assert _browse(session).total == 3
    assert _browse(session, category="washers").total == 2


def test_facet_counts_follow_the_selection(session, mini_shop):
    result = _browse(session)
    assert _facet(result, "brand") == {"bosch": 1, "miele": 1, "samsung": 1}
    assert _facet(result, "colour") == {"WHITE": 2, "BLACK": 1}
    assert _facet(result, "seller") == {"storefront": 2, "maison-martin": 2, "tech-occaz": 2}
    assert _facet(result, "condition") == {"NEW": 3, "REFURBISHED": 1}
    assert _facet(result, "shipped_by_retailer") == {"1": 3}
    assert _facet(result, "mode")["FDHD"] == 1
    assert _facet(result, "price") == (54900, 129900)

    white_martin = _browse(session, Selection(items=(("colour", frozenset({"WHITE"})),), sellers=frozenset({"maison-martin"})))
    assert white_martin.total == 2
    # Disjunctive: the colour facet ignores its own selection but applies the seller one.
    assert _facet(white_martin, "colour") == {"WHITE": 2}
    assert _facet(white_martin, "seller") == {"storefront": 1, "maison-martin": 2, "tech-occaz": 2}
    assert _facet(white_martin, "brand") == {"bosch": 1, "miele": 1}


def test_ranges_price_and_toggles(session, mini_shop):
    assert _browse(session, Selection(ranges=(("capacity_kg", 8.5, None),)), category="washers").product_ids == [mini_shop.washer.id]
    assert _browse(session, Selection(price_max=55000)).product_ids == [mini_shop.washer.id]
    assert _browse(session, Selection(price_min=100000, price_max=200000)).total == 1
    assert _browse(session, Selection(conditions=frozenset({"REFURBISHED"}))).total == 1
    assert _browse(session, Selection(modes=frozenset({"FDHD"}))).product_ids == [mini_shop.fridge.id]


def test_unknown_values_are_ignored(session, mini_shop):
    odd = Selection(brands=frozenset({"nope"}), items=(("colour", frozenset({"PINK"})), ("nope", frozenset({"X"}))),
                    sellers=frozenset({"ghost"}), modes=frozenset({"TELEPORT"}), conditions=frozenset({"BROKEN"}))
    assert _browse(session, odd).total == 3


def test_sorting_and_pages(session, mini_shop):
    by_price = _browse(session, sort="price").product_ids
    assert by_price == [mini_shop.washer.id, mini_shop.dryer.id, mini_shop.fridge.id]
    assert _browse(session, sort="price_desc").product_ids == by_price[::-1]
    assert _browse(session, sort="delivery").product_ids[0] in (mini_shop.washer.id, mini_shop.dryer.id)
    last = _browse(session, sort="price", page=99, per_page=2)
    assert (last.page, last.pages, last.product_ids) == (2, 2, [mini_shop.fridge.id])
    assert _browse(session, sort="nonsense").total == 3


def test_seller_page_listing_spans_the_catalog(session, mini_shop):
    result = _browse(session, Selection(sellers=frozenset({"tech-occaz"})), category=None)
    assert set(result.product_ids) == {mini_shop.washer.id, mini_shop.dryer.id}


def test_refresh_follows_offer_changes(session, mini_shop):
    catalog.set_stock(session, mini_shop.offers["fridge_1p"], 0)
    listing.refresh(session, [mini_shop.fridge.id], now=NOW)
    rows = session.scalars(select(ProductListing).where(ProductListing.product_id == mini_shop.fridge.id)).all()
    assert rows and not any(r.available for r in rows)
    assert _browse(session, sort="price").product_ids[-1] == mini_shop.fridge.id  # unavailable last


def test_one_snapshot_keeps_the_rates_and_reads_the_sellers_again(session, mini_shop):
    """An import's batches share the rates read by its first refresh (a rate changed meanwhile is
    the next refresh's business), but a shop suspended meanwhile leaves the listing at once."""
    from storefront.marketplace.models import SellerState, ShippingRate

    main = delivery.get_zone(session, "FR-MAIN")
    washer = mini_shop.washer.id

    def best_total():
        session.expire_all()
        return session.get(ProductListing, (washer, main.id)).best_total

    before = best_total()
    with listing.one_snapshot(session):
        listing.refresh(session, [washer])
        assert best_total() == before
        session.execute(update(ShippingRate).where(ShippingRate.zone_id == main.id)
                        .values(fee=ShippingRate.fee + 1000))
        listing.refresh(session, [washer])
        assert best_total() == before  # the rates of the snapshot
        winner = session.get(ProductListing, (washer, main.id)).best_seller_id
        seller = next(o.seller for o in mini_shop.offers.values() if o.seller_id == winner)
        seller.state = SellerState.SUSPENDED
        session.flush()
        listing.refresh(session, [washer])
        assert session.get(ProductListing, (washer, main.id)).best_seller_id != winner
        seller.state = SellerState.OPEN
        session.flush()
    listing.refresh(session, [washer])  # a new moment: the new rates
    assert best_total() > before


def test_refresh_writes_only_the_products_whose_rows_change(session, mini_shop, count_queries):
    """A feed repeats most of its offers as they were: their listing rows are compared, not
    deleted and written again."""
    ids = [mini_shop.washer.id, mini_shop.fridge.id]
    before = {(r.product_id, r.zone_id): r.best_total
              for r in session.scalars(select(ProductListing).where(ProductListing.product_id.in_(ids)))}
    with count_queries() as statements:
        listing.refresh(session, ids, now=NOW)
    assert not [s for s in statements if s.lstrip().upper().startswith(("DELETE", "INSERT", "COPY"))]

    catalog.set_stock(session, mini_shop.offers["fridge_1p"], 0)
    with count_queries() as statements:
        listing.refresh(session, ids, now=NOW)
    written = [s for s in statements if s.lstrip().upper().startswith(("DELETE", "INSERT"))]
    assert written and all("product_listing" in s for s in written)
    session.expire_all()
    after = {(r.product_id, r.zone_id): (r.best_total, r.available)
             for r in session.scalars(select(ProductListing).where(ProductListing.product_id.in_(ids)))}
    assert after.keys() == before.keys()
    assert all(after[key][0] == total for key, total in before.items() if key[0] == mini_shop.washer.id)
    assert not any(available for (product_id, _), (_, available) in after.items() if product_id == mini_shop.fridge.id)
