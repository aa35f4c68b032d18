"""What the seller portal shows and changes, always within one seller's data.

Every function takes the seller (or its id) explicitly: an order or offer of another seller is
NotFound, exactly like one that does not exist, so the portal cannot give away what others sell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import catalog, discussions, listing, orders, search
from .api_clients import acting_user
from .errors import InvalidValue, NotAllowed, NotFound
from .models import (
    Condition,
    Offer,
    OrderLine,
    Product,
    Seller,
    SellerOrder,
    SellerOrderState,
    Shipment,
    Thread,
    User,
)
from .paging import Page
from .refusals import Refusal
from .unit_of_work import atomic

S = SellerOrderState
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Dashboard:
    to_accept: list[SellerOrder]  # waiting for acceptance, the closest deadline first
    to_ship: list[SellerOrder]  # accepted, the earliest ship-by day first
    late: list[SellerOrder]  # accepted and past their ship-by day
    unanswered: list[Thread]  # open threads whose last message is not the seller's
    counts: dict[str, int]  # seller orders by state
    unread: int


def seller_order_for(session: Session, seller_id: int, number: str) -> SellerOrder:
    """One of the seller's orders by number; another seller's is NotFound."""
    order = session.scalar(
        select(SellerOrder)
        .where(SellerOrder.number == orders.clean_number(number), SellerOrder.seller_id == seller_id)
        .options(
            joinedload(SellerOrder.customer_order),
            selectinload(SellerOrder.lines).joinedload(OrderLine.shipment),
            selectinload(SellerOrder.transitions),
        )
    )
    if order is None:
        raise NotFound(f"no order {number!r}")
    return order


def dashboard(session: Session, user: User, *, now: datetime | None = None, limit: int = 10) -> Dashboard:
    seller_id = user.seller_id
    today = orders.today_in_shop(session, now)
    to_accept = session.scalars(
        select(SellerOrder)
        .where(SellerOrder.seller_id == seller_id, SellerOrder.state == S.WAITING_ACCEPTANCE)
        .options(joinedload(SellerOrder.customer_order), selectinload(SellerOrder.lines))
        .order_by(SellerOrder.acceptance_deadline.is_(None), SellerOrder.acceptance_deadline,
                  SellerOrder.id)
        .limit(limit)
    ).all()
    # Accepted orders by the day they must leave (their earliest shipment's), in SQL: a big
    # seller has thousands of them.
    due = (
        select(OrderLine.seller_order_id, func.min(Shipment.ship_by).label("ship_by"))
        .join(Shipment, Shipment.id == OrderLine.shipment_id)
        .group_by(OrderLine.seller_order_id)
        .subquery()
    )
    shipping = (
        select(SellerOrder)
        .outerjoin(due, due.c.seller_order_id == SellerOrder.id)
        .where(SellerOrder.seller_id == seller_id, SellerOrder.state == S.SHIPPING)
        .options(
            joinedload(SellerOrder.customer_order),
            selectinload(SellerOrder.lines).joinedload(OrderLine.shipment),
        )
        .order_by(due.c.ship_by.is_(None), due.c.ship_by, SellerOrder.id)
        .limit(limit)
    )
    to_ship = session.scalars(shipping).all()
    late = session.scalars(shipping.where(due.c.ship_by < today)).all()
    counts = dict(
        session.execute(
            select(SellerOrder.state, func.count(SellerOrder.id))
            .where(SellerOrder.seller_id == seller_id)
            .group_by(SellerOrder.state)
        ).all()
    )
    return Dashboard(
        to_accept=list(to_accept),
        to_ship=list(to_ship),
        late=list(late),
        unanswered=discussions.awaiting_reply(session, user, limit=limit),
        counts={state.value: counts.get(state, 0) for state in S},
        unread=discussions.unread_total(session, user),
    )


# -- offers -------------------------------------------------------------------------------------


class OfferPage(Page[Offer]):
    """A seller's offers matching the portal's search, one page of them."""


def offers_of(
    session: Session, seller_id: int, *, search: str = "", page: int = 1, per_page: int = 25
) -> OfferPage:
    """The seller's offers by product title, filtered by SKU or title."""
    query = select(Offer).join(Product, Product.id == Offer.product_id).where(Offer.seller_id == seller_id)
    search = "".join(ch for ch in (search or "") if ch.isprintable()).strip()[:100]
    if search:
        # What the seller typed is matched literally: % and _ are not wildcards here.
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            Offer.sku.ilike(pattern, escape="\\") | Product.title.ilike(pattern, escape="\\")
        )
    total = session.scalar(query.with_only_columns(func.count(Offer.id)))
    page = max(page, 1)
    items = session.scalars(
        query.options(joinedload(Offer.product))
        .order_by(Product.title, Offer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OfferPage(list(items), total or 0, page, per_page)


def offer_for(session: Session, seller_id: int, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id) if 0 < offer_id <= MAX_ID else None
    if offer is None or offer.seller_id != seller_id:
        raise NotFound(f"no offer {offer_id}")
    return offer


@atomic
def update_offer(
    session: Session,
    seller: Seller,
    offer_id: int,
    *,
    price: int,
    origin_price: int | None,
    stock: int,
    lead_time_days: int,
    confirmed: bool = False,
) -> Offer:
    """Change what a seller edits by hand: price, struck-through price, stock, lead time.

    Goes through ``catalog.upsert_offer`` (the same rules as an offer import), then refreshes the
    product's listing in the same transaction, so category pages and search agree at once. A
    price of 0 or a drop of more than half raises ``NeedsConfirmation`` and changes nothing
    until the seller confirms (``confirmed=True``; see ``price_changes``).
    """
    offer = offer_for(session, seller.id, offer_id)
    if origin_price is not None and origin_price == price:
        origin_price = None  # no strike-through for "was 10 €, now 10 €"
    if lead_time_days is not None and lead_time_days > 60:
        raise InvalidValue("a lead time is at most 60 days", reason=Refusal.LEAD_TIME)
    offer = catalog.upsert_offer(
        session,
        seller,
        offer.product,
        offer.sku,
        price=price,
        stock=stock,
        origin_price=origin_price,
        condition=offer.condition,
        lead_time_days=lead_time_days,
        fulfillment=offer.fulfillment,
        state=offer.state,
        max_per_order=offer.max_per_order,
        currency=offer.currency,
        comment=offer.comment,
        confirmed=confirmed,
    )
    listing.refresh(session, [offer.product_id])
    return offer


# --- Who may manage the seller's integrations ------------------------------------------------------


def is_seller_admin(session: Session, user: User) -> bool:
    """Whether ``user`` is its seller's admin, the one who manages API clients and webhooks
    (their secrets give a program the seller's whole account).

    Accounts have no per-person role yet: the admin is the account that opened the seller's
    space, i.e. its first active staff account, the same one API clients act as
    (``api_clients.acting_user``). Another staff account of the seller is not."""
    if user.seller_id is None:
        return False
    try:
        return acting_user(session, user.seller_id).id == user.id
    except NotAllowed:
        return False


# --- A new offer from the portal ---------------------------------------------------------------------


def find_product(session: Session, reference: str) -> Product:
    """The product a seller names by GTIN or by id (what the portal's form accepts); a product
    withdrawn from sale is unknown here."""
    text = "".join((reference or "").split())[:20]
    product = None
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        product = session.scalar(select(Product).where(Product.gtin == text))
    if product is None and text.isdigit() and 0 < int(text) <= MAX_ID:
        product = session.get(Product, int(text))
    if product is None or not product.active:
        raise NotFound(f"no product {text!r}", reason=Refusal.UNKNOWN_PRODUCT, field="product")
    return product


def product_matches(session: Session, query: str, *, limit: int = 10) -> list[Product]:
    """Products on sale whose title (or brand, GTIN) starts words with ``query``, for the
    portal's "find the product" search."""
    ids = [product_id for product_id, _, _ in search.suggest(session, query, limit=limit)]
    if not ids:
        return []
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


@atomic
def add_offer(
    session: Session,
    seller: Seller,
    product_reference: str,
    *,
    price: int,
    stock: int,
    condition: str,
    lead_time_days: int | None,
) -> Offer:
    """A new offer of ``seller`` for the product named by GTIN or id, through
    ``catalog.bulk_upsert_offers`` with one line (what the API's ``POST /offers`` does, so the
    same rules apply: bounds, conditions, one offer per product and condition, listing refresh,
    the ``offer.updated`` event). Its SKU is made from the GTIN and the condition."""
    product = find_product(session, product_reference)
    try:
        condition = Condition(condition)
    except ValueError:
        raise InvalidValue(f"unknown condition {condition!r}", field="condition") from None
    used = set(session.scalars(select(Offer.sku).where(
        Offer.seller_id == seller.id, Offer.sku.startswith(f"{product.gtin}-", autoescape=True))))
    sku = f"{product.gtin}-{condition.value}"
    number = 1
    while sku in used:  # a SKU the seller gave another offer by hand: never overwrite it
        number += 1
        sku = f"{product.gtin}-{condition.value}-{number}"
    line = catalog.OfferLine(sku=sku, price=price, stock=stock, product_id=product.id,
                             lead_time_days=lead_time_days, condition=condition)
    result = catalog.bulk_upsert_offers(session, seller, [line])[0]
    if result.error is not None:
        error = result.error
        if isinstance(error, InvalidValue) and error.details.get("field") == "condition" and not error.details.get("reason"):
            # The service's "already has an offer in this condition", in the portal's words.
            raise InvalidValue(error.message, reason=Refusal.DUPLICATE_OFFER, field="condition")
        raise error
    return result.offer
