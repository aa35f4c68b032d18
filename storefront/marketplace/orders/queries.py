"""Read models: finding seller orders, their deadlines, and the order page of the seller portal
and the back office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from .. import clock as shop_clock
from .. import discussions, tracking
from ..errors import NotFound
from ..models import (
    ActorRole,
    Cancellation,
    Carrier,
    CustomerOrder,
    OrderLine,
    Parcel,
    ReasonCode,
    ReasonType,
    Refund,
    Role,
    SellerOrder,
    SellerOrderState,
    Shipment,
    ShipmentStatus,
    Thread,
    User,
)
from ..paging import Page
from .balance import Amounts, amounts
from .cancellations import cancellations_of
from .lifecycle import (
    OrderAction,
    S,
    available_actions,
    cancellable,
    shipped_quantities,
    ships_itself,
    to_ship,
)
from .numbers import clean_number
from .reasons import reason_codes
from .refunds import refunds_of


def get_seller_order(session: Session, number: str) -> SellerOrder:
    """The order with what every page and the API read of it (its customer order, seller, lines
    with their shipments, parcels) in three queries, instead of one lazy load each."""
    order = session.scalar(
        select(SellerOrder)
        .where(SellerOrder.number == clean_number(number))
        .options(*_whole_order())
    )
    if order is None:
        raise NotFound(f"unknown order {number!r}")
    return order


def _whole_order():
    return (
        joinedload(SellerOrder.customer_order),
        joinedload(SellerOrder.seller),
        selectinload(SellerOrder.lines).joinedload(OrderLine.shipment).joinedload(Shipment.mode),
        selectinload(SellerOrder.parcels).selectinload(Parcel.items),
    )


class OrderPage(Page[SellerOrder]):
    """Seller orders matching a search, one page of them."""


def search_seller_orders(
    session: Session,
    *,
    seller_id: int | None = None,
    state: SellerOrderState | None = None,
    number: str = "",
    late_on: date | None = None,
    placed_from: datetime | None = None,
    placed_before: datetime | None = None,
    page: int = 1,
    per_page: int = 25,
) -> OrderPage:
    """Seller orders, newest first: one seller's (the portal) or everyone's (the operator).

    ``number`` matches the start of the seller or customer order number; ``late_on`` keeps the
    accepted orders that should have shipped before that day; ``placed_from`` and
    ``placed_before`` bound when they were placed (the back office's home links here).
    """
    query = select(SellerOrder)
    if seller_id is not None:
        query = query.where(SellerOrder.seller_id == seller_id)
    if state is not None:
        query = query.where(SellerOrder.state == SellerOrderState(state))
    number = clean_number(number)
    if number:
        query = query.where(SellerOrder.number.startswith(number, autoescape=True))
    if late_on is not None:
        query = query.where(SellerOrder.state == S.SHIPPING, _late(late_on))
    if placed_from is not None:
        query = query.where(SellerOrder.created_at >= placed_from)
    if placed_before is not None:
        query = query.where(SellerOrder.created_at < placed_before)
    total = session.scalar(query.with_only_columns(func.count(SellerOrder.id)).order_by(None))
    page = max(page, 1)
    items = session.scalars(
        query.options(
            joinedload(SellerOrder.customer_order),
            joinedload(SellerOrder.seller),
            selectinload(SellerOrder.lines).joinedload(OrderLine.shipment).joinedload(Shipment.mode),
        )
        .order_by(SellerOrder.created_at.desc(), SellerOrder.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OrderPage(list(items), total or 0, page, per_page)


def _late(today: date):
    """An accepted order is late when one of its shipments should have left before today."""
    return SellerOrder.id.in_(
        select(OrderLine.seller_order_id)
        .join(Shipment, Shipment.id == OrderLine.shipment_id)
        .where(Shipment.ship_by < today, Shipment.status == ShipmentStatus.PENDING)
    )


def ship_by(seller_order: SellerOrder) -> date | None:
    """The day the order must leave by (its earliest shipment's), if it has shipments."""
    days = [line.shipment.ship_by for line in seller_order.lines if line.shipment is not None]
    return min(days) if days else None


def today_in_shop(session: Session, now: datetime | None = None) -> date:
    """The shop's date at ``now`` (by default, now on the shop's clock)."""
    clock = shop_clock.of(session)
    return clock.local_date(now or clock.now())


# -- deadlines and the order page ---------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """What is due next on an order, and by when."""

    action: OrderAction  # ACCEPT or SHIP
    by: datetime | date  # the acceptance deadline (a moment), or the day to ship by


def deadline(seller_order: SellerOrder) -> Deadline | None:
    """The acceptance deadline while the order waits for it, the ship-by day once accepted."""
    if seller_order.state == S.WAITING_ACCEPTANCE and seller_order.acceptance_deadline:
        return Deadline(OrderAction.ACCEPT, seller_order.acceptance_deadline)
    day = ship_by(seller_order) if seller_order.state == S.SHIPPING else None
    return Deadline(OrderAction.SHIP, day) if day else None


@dataclass(frozen=True)
class OrderDetail:
    """One seller order as the seller portal and the back office show it, with what the viewer
    may do now (``actions``) and the choices its forms offer."""

    seller_order: SellerOrder
    role: ActorRole
    actions: tuple[OrderAction, ...]
    warehouse_ships: bool  # a parcel is due, but the shop's warehouse records it, not the viewer
    deadline: Deadline | None
    today: date
    money: Amounts
    to_ship: dict[int, int]
    cancellable: dict[int, int]
    shipped: dict[int, int]
    refunds: list[Refund]
    cancellations: list[Cancellation]
    threads: list[Thread]
    reasons: dict[ReasonType, list[ReasonCode]]  # the reasons the viewer may give, per type
    carriers: list[Carrier]


FORM_REASONS = (ReasonType.REFUSAL, ReasonType.CANCELATION, ReasonType.REFUND)


def order_detail(
    session: Session,
    seller_order: SellerOrder,
    viewer: User,
    *,
    offered: frozenset[OrderAction] | None = None,
    now: datetime | None = None,
) -> OrderDetail:
    """The order page of ``viewer``: customer service, or the seller of the order (anyone else
    gets NotFound, as for an order that does not exist). ``offered`` is what the page has
    buttons for: ``actions`` keeps only those."""
    role = _viewer_role(seller_order, viewer)
    return order_detail_for_role(
        session, seller_order, role, offered=offered, now=now,
        threads=discussions.threads_about(session, seller_order, viewer),
    )


def order_detail_for_role(
    session: Session,
    seller_order: SellerOrder,
    role: ActorRole,
    *,
    offered: frozenset[OrderAction] | None = None,
    now: datetime | None = None,
    threads: list[Thread] | None = None,
    form_choices: bool = True,
) -> OrderDetail:
    """The order as ``role`` (SELLER, the order's own: the caller checked; or OPERATOR) sees it,
    for callers without a user account (API clients); threads are the discussions domain's.
    Without ``form_choices`` (the API: it has no forms) the reasons and carriers are not read."""
    actions = available_actions(seller_order, role)
    refunds = refunds_of(session, seller_order)
    cancellations = cancellations_of(session, seller_order)
    if offered is not None:
        actions = tuple(action for action in actions if action in offered)
    parcel_due = {OrderAction.SHIP, OrderAction.ADD_PARCEL}
    return OrderDetail(
        seller_order=seller_order,
        role=role,
        actions=actions,
        warehouse_ships=(
            role == ActorRole.SELLER
            and not ships_itself(seller_order)
            and bool(parcel_due & set(available_actions(seller_order, ActorRole.OPERATOR)))
        ),
        deadline=deadline(seller_order),
        today=today_in_shop(session, now),
        money=amounts(session, seller_order, cancellations=cancellations, refunds=refunds),
        to_ship=to_ship(seller_order),
        cancellable=cancellable(seller_order),
        shipped=shipped_quantities(seller_order),
        refunds=refunds,
        cancellations=cancellations,
        threads=threads or [],
        reasons={type_: reason_codes(session, type_, role) for type_ in FORM_REASONS} if form_choices else {},
        carriers=tracking.carriers(session) if form_choices else [],
    )


def _viewer_role(seller_order: SellerOrder, viewer: User) -> ActorRole:
    if viewer.role == Role.OPERATOR:
        return ActorRole.OPERATOR
    if viewer.role == Role.SELLER and viewer.seller_id == seller_order.seller_id:
        return ActorRole.SELLER
    raise NotFound(f"no order {seller_order.number!r}")


def list_seller_orders(
    session: Session,
    *,
    seller_id: int | None = None,
    state: SellerOrderState | None = None,
    created_since: datetime | None = None,
    updated_since: datetime | None = None,
    customer_order_number: str = "",
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[SellerOrder]:
    """Seller orders newest first by (created_at, id), for keyset pagination (the API): the page
    after ``after``, whose lines, shipments and customer order come in the same few queries."""
    query = select(SellerOrder)
    if seller_id is not None:
        query = query.where(SellerOrder.seller_id == seller_id)
    if state is not None:
        query = query.where(SellerOrder.state == SellerOrderState(state))
    if created_since is not None:
        query = query.where(SellerOrder.created_at >= created_since)
    if updated_since is not None:
        query = query.where(
            func.coalesce(SellerOrder.updated_at, SellerOrder.created_at) >= updated_since
        )
    number = clean_number(customer_order_number)
    if number:
        query = query.join(SellerOrder.customer_order).where(CustomerOrder.number == number)
    if after is not None:
        created_at, order_id = after
        # The first condition is implied by the second; it is what an index on created_at can
        # seek to (the OR alone is only a filter: a deep page would read every newer row first).
        query = query.where(
            SellerOrder.created_at <= created_at,
            (SellerOrder.created_at < created_at)
            | ((SellerOrder.created_at == created_at) & (SellerOrder.id < order_id)),
        )
    return list(
        session.scalars(
            query.options(
                joinedload(SellerOrder.customer_order),
                joinedload(SellerOrder.seller),
                selectinload(SellerOrder.lines).joinedload(OrderLine.shipment).joinedload(Shipment.mode),
            )
            .order_by(SellerOrder.created_at.desc(), SellerOrder.id.desc())
            .limit(limit)
        )
    )
