"""The buy-box ranking: buyable, then new before used and refurbished, then total delivered, then
rating, then delivery date; the retailer wins ties."""

from datetime import date

from storefront.marketplace import buybox, catalog, delivery, sellers
from storefront.marketplace.models import Condition, Fulfillment
from tests import factories
from tests.checkout_fixtures import PARIS
from tests.shop_fixtures import NOW


def _rank(session, product, zone_code="FR-MAIN"):
    return buybox.rank_offers(
        session, catalog.offers_for(session, product), delivery.get_zone(session, zone_code),
        retailer=sellers.operator_seller(session), now=NOW, weight_grams=product.weight_grams,
    )


def test_new_offers_come_first_then_the_total_delivered(session, mini_shop):
    ranked = _rank(session, mini_shop.washer)
    # Occaz's refurbished one is cheapest at 399 € + 6,90 € relay, but new offers come first:
    # retailer 549 € + 4,99 €, then Martin 559 € + free.
    assert [r.offer.sku for r in ranked] == ["1P-WASH", "MM-WASH", "TO-WASH"]
    assert [r.total for r in ranked] == [54900 + 499, 55900, 39900 + 690]
    assert [r.condition_group for r in ranked] == [buybox.ConditionGroup.NEW] * 2 + [buybox.ConditionGroup.REFURBISHED]


def test_a_used_offer_wins_only_when_no_new_one_can_be_bought(session, mini_shop):
    catalog.set_stock(session, mini_shop.offers["washer_1p"], 0)
    assert _rank(session, mini_shop.washer)[0].offer.sku == "MM-WASH"
    catalog.set_stock(session, mini_shop.offers["washer_martin"], 0)
    ranked = _rank(session, mini_shop.washer)
    assert ranked[0].offer.sku == "TO-WASH" and ranked[0].available
    assert not buybox.alternatives(ranked, ranked[0])  # no new offer left to show beside it


def test_alternatives_show_the_cheapest_of_each_other_condition(session, mini_shop):
    """Beside the buy box: "Refurbished from 399 €" (and "New from …" when a used one is chosen)."""
    product = mini_shop.washer
    catalog.upsert_offer(session, mini_shop.martin, product, "MM-WASH-GOOD", price=45900, stock=1,
                         condition=Condition.GOOD, lead_time_days=1)
    catalog.upsert_offer(session, mini_shop.martin, product, "MM-WASH-LN", price=42900, stock=1,
                         condition=Condition.LIKE_NEW, lead_time_days=1)
    catalog.upsert_offer(session, mini_shop.retailer, product, "1P-WASH-RECO", price=36900, stock=0,
                         condition=Condition.REFURBISHED, fulfillment=Fulfillment.OPERATOR)  # out of stock: never "from"
    ranked = _rank(session, product)
    chosen = ranked[0]
    assert chosen.offer.sku == "1P-WASH"
    others = buybox.alternatives(ranked, chosen)
    assert [(r.offer.sku, r.condition_group) for r in others] == [
        ("MM-WASH-LN", buybox.ConditionGroup.USED), ("TO-WASH", buybox.ConditionGroup.REFURBISHED)]
    occaz = next(r for r in ranked if r.offer.sku == "TO-WASH")
    assert [r.offer.sku for r in buybox.alternatives(ranked, occaz)] == ["1P-WASH", "MM-WASH-LN"]


def test_shipped_by_follows_fulfillment(session, mini_shop):
    dryer = {r.offer.sku: r for r in _rank(session, mini_shop.dryer)}
    assert dryer["TO-DRY"].seller.code == "occaz" and dryer["TO-DRY"].shipper.is_operator
    assert dryer["MM-DRY"].shipper.code == "martin"


def test_promises_are_delivery_promise(session, mini_shop):
    best = _rank(session, mini_shop.washer)[0]  # the retailer, lead time 0, THD 1-2 days
    assert best.offer.sku == "1P-WASH"
    thd = next(o for o in best.options if o.mode.code == "THD")
    assert thd.promise == delivery.promise(
        NOW, lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS
    )
    assert (thd.promise.ship_by, thd.promise.earliest, thd.promise.latest) == (
        date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)
    )


