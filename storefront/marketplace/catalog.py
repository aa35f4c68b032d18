"""Catalog domain: products and the offers that sell them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session, selectinload

from . import price_changes, product_attributes, reference, search, webhooks
from .errors import DomainError, InvalidValue, NotFound
from .many import among, insert_rows
from .models import (
    Condition,
    Fulfillment,
    Offer,
    OfferState,
    Product,
    ProductImage,
    Seller,
    SellerState,
)
from .models.base import utcnow
from .money import require_amount
from .refusals import Refusal
from .text import slugify
from .unit_of_work import atomic


def gtin_is_valid(gtin: str) -> bool:
    """GTIN-8/12/13/14 check digit (the EAN-13 on French products is the common case)."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in gtin]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def gtin_check_digit(body: str) -> str:
    """The digit that completes ``body`` into a valid GTIN."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


@atomic
def create_product(
    session: Session,
    gtin: str,
    title: str,
    category_code: str,
    *,
    brand_name: str | None = None,
    description: str = "",
    weight_grams: int = 500,
    attributes: Mapping[str, object] | None = None,
    images: list[str] | None = None,
    highlighted: bool = False,
) -> Product:
    """Create a product; its attribute values are checked by ``product_attributes.check`` (the
    category's REQUIRED attributes must be given), as the back office's edits are."""
    gtin = (gtin or "").strip()
    if not gtin_is_valid(gtin):
        raise InvalidValue(f"{gtin!r} is not a valid GTIN (8, 12, 13 or 14 digits with check digit)",
                           reason=Refusal.GTIN, field="gtin")
    title = " ".join((title or "").split())
    if not title:
        raise InvalidValue("a product needs a title", reason=Refusal.TITLE, field="title")
    if isinstance(weight_grams, bool) or not isinstance(weight_grams, int) or weight_grams < 0:
        raise InvalidValue(f"weight must be a whole, non-negative number of grams, not {weight_grams!r}")
    if session.scalar(select(Product.id).where(Product.gtin == gtin)) is not None:
        raise InvalidValue(f"a product with GTIN {gtin} already exists", reason=Refusal.GTIN_TAKEN, field="gtin")
    category = reference.get_category(session, category_code)
    values = product_attributes.rows(product_attributes.check(session, category, attributes or {}))
    product = Product(
        gtin=gtin,
        title=title,
        slug=slugify(title, 200),
        category=category,
        brand=reference.get_or_create_brand(session, brand_name) if brand_name else None,
        description=description.strip(),
        weight_grams=weight_grams,
        highlighted=highlighted,
        search_text=search.document(title, brand_name, description, gtin),
        attribute_values=values,
        images=[ProductImage(url=url, alt=title, position=i) for i, url in enumerate(images or [])],
    )
    session.add(product)
    session.flush()
    return product


@atomic
def upsert_offer(
    session: Session,
    seller: Seller,
    product: Product,
    sku: str,
    *,
    price: int,
    stock: int,
    origin_price: int | None = None,
    condition: Condition = Condition.NEW,
    lead_time_days: int | None = None,
    fulfillment: Fulfillment = Fulfillment.SELLER,
    state: OfferState = OfferState.ACTIVE,
    max_per_order: int = 10,
    currency: str = "EUR",
    comment: str = "",
    confirmed: bool = False,
) -> Offer:
    """Create or update the seller's offer identified by its SKU (as an offer import does).

    A price of 0 (new offer or not), or a drop of more than half, raises ``NeedsConfirmation``
    unless ``confirmed`` (``price_changes``): nothing is changed until the seller says yes.
    """
    sku = (sku or "").strip()
    offer = session.scalar(select(Offer).where(Offer.seller_id == seller.id, Offer.sku == sku)) if sku else None

    def clash(condition: Condition) -> bool:
        return session.scalar(
            select(Offer.id).where(
                Offer.seller_id == seller.id,
                Offer.product_id == product.id,
                Offer.condition == condition,
                Offer.sku != sku,
            )
        ) is not None

    values = _checked_offer(
        seller, product, sku, offer, clash, price=price, stock=stock, origin_price=origin_price,
        condition=condition, lead_time_days=lead_time_days, fulfillment=fulfillment, state=state,
        max_per_order=max_per_order, currency=currency, comment=comment, confirmed=confirmed,
    )
    offer = _assign_offer(session, seller, product, sku, offer, values)
    session.flush()
    webhooks.record_event(session, "offer.updated", seller.id, lambda: webhooks.offer_data(offer))
    return offer


# Bounds of an offer, for every way in (portal form, API, imports): a lead time past two months
# promises nothing a shopper would wait for, and a stock past a million is a typo.
MAX_LEAD_TIME_DAYS = 60
MAX_STOCK = 1_000_000


def _checked_offer(
    seller: Seller,
    product: Product,
    sku: str,
    offer: Offer | None,
    clash: Callable[[Condition], bool],
    *,
    price: int,
    stock: int,
    origin_price: int | None,
    condition: Condition,
    lead_time_days: int | None,
    fulfillment: Fulfillment,
    state: OfferState,
    max_per_order: int,
    currency: str,
    comment: str,
    confirmed: bool,
) -> dict:
    """Every rule of an offer's values, reading nothing: ``offer`` is the seller's offer with
    this SKU (None: a new one), ``clash(condition)`` says whether another SKU of the seller
    already sells ``product`` in that condition. Returns the values to assign."""
    if not sku or len(sku) > 60:
        raise InvalidValue("a seller SKU is 1 to 60 characters", field="sku", reason=Refusal.OFFER_SKU)
    _amount(price, "price", "price")
    if origin_price is not None:
        _amount(origin_price, "origin price", "origin_price")
        if origin_price < price:
            raise InvalidValue("the origin (struck-through) price cannot be below the price",
                               field="origin_price", reason=Refusal.ORIGIN_PRICE)
    if _count(stock, "stock", "stock") > MAX_STOCK:
        raise InvalidValue(f"the stock is at most {MAX_STOCK:,}".replace(",", " "), field="stock",
                           reason=Refusal.OFFER_STOCK_MAX, limit=MAX_STOCK)
    if lead_time_days is None:
        lead_time_days = seller.default_lead_time_days
    if _count(lead_time_days, "lead time", "lead_time_days") > MAX_LEAD_TIME_DAYS:
        raise InvalidValue(f"the lead time is at most {MAX_LEAD_TIME_DAYS} days", field="lead_time_days",
                           reason=Refusal.LEAD_TIME)
    if _count(max_per_order, "maximum per order") < 1:
        raise InvalidValue("the maximum per order is at least 1")
    try:
        condition, fulfillment, state = Condition(condition), Fulfillment(fulfillment), OfferState(state)
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None
    if seller.is_operator and fulfillment != Fulfillment.OPERATOR:
        raise InvalidValue("the retailer's own offers ship from its warehouse (OPERATOR)")
    if seller.state != SellerState.OPEN and state == OfferState.ACTIVE:
        raise InvalidValue(f"{seller.name} is {seller.state.lower()}: its offers cannot be active")
    if offer is None and product.active is False:
        raise InvalidValue(f"{product.title} is no longer sold: no new offer", reason=Refusal.PRODUCT_WITHDRAWN,
                           field="product")
    if offer is not None and offer.product_id != product.id:
        raise InvalidValue(f"SKU {sku} already sells another product", field="sku",
                           reason=Refusal.OFFER_SKU_TAKEN)
    if clash(condition):
        raise InvalidValue(f"{seller.name} already has a {condition} offer for this product", field="condition",
                           reason=Refusal.DUPLICATE_OFFER)
    price_changes.check_price(
        offer.price if offer is not None else None, price, confirmed=confirmed, currency=currency.upper()
    )
    return {
        "price": price, "origin_price": origin_price, "stock": stock, "condition": condition,
        "fulfillment": fulfillment, "state": state, "lead_time_days": lead_time_days,
        "max_per_order": max_per_order, "currency": currency.upper(), "comment": comment,
    }


def _assign_offer(session: Session, seller: Seller, product: Product, sku: str, offer: Offer | None,
                  values: dict) -> Offer:
    if offer is None:
        offer = Offer(seller=seller, product=product, sku=sku)
        session.add(offer)
    for name, value in values.items():
        setattr(offer, name, value)
    return offer


@dataclass(frozen=True)
class OfferLine:
    """One line of a bulk offer import: the product by id or by GTIN, and the offer's values
    (``lead_time_days`` None: the seller's default for a new offer, unchanged for an existing one;
    ``fulfillment`` None: unchanged, SELLER for a new offer (OPERATOR for the retailer's);
    ``origin_price`` None: no struck-through price)."""

    sku: str
    price: int
    stock: int
    product_id: int | None = None
    gtin: str | None = None
    lead_time_days: int | None = None
    condition: Condition = Condition.NEW
    state: OfferState = OfferState.ACTIVE
    confirmed: bool = False
    origin_price: int | None = None
    fulfillment: Fulfillment | None = None


@dataclass(frozen=True)
class LineResult:
    line: int  # from 1
    sku: str
    offer: Offer | OfferDraft | None  # None: refused; a draft from apply_offer_lines
    error: DomainError | None = None
    created: bool = False  # a new offer (not an update of the seller's offer with this SKU)


MAX_BULK_LINES = 1000


@dataclass(slots=True)
class OfferDraft:
    """An offer's stored values as the bulk path reads and writes them: plain values, not an ORM
    object (an import of 500,000 rows would spend most of its time building and flushing those).
    ``id`` is None until it is inserted. :func:`webhooks.offer_data` reads it as it reads an offer."""

    id: int | None
    seller_id: int
    product_id: int
    sku: str
    condition: Condition
    price: int
    origin_price: int | None
    stock: int
    lead_time_days: int
    fulfillment: Fulfillment
    state: OfferState
    max_per_order: int
    currency: str
    comment: str


_DRAFT_COLUMNS = (Offer.id, Offer.seller_id, Offer.product_id, Offer.sku, Offer.condition, Offer.price,
                  Offer.origin_price, Offer.stock, Offer.lead_time_days, Offer.fulfillment, Offer.state,
                  Offer.max_per_order, Offer.currency, Offer.comment)
_VALUE_FIELDS = ("price", "origin_price", "stock", "condition", "fulfillment", "state", "lead_time_days",
                 "max_per_order", "currency", "comment")


def offer_drafts(session: Session, seller_id: int, *conditions) -> list[OfferDraft]:
    """The seller's offers matching ``conditions`` as drafts, in one query."""
    return [OfferDraft(*row) for row in session.execute(
        select(*_DRAFT_COLUMNS).where(Offer.seller_id == seller_id, *conditions))]


@atomic
def bulk_upsert_offers(session: Session, seller: Seller, lines: Sequence[OfferLine]) -> list[LineResult]:
    """Apply up to :data:`MAX_BULK_LINES` offer lines (the API's bulk upsert, the portal's form)
    with :func:`apply_offer_lines`, and give back each applied line's offer as an ORM object,
    loaded fresh in one query."""
    if len(lines) > MAX_BULK_LINES:
        raise InvalidValue(f"at most {MAX_BULK_LINES} lines at once", field="offers")
    results = apply_offer_lines(session, seller, lines)
    ids = {r.offer.id for r in results if r.offer is not None}
    offers = {o.id: o for o in session.scalars(
        select(Offer).where(Offer.id.in_(ids)).execution_options(populate_existing=True))} if ids else {}
    return [LineResult(r.line, r.sku, offers[r.offer.id] if r.offer is not None else None, r.error, r.created)
            for r in results]


@atomic
def apply_offer_lines(session: Session, seller: Seller, lines: Sequence[OfferLine]) -> list[LineResult]:
    """Apply many offer lines with the rules of :func:`upsert_offer`: each line is checked
    against the seller's offers and the products loaded up front (one query each), then applied,
    or reported refused with its error; a refused line never stops the others. The lines apply
    in order, so a later line with the same SKU sees the earlier one. Written with one INSERT and
    one UPDATE (executemany), then one round of webhook events and one listing refresh of the
    products touched; results carry :class:`OfferDraft` values (no ORM objects: offer imports
    call this with thousands of lines at a time)."""
    skus = {(line.sku or "").strip() for line in lines} - {""}
    ids = {line.product_id for line in lines if line.product_id is not None}
    gtins = {line.gtin.strip() for line in lines if line.gtin}
    products = session.execute(select(Product.id, Product.gtin, Product.active, Product.title).where(
        or_(among(session, Product.id, ids), among(session, Product.gtin, gtins)))).all() if ids or gtins else []
    by_id = {p.id: p for p in products}
    by_gtin = {p.gtin: p for p in products}
    existing = offer_drafts(session, seller.id, or_(among(session, Offer.sku, skus),
                                                    among(session, Offer.product_id, by_id))) if skus or by_id else []
    by_sku = {o.sku: o for o in existing}
    sku_of = {(o.product_id, o.condition): o.sku for o in existing}
    results: list[LineResult] = []
    created: dict[str, OfferDraft] = {}
    changed: dict[str, OfferDraft] = {}
    for number, line in enumerate(lines, start=1):
        sku = (line.sku or "").strip()
        try:
            product = by_id.get(line.product_id) if line.product_id is not None else \
                by_gtin.get((line.gtin or "").strip())
            if product is None:
                raise NotFound("no product with this id or GTIN", reason=Refusal.UNKNOWN_PRODUCT,
                               field="gtin" if line.product_id is None else "product_id")
            offer = by_sku.get(sku)
            values = _checked_offer(
                seller, product, sku, offer,
                lambda condition, product=product, sku=sku: sku_of.get((product.id, condition), sku) != sku,
                price=line.price, stock=line.stock, origin_price=line.origin_price, condition=line.condition,
                lead_time_days=line.lead_time_days if line.lead_time_days is not None or offer is None
                else offer.lead_time_days,
                fulfillment=line.fulfillment if line.fulfillment is not None else
                offer.fulfillment if offer is not None else (
                    Fulfillment.OPERATOR if seller.is_operator else Fulfillment.SELLER),
                state=line.state,
                max_per_order=offer.max_per_order if offer is not None else 10,
                currency=offer.currency if offer is not None else "EUR",
                comment=offer.comment if offer is not None else "",
                confirmed=line.confirmed,
            )
        except DomainError as error:
            results.append(LineResult(number, sku, None, error))
            continue
        if offer is None:
            offer = created[sku] = by_sku[sku] = OfferDraft(None, seller.id, product.id, sku, **values)
            results.append(LineResult(number, sku, offer, created=True))
        else:
            sku_of.pop((offer.product_id, offer.condition), None)
            for name, value in values.items():
                setattr(offer, name, value)
            if offer.id is not None:
                changed[sku] = offer
            results.append(LineResult(number, sku, offer))
        sku_of[(product.id, offer.condition)] = sku
    _write_drafts(session, list(created.values()), list(changed.values()))
    touched = [*created.values(), *changed.values()]
    if touched:
        webhooks.record_events(session, [
            webhooks.NewEvent("offer.updated", seller.id, lambda offer=offer: webhooks.offer_data(offer))
            for offer in touched
        ])
        from . import listing

        listing.refresh(session, sorted({offer.product_id for offer in touched}))
    return results


def _write_drafts(session: Session, new: list[OfferDraft], changed: list[OfferDraft]) -> None:
    """One INSERT for the new offers (their ids then read back onto the drafts) and one UPDATE by
    primary key (executemany) for the changed ones (all of one seller). The session's loaded offers are expired, so
    that a caller holding one reads the new values."""
    now = utcnow()
    if new:
        rows = [{"seller_id": d.seller_id, "product_id": d.product_id, "sku": d.sku, "updated_at": now,
                 **{name: getattr(d, name) for name in _VALUE_FIELDS}} for d in new]
        # Inserted without RETURNING (COPY on PostgreSQL), then the ids read back by SKU.
        insert_rows(session, Offer.__table__, rows)
        by_sku = {d.sku: d for d in new}
        for offer_id, sku in session.execute(select(Offer.id, Offer.sku).where(
                Offer.seller_id == new[0].seller_id, among(session, Offer.sku, by_sku))):
            by_sku[sku].id = offer_id
    if changed:
        table = Offer.__table__
        session.execute(  # Core executemany (a pipeline on PostgreSQL), no ORM bookkeeping per row
            update(table).where(table.c.id == bindparam("offer_id")),
            [{"offer_id": d.id, "updated_at": now, **{name: getattr(d, name) for name in _VALUE_FIELDS}}
             for d in changed])
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Offer):
                session.expire(obj)


@atomic
def deactivate_offers(session: Session, seller: Seller, *, skus: Sequence[str] = (),
                      ids: Sequence[int] = ()) -> tuple[set[str], list[OfferDraft]]:
    """Take the seller's offers with these SKUs (or ids) off sale, as an import's ``delete``
    rows and REPLACE do: one query to find them, one UPDATE, webhook events and one listing
    refresh for the ones that were on sale. Returns the SKUs found and the offers changed."""
    wanted = {(sku or "").strip() for sku in skus} - {""}
    if not wanted and not ids:
        return set(), []
    found = offer_drafts(session, seller.id, or_(among(session, Offer.sku, wanted), among(session, Offer.id, ids)))
    changed = [offer for offer in found if offer.state != OfferState.INACTIVE]
    for offer in changed:
        offer.state = OfferState.INACTIVE
    if changed:
        _write_drafts(session, [], changed)
        webhooks.record_events(session, [
            webhooks.NewEvent("offer.updated", seller.id, lambda offer=offer: webhooks.offer_data(offer))
            for offer in changed
        ])
        from . import listing

        listing.refresh(session, sorted({offer.product_id for offer in changed}))
    return {offer.sku for offer in found}, changed


@atomic
def set_stock(session: Session, offer: Offer, stock: int) -> Offer:
    offer.stock = _count(stock, "stock")
    session.flush()
    return offer


@atomic
def deactivate_offer(session: Session, offer: Offer) -> Offer:
    offer.state = OfferState.INACTIVE
    session.flush()
    return offer


def offers_for(session: Session, product: Product) -> list[Offer]:
    """The product's active offers from open shops, with their sellers, in one query."""
    return list(
        session.scalars(
            select(Offer)
            .join(Offer.seller)
            .where(
                Offer.product_id == product.id,
                Offer.state == OfferState.ACTIVE,
                Seller.state == SellerState.OPEN,
            )
            .options(selectinload(Offer.seller))
            .order_by(Offer.price, Offer.id)
        )
    )


def _count(value: int, what: str, field: str | None = None) -> int:
    reason = {"reason": Refusal.OFFER_COUNT, "field": field} if field else {}
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{what} must be a whole number, not {value!r}", **reason)
    if value < 0:
        raise InvalidValue(f"{what} cannot be negative ({value})", **reason)
    return value


def _amount(value: int, what: str, field: str) -> int:
    try:
        return require_amount(value, what)
    except InvalidValue as error:
        raise InvalidValue(error.message, reason=Refusal.OFFER_AMOUNT, field=field) from None
