"""Category listings: the derived ``product_listing`` rows and the queries that browse them.

``refresh`` recomputes, per product and zone, the buy-box winner with the same ranking as the
product page (``buybox.Ranker``), and the flags facets filter on. Services that change offers
call it for the products they touched; ``flask seed-demo`` calls it for the whole catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import Session, contains_eager

from . import clock as shop_clock
from . import event_categories
from . import sellers as sellers_service
from .buybox import Ranker
from .many import among, insert_rows
from .models import (
    Condition,
    DeliveryMode,
    Fulfillment,
    Offer,
    OfferState,
    Product,
    ProductListing,
    Seller,
    SellerState,
    ShippingRate,
    Zone,
)
from .unit_of_work import atomic

CONDITION_BITS = {condition: 1 << i for i, condition in enumerate(Condition)}


@dataclass(slots=True)
class _OfferRow:
    """The columns of an offer that ranking reads, without loading ORM objects in bulk."""

    id: int
    product_id: int
    seller: _Shop
    price: int
    stock: int
    lead_time_days: int
    fulfillment: Fulfillment
    condition: Condition


@dataclass(frozen=True, slots=True)
class _Shop:
    """What ranking and the listing read of a seller (see :class:`buybox.Ranker`)."""

    id: int
    code: str
    state: SellerState
    is_operator: bool
    rating: float | None
    cutoff_time: time


@dataclass
class _Snapshot:
    """What every refresh of a moment shares: the zones, and per zone a ranker holding the
    shippers' rates and the delivery options it has computed (the costly part, kept from one
    batch of an import to the next)."""

    now: datetime
    local_today: date
    zones: list[Zone]
    rankers: dict[int, Ranker]


def _snapshot(session: Session, now: datetime | None, retailer: _Shop) -> _Snapshot:
    clock = shop_clock.of(session)
    now = now or clock.now()
    zones = list(session.scalars(select(Zone).order_by(Zone.id)))
    rates_by_zone: dict[int, dict[int, list[ShippingRate]]] = {z.id: {} for z in zones}
    for rate in session.scalars(select(ShippingRate).join(ShippingRate.mode).where(DeliveryMode.active)
                                .options(contains_eager(ShippingRate.mode))):
        rates_by_zone[rate.zone_id].setdefault(rate.shipper_id, []).append(rate)
    for rates in rates_by_zone.values():
        for shipper_rates in rates.values():
            shipper_rates.sort(key=lambda r: (r.mode.position, r.mode.id))
    rankers = {z.id: Ranker(rates_by_zone[z.id], retailer=retailer, now=now, tz=clock.tz) for z in zones}
    return _Snapshot(now, clock.local_date(now), zones, rankers)


SNAPSHOT_KEY = "listing.snapshot"


@contextmanager
def one_snapshot(session: Session) -> Iterator[None]:
    """Every :func:`refresh` of ``session`` inside shares the zones, rates and delivery options
    read by the first one, and promises count from that moment: an import refreshes a few
    hundred products per batch, and reading the rates and working out each shipper's options
    again for every batch cost more than ranking the offers. A rate changed meanwhile is seen by
    the next import (and by the refresh that the rate's change runs itself); sellers are read
    again for every batch, so a shop suspended meanwhile leaves the listing at once."""
    session.info[SNAPSHOT_KEY] = None  # filled by the first refresh
    try:
        yield
    finally:
        session.info.pop(SNAPSHOT_KEY, None)


@atomic
def refresh(
    session: Session,
    product_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
    batch_size: int = 2000,
) -> int:
    """Rebuild the listing rows of ``product_ids`` (every product when None); returns how many
    products were refreshed. Promises count from ``now`` (the shop's clock when None; inside
    :func:`one_snapshot`, from its first refresh)."""
    # Plain snapshots of the shops: ranking reads a seller's rating and flags for every offer of
    # every zone, hundreds of thousands of times in an import.
    shops = {
        id_: _Shop(id_, code, state, is_operator, Seller.average_rating(rating_sum, rating_count), cutoff)
        for id_, code, state, is_operator, rating_sum, rating_count, cutoff in session.execute(select(
            Seller.id, Seller.code, Seller.state, Seller.is_operator, Seller.rating_sum, Seller.rating_count,
            Seller.cutoff_time))
    }
    retailer = shops[sellers_service.operator_seller(session).id]
    shared = SNAPSHOT_KEY in session.info and now is None
    snapshot = session.info.get(SNAPSHOT_KEY) if shared else None
    if snapshot is None:
        snapshot = _snapshot(session, now, retailer)
        if shared:
            session.info[SNAPSHOT_KEY] = snapshot

    if product_ids is None:
        ids_iter: Iterable[int] = session.scalars(select(Product.id).order_by(Product.id)).all()
    else:
        ids_iter = sorted(set(product_ids))
    ids = list(ids_iter)
    ids_iter = iter(ids)
    done = 0
    while batch := list(islice(ids_iter, batch_size)):
        done += _refresh_batch(session, batch, snapshot.zones, snapshot.rankers, shops, snapshot.local_today)
    # Event shelves select products by their buy box: follow it in the same transaction.
    event_categories.recompute_products(session, None if product_ids is None else ids)
    return done


def _refresh_batch(session, ids, zones, rankers, shops, local_today) -> int:
    products = session.execute(
        select(
            Product.id, Product.category_id, Product.brand_id, Product.highlighted,
            Product.weight_grams, Product.active,
        ).where(among(session, Product.id, ids))
    ).all()
    # A withdrawn product keeps a row without offers: off every listing and search at once.
    withdrawn = {p.id for p in products if not p.active}
    offers_by_product: dict[int, list[_OfferRow]] = {p.id: [] for p in products}
    open_ids = {sid for sid, shop in shops.items() if shop.state == SellerState.OPEN}
    for offer_id, product_id, seller_id, price, stock, lead_time_days, fulfillment, condition in session.execute(
        select(
            Offer.id, Offer.product_id, Offer.seller_id, Offer.price, Offer.stock,
            Offer.lead_time_days, Offer.fulfillment, Offer.condition,
        ).where(among(session, Offer.product_id, ids), Offer.state == OfferState.ACTIVE)
    ):
        if seller_id in open_ids and product_id not in withdrawn:
            offers_by_product[product_id].append(
                _OfferRow(offer_id, product_id, shops[seller_id], price, stock, lead_time_days, fulfillment,
                          condition)
            )
    rows = []
    for product in products:
        offers = offers_by_product[product.id]
        for zone in zones:
            rows.append(_listing_row(product, zone, offers, rankers[zone.id], local_today))
    # Only the products whose rows come out different are written again: a feed's daily
    # changes (a price here, a stock there) leave most buy boxes as they were.
    table = ProductListing.__table__
    names = list(rows[0]) if rows else [c.name for c in table.c]
    stored = {(row[0], row[1]): tuple(row) for row in session.execute(
        select(*(table.c[name] for name in names)).where(among(session, table.c.product_id, ids)))}
    changed = {row["product_id"] for row in rows
               if stored.pop((row["product_id"], row["zone_id"]), None) != tuple(row.values())}
    changed.update(product_id for product_id, _ in stored)  # rows no longer produced (a zone gone)
    if changed:
        session.execute(delete(ProductListing).where(among(session, ProductListing.product_id, changed)))
        # COPY on PostgreSQL, no ORM bookkeeping
        insert_rows(session, table, [row for row in rows if row["product_id"] in changed])
    return len(products)


def _listing_row(product, zone, offers: Sequence[_OfferRow], ranker: Ranker, local_today) -> dict:
    ranked = ranker.rank(offers, weight_grams=product.weight_grams)
    buyable = [r for r in ranked if r.available]
    row = {
        "product_id": product.id,
        "zone_id": zone.id,
        "category_id": product.category_id,
        "brand_id": product.brand_id,
        "highlighted": product.highlighted,
        "offer_count": len(offers),
        "available": bool(buyable),
        "best_offer_id": None,
        "best_seller_id": None,
        "best_price": None,
        "best_total": None,
        "best_rating": 0.0,
        "best_days": None,
        "operator_shipped": False,
        "condition_mask": 0,
        "mode_mask": 0,
    }
    if not buyable:
        return row
    best = buyable[0]
    row.update(
        best_offer_id=best.offer.id,
        best_seller_id=best.seller.id,
        best_price=best.offer.price,
        best_total=best.total,
        best_rating=best.seller.rating or 0.0,
        best_days=(best.cheapest.promise.latest - local_today).days,
        operator_shipped=any(r.shipper.is_operator for r in buyable),
        condition_mask=_mask(CONDITION_BITS[r.offer.condition] for r in buyable),
        mode_mask=_mask(1 << o.mode.id for r in buyable for o in r.options),
    )
    return row


def _mask(bits: Iterable[int]) -> int:
    mask = 0
    for bit in bits:
        mask |= bit
    return mask


# -- browsing -------------------------------------------------------------------------------------

SORTS = ("relevance", "price", "price_desc", "delivery", "rating")
PER_PAGE = 24


@dataclass(frozen=True)
class Selection:
    """What the shopper picked in the facets, by codes (as they appear in shareable URLs).

    Codes that do not exist are ignored rather than refused: an old link still opens a page.
    """

    brands: frozenset[str] = frozenset()  # brand slugs
    items: tuple[tuple[str, frozenset[str]], ...] = ()  # (attribute code, item codes)
    ranges: tuple[tuple[str, float | None, float | None], ...] = ()  # numeric attribute ranges
    price_min: int | None = None  # cents
    price_max: int | None = None
    conditions: frozenset[str] = frozenset()
    sellers: frozenset[str] = frozenset()  # seller slugs
    shipped_by_retailer: bool = False
    modes: frozenset[str] = frozenset()  # delivery mode codes


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    code: str  # the query-string parameter
    label: str
    kind: str  # "list", "range" or "toggle"
    values: list[FacetValue]
    low: float | None = None  # range facets: the bounds over the current selection
    high: float | None = None
    selected_low: float | None = None
    selected_high: float | None = None
    unit: str = ""


@dataclass
class BrowseResult:
    product_ids: list[int]
    listings: dict[int, ProductListing]
    total: int
    page: int
    pages: int
    facets: list[Facet]


def browse(
    session: Session,
    category,
    zone: Zone,
    selection: Selection = Selection(),
    *,
    sort: str = "relevance",
    page: int = 1,
    locale: str = "fr",
    per_page: int = PER_PAGE,
) -> BrowseResult:
    """One page of a category (and its subcategories; the whole catalog when ``category`` is
    None) for a zone, with facet counts.

    Counts are disjunctive, as shoppers expect: a facet's counts apply every other facet's
    selection but not its own, so picking one brand still shows how many the others have.
    A page past the end shows the last page; an unknown sort falls back to relevance.
    """
    from . import reference

    links = reference.attributes_for(session, category) if category is not None else []
    attributes = [
        link.attribute
        for link in links
        if link.attribute.facetable and link.attribute.type.value in ("LIST", "INTEGER", "DECIMAL")
    ]
    PL = ProductListing
    base = [PL.zone_id == (zone.id if zone else None), PL.offer_count > 0]
    if category is not None:  # None: the whole catalog (a seller's page)
        base.append(PL.category_id.in_(reference.subtree_ids(session, category)))
    resolved = _Resolved.of(session, selection, attributes)
    filters = resolved.filters()

    def where(*, without: str | None = None):
        return [*base, *(clause for name, clause in filters.items() if name != without)]

    facets = _facets(session, resolved, attributes, where, locale)

    total = session.scalar(select(func.count()).select_from(PL).where(*where()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(PL).where(*where()).order_by(*_order(sort)).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return BrowseResult(
        product_ids=[r.product_id for r in rows],
        listings={r.product_id: r for r in rows},
        total=total,
        page=page,
        pages=pages,
        facets=facets,
    )


def _order(sort: str):
    PL = ProductListing
    last = PL.best_total.is_(None)  # unavailable products at the end whatever the sort
    return {
        "price": (last, PL.best_total, PL.product_id),
        "price_desc": (last, PL.best_total.desc(), PL.product_id),
        "delivery": (last, PL.best_days, PL.best_total, PL.product_id),
        "rating": (last, PL.best_rating.desc(), PL.best_total, PL.product_id),
    }.get(sort, (last, PL.highlighted.desc(), PL.offer_count.desc(), PL.best_rating.desc(), PL.product_id))


@dataclass
class _Resolved:
    """A Selection turned into ids, for the codes that exist."""

    brand_ids: dict[int, str]
    items: dict[int, set[int]]  # attribute id -> item ids
    ranges: dict[int, tuple[float | None, float | None]]
    price: tuple[int | None, int | None]
    condition_mask: int
    seller_ids: set[int]
    mode_mask: int
    shipped_by_retailer: bool

    @classmethod
    def of(cls, session: Session, selection: Selection, attributes) -> _Resolved:
        from .models import Brand, DeliveryMode, ValueListItem

        by_code = {a.code: a for a in attributes}
        brand_ids = {}
        if selection.brands:
            brand_ids = dict(session.execute(
                select(Brand.id, Brand.slug).where(Brand.slug.in_(selection.brands))
            ).all())
        items: dict[int, set[int]] = {}
        wanted = {by_code[code]: codes for code, codes in selection.items if code in by_code}
        wanted = {a: codes for a, codes in wanted.items() if a.value_list_id}
        if wanted:
            found = session.execute(
                select(ValueListItem.id, ValueListItem.code, ValueListItem.value_list_id).where(
                    ValueListItem.value_list_id.in_({a.value_list_id for a in wanted})
                )
            ).all()
            for attribute, codes in wanted.items():
                ids = {r.id for r in found if r.value_list_id == attribute.value_list_id and r.code in codes}
                if ids:
                    items[attribute.id] = ids
        ranges = {
            by_code[code].id: (low, high)
            for code, low, high in selection.ranges
            if code in by_code and (low is not None or high is not None)
        }
        seller_ids = set()
        if selection.sellers:
            seller_ids = set(session.scalars(select(Seller.id).where(Seller.slug.in_(selection.sellers))))
        mode_mask = 0
        if selection.modes:
            mode_mask = _mask(1 << i for i in session.scalars(
                select(DeliveryMode.id).where(DeliveryMode.code.in_(selection.modes))
            ))
        condition_mask = _mask(
            bit for condition, bit in CONDITION_BITS.items() if condition.value in selection.conditions
        )
        return cls(brand_ids, items, ranges, (selection.price_min, selection.price_max),
                   condition_mask, seller_ids, mode_mask, selection.shipped_by_retailer)

    def filters(self) -> dict[str, object]:
        from .models import ProductAttributeValue as PAV

        PL = ProductListing
        out: dict[str, object] = {}
        if self.brand_ids:
            out["brand"] = PL.brand_id.in_(self.brand_ids)
        for attribute_id, item_ids in self.items.items():
            out[f"attr:{attribute_id}"] = PL.product_id.in_(
                select(PAV.product_id).where(PAV.attribute_id == attribute_id, PAV.item_id.in_(item_ids))
            )
        for attribute_id, (low, high) in self.ranges.items():
            clauses = [PAV.attribute_id == attribute_id]
            if low is not None:
                clauses.append(PAV.number_value >= low)
            if high is not None:
                clauses.append(PAV.number_value <= high)
            out[f"attr:{attribute_id}"] = PL.product_id.in_(select(PAV.product_id).where(*clauses))
        low, high = self.price
        if low is not None or high is not None:
            clauses = []
            if low is not None:
                clauses.append(PL.best_price >= low)
            if high is not None:
                clauses.append(PL.best_price <= high)
            out["price"] = and_(*clauses)
        if self.condition_mask:
            out["condition"] = PL.condition_mask.op("&")(self.condition_mask) != 0
        if self.seller_ids:
            out["seller"] = PL.product_id.in_(
                select(Offer.product_id).where(
                    Offer.seller_id.in_(self.seller_ids), Offer.state == OfferState.ACTIVE
                )
            )
        if self.shipped_by_retailer:
            out["shipped_by_retailer"] = PL.operator_shipped.is_(True)
        if self.mode_mask:
            out["mode"] = PL.mode_mask.op("&")(self.mode_mask) != 0
        return out


def _facets(session, resolved: _Resolved, attributes, where, locale) -> list[Facet]:
    from .models import Brand, DeliveryMode, ValueListItem
    from .models import ProductAttributeValue as PAV

    PL = ProductListing

    def label(obj) -> str:
        return obj.label_for(locale)

    facets: list[Facet] = []

    counts = dict(session.execute(
        select(PL.brand_id, func.count()).where(*where(without="brand"), PL.brand_id.is_not(None))
        .group_by(PL.brand_id)
    ).all())
    brands = session.execute(select(Brand.id, Brand.slug, Brand.name).where(Brand.id.in_(counts))).all()
    facets.append(Facet("brand", "brand", "list", sorted(
        (FacetValue(b.slug, b.name, counts[b.id], b.id in resolved.brand_ids) for b in brands),
        key=lambda v: (-v.count, v.label),
    )))

    list_attributes = [a for a in attributes if a.value_list_id]
    items_by_list: dict[int, list] = {}
    if list_attributes:
        for item in session.scalars(select(ValueListItem).where(
            ValueListItem.value_list_id.in_({a.value_list_id for a in list_attributes})
        ).order_by(ValueListItem.position)):
            items_by_list.setdefault(item.value_list_id, []).append(item)
    for attribute in attributes:
        key = f"attr:{attribute.id}"
        if attribute.value_list_id:
            counts = dict(session.execute(
                select(PAV.item_id, func.count()).join(PL, PL.product_id == PAV.product_id)
                .where(PAV.attribute_id == attribute.id, *where(without=key)).group_by(PAV.item_id)
            ).all())
            chosen = resolved.items.get(attribute.id, set())
            values = [
                FacetValue(item.code, label(item), counts[item.id], item.id in chosen)
                for item in items_by_list.get(attribute.value_list_id, []) if counts.get(item.id)
            ]
            facets.append(Facet(attribute.code, label(attribute), "list", values, unit=attribute.unit))
        else:
            low, high = session.execute(
                select(func.min(PAV.number_value), func.max(PAV.number_value))
                .join(PL, PL.product_id == PAV.product_id)
                .where(PAV.attribute_id == attribute.id, *where(without=key))
            ).one()
            chosen = resolved.ranges.get(attribute.id, (None, None))
            facets.append(Facet(attribute.code, label(attribute), "range", [], low, high,
                                chosen[0], chosen[1], unit=attribute.unit))

    low, high = session.execute(
        select(func.min(PL.best_price), func.max(PL.best_price)).where(*where(without="price"))
    ).one()
    facets.append(Facet("price", "price", "range", [], low, high, *resolved.price))

    bits = list(CONDITION_BITS.items())
    sums = session.execute(select(*(
        func.sum(case((PL.condition_mask.op("&")(bit) != 0, 1), else_=0)) for _, bit in bits
    )).where(*where(without="condition"))).one()
    facets.append(Facet("condition", "condition", "list", [
        FacetValue(c.value, c.value, n or 0, bool(resolved.condition_mask & bit))
        for (c, bit), n in zip(bits, sums, strict=True) if n
    ]))

    counts = dict(session.execute(
        select(Offer.seller_id, func.count(func.distinct(Offer.product_id)))
        .join(PL, PL.product_id == Offer.product_id).join(Seller, Seller.id == Offer.seller_id)
        .where(Offer.state == OfferState.ACTIVE, Seller.state == SellerState.OPEN, *where(without="seller"))
        .group_by(Offer.seller_id)
    ).all())
    shops = session.execute(select(Seller.id, Seller.slug, Seller.name).where(Seller.id.in_(counts))).all()
    facets.append(Facet("seller", "seller", "list", sorted(
        (FacetValue(s.slug, s.name, counts[s.id], s.id in resolved.seller_ids) for s in shops),
        key=lambda v: (-v.count, v.label),
    )))

    shipped = session.scalar(
        select(func.count()).select_from(PL)
        .where(*where(without="shipped_by_retailer"), PL.operator_shipped.is_(True))
    )
    facets.append(Facet("shipped_by_retailer", "shipped_by_retailer", "toggle", [
        FacetValue("1", "shipped_by_retailer", shipped or 0, resolved.shipped_by_retailer)
    ]))

    modes = session.scalars(select(DeliveryMode).order_by(DeliveryMode.position)).all()
    sums = session.execute(select(*(
        func.sum(case((PL.mode_mask.op("&")(1 << m.id) != 0, 1), else_=0)) for m in modes
    )).where(*where(without="mode"))).one() if modes else ()
    facets.append(Facet("mode", "mode", "list", [
        FacetValue(m.code, label(m), n or 0, bool(resolved.mode_mask & (1 << m.id)))
        for m, n in zip(modes, sums, strict=True) if n
    ]))
    return facets