def test_zone_changes_availability_and_dates(session, mini_shop):
    corsica = {r.offer.sku: r for r in _rank(session, mini_shop.washer, "FR-COR")}
    assert not corsica["MM-WASH"].ships_to_zone and not corsica["MM-WASH"].available
    assert corsica["1P-WASH"].cheapest.promise.latest == date(2026, 12, 8)  # 5 business days
    ranked = _rank(session, mini_shop.washer, "FR-COR")
    assert ranked[-1].offer.sku == "MM-WASH"  # unavailable offers come last


def test_heavy_goods_get_scheduled_delivery_only_when_heavy(session, mini_shop):
    fridge = _rank(session, mini_shop.fridge)[0]
    washer = _rank(session, mini_shop.washer)[0]
    assert "FDHD" in {o.mode.code for o in fridge.options}
    assert "FDHD" not in {o.mode.code for o in washer.options}


def test_rating_breaks_price_ties_and_retailer_wins_exact_ties(session, mini_shop):
    product = factories.product(session, title="Lave-linge top")
    retailer, martin, occaz = mini_shop.retailer, mini_shop.martin, mini_shop.occaz
    # Same delivered total (Martin ships free, the retailer charges 4,99 €).
    catalog.upsert_offer(session, retailer, product, "1P-TOP", price=40000, stock=3,
                         lead_time_days=1, fulfillment=Fulfillment.OPERATOR)
    catalog.upsert_offer(session, martin, product, "MM-TOP", price=40499, stock=3, lead_time_days=1)
    ranked = _rank(session, product)
    assert ranked[0].total == ranked[1].total == 40499
    assert ranked[0].offer.sku == "MM-TOP"  # 4.8 beats 4.5
    martin.rating_sum = 45  # now 4.5 too, same dates (both lead 1, 1–2 days): the retailer wins
    delivery.set_rate(session, martin, "THD", "FR-MAIN", fee=0, transit_min=1, transit_max=2)
    assert [r.offer.sku for r in _rank(session, product)][0] == "1P-TOP"
    occaz.rating_sum = 45
    assert _rank(session, product)[0].seller.is_operator


def test_out_of_stock_is_not_the_buy_box(session, mini_shop):
    catalog.set_stock(session, mini_shop.offers["washer_1p"], 0)
    ranked = _rank(session, mini_shop.washer)
    assert ranked[0].offer.sku == "MM-WASH" and ranked[-1].offer.sku == "1P-WASH"


def test_units_with_the_same_options_key_get_the_same_options(session, mini_shop):
    """The ranker shares delivery options between offers whose key is equal
    (``delivery.unit_options_key``): that is only right if the options really are equal, at every
    price around the free-shipping thresholds and every weight around the modes' minimums."""
    zone = delivery.get_zone(session, "FR-MAIN")
    retailer = sellers.operator_seller(session)
    heavy = delivery.create_mode(session, "HEAVY", "Livraison sur rendez-vous", min_weight_grams=30_000)
    delivery.set_rate(session, retailer, heavy.code, zone.code, fee=4_900, free_threshold=100_000,
                      transit_min=3, transit_max=6)
    rates = delivery.rates_for(session, [retailer.id], zone)[retailer.id]
    limits = delivery.unit_limits(rates)
    thresholds = {r.free_threshold for r in rates if r.free_threshold is not None}
    assert thresholds and max(r.mode.min_weight_grams for r in rates) == 30_000
    prices = sorted({p + d for p in (*thresholds, 1, 50_000) for d in (-1, 0, 1)})
    weights = (0, 29_999, 30_000, 45_000)
    by_key: dict[tuple, list] = {}
    for price in prices:
        for weight in weights:
            options = delivery.delivery_options_from_rates(
                rates, retailer, tz=PARIS, ordered_at=NOW, lead_time_days=1, quantities_or_lines=[1],
                goods_total=price, weight_grams=weight)
            seen = [(o.mode.code, o.fee, o.promise) for o in options]
            by_key.setdefault(delivery.unit_options_key(limits, price, weight), []).append(seen)
    assert len(by_key) > 2  # the key does tell units apart
    for key, all_options in by_key.items():
        assert all(options == all_options[0] for options in all_options), key
