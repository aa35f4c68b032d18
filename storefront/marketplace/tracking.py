"""Tracking domain: carriers, tracking numbers and links, parcels and delivery.

:func:`ship` records a parcel of a seller order and :func:`mark_received` its delivery; both move
the order along its lifecycle (``orders.lifecycle``) and email the customer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import email_contexts, webhooks
from .errors import InvalidTransition, InvalidValue, NotAllowed, NotFound
from .models import (
    ActorRole,
    Carrier,
    LineState,
    Parcel,
    ParcelItem,
    SellerOrder,
    Shipment,
    ShipmentStatus,
    utcnow,
)
from .orders.checks import _check_version, _lines_of
from .orders.emails import _email_customer
from .orders.lifecycle import (
    ALLOWED_ACTORS,
    DELIVERED,
    ENDED,
    LIVE_LINE,
    S,
    _settle,
    shipped_quantities,
    ships_itself,
    to_ship,
    touch,
    transition,
)
from .refusals import Refusal
from .unit_of_work import atomic

TRACKING_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


@atomic
def create_carrier(session: Session, code: str, name: str, tracking_url_template: str = "") -> Carrier:
    code = (code or "").strip().upper()
    if not code or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise InvalidValue(f"carrier code {code!r} must be letters, digits, '-' or '_'")
    if tracking_url_template and (
        "{tracking}" not in tracking_url_template
        or not tracking_url_template.startswith("https://")
    ):
        raise InvalidValue("a tracking URL template is an https:// URL containing {tracking}")
    if session.scalar(select(Carrier.id).where(Carrier.code == code)) is not None:
        raise InvalidValue(f"carrier {code} already exists")
    carrier = Carrier(code=code, name=name.strip(), tracking_url_template=tracking_url_template)
    session.add(carrier)
    session.flush()
    return carrier


def get_carrier(session: Session, code: str) -> Carrier:
    carrier = session.scalar(select(Carrier).where(Carrier.code == code))
    if carrier is None:
        raise NotFound(f"unknown carrier {code!r}", reason=Refusal.CARRIER)
    return carrier


def carriers(session: Session) -> list[Carrier]:
    """The carriers a seller picks from when shipping, by name."""
    return list(session.scalars(select(Carrier).order_by(Carrier.name, Carrier.code)))


def clean_tracking_number(raw: str) -> str:
    """Normalise what a seller typed: upper case, no surrounding blanks. Spaces inside, control
    characters or anything but letters, digits and dashes are refused, not silently dropped."""
    value = (raw or "").strip().upper()
    if not TRACKING_NUMBER.match(value):
        raise InvalidValue(
            "a tracking number is 4 to 40 letters, digits or dashes, without spaces",
            reason=Refusal.TRACKING_NUMBER,
        )
    return value


def tracking_url(carrier: Carrier | None, tracking_number: str | None) -> str | None:
    """The carrier's tracking page for this parcel, or None when there is nothing to link."""
    if carrier is None or not tracking_number or not carrier.tracking_url_template:
        return None
    return carrier.tracking_url_template.replace("{tracking}", quote(tracking_number, safe=""))


@atomic
def mark_delivered(session: Session, shipment: Shipment, *, at: datetime | None = None) -> Shipment:
    if shipment.status != ShipmentStatus.SHIPPED:
        raise InvalidTransition(
            f"only a shipped parcel can be delivered (this one is {shipment.status})"
        )
    at = at or utcnow()
    if shipment.shipped_at and at < shipment.shipped_at:
        raise InvalidValue("a parcel cannot be delivered before it was shipped")
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = at
    for seller_order in {line.seller_order for line in shipment.lines}:
        touch(seller_order, at)
    session.flush()
    return shipment


# -- parcels of a seller order ------------------------------------------------------------------


@atomic
def ship(
    session: Session,
    seller_order: SellerOrder,
    *,
    carrier_code: str,
    tracking_number: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    shipped_on: date | None = None,
    quantities: Mapping[int, int] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Parcel:
    """Record a parcel handed to a carrier, and email the customer its tracking link.

    ``quantities`` (``{line_id: units}``) says what is in it; None means everything accepted and
    not shipped yet. An order may leave in several parcels: it becomes SHIPPED once every
    accepted unit is in one. A shipped order may get an extra parcel without units (a second
    box of the same item). ``shipped_on`` (today in the shop's timezone by default) cannot be in
    the future nor before the order.
    """
    actor_role = ActorRole(actor_role)
    _check_version(seller_order, expected_version)
    if seller_order.state not in (S.SHIPPING, S.SHIPPED):
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: only an accepted order ships",
            reason=Refusal.NOT_SHIPPABLE,
            state=seller_order.state.value,
        )
    if actor_role not in ALLOWED_ACTORS[S.SHIPPED]:
        raise NotAllowed(f"a {actor_role.lower()} cannot ship an order")
    if actor_role == ActorRole.SELLER and not ships_itself(seller_order):
        raise NotAllowed(
            "this order ships from the shop's warehouse, not from the seller", reason=Refusal.NOT_SHIPPER
        )
    carrier = get_carrier(session, (carrier_code or "").strip().upper())
    number = clean_tracking_number(tracking_number)
    clock = shop_clock.of(session)
    now = now or clock.now()
    today = clock.local_date(now)
    shipped_on = shipped_on or today
    if shipped_on > today:
        raise InvalidValue("the shipping date cannot be in the future", reason=Refusal.FUTURE_DATE)
    ordered_on = clock.local_date(seller_order.customer_order.created_at)
    if shipped_on < ordered_on:
        raise InvalidValue(
            "the shipping date cannot be before the order was placed", reason=Refusal.DATE_BEFORE_ORDER
        )
    if any(
        p.carrier_id == carrier.id and p.tracking_number == number for p in seller_order.parcels
    ):
        raise InvalidValue(
            f"parcel {number} is already recorded for this order", reason=Refusal.DUPLICATE_PARCEL
        )
    left = to_ship(seller_order)
    if seller_order.state == S.SHIPPED:
        if quantities and any(quantities.values()):
            raise InvalidValue("every unit of this order has shipped already", reason=Refusal.ALL_SHIPPED)
        wanted: dict[int, int] = {}
    elif quantities is None:
        wanted = left
    else:
        wanted = {}
        for line_id, quantity in quantities.items():
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
                raise InvalidValue(f"a quantity is a whole number, not {quantity!r}", reason=Refusal.QUANTITY)
            if quantity:
                wanted[line_id] = quantity
        lines = _lines_of(seller_order, wanted)
        for line in lines:
            if wanted[line.id] > left.get(line.id, 0):
                raise InvalidValue(
                    f"only {left.get(line.id, 0)} unit(s) of {line.title!r} are left to ship",
                    reason=Refusal.TOO_MANY,
                    title=line.title,
                    available=left.get(line.id, 0),
                )
    if seller_order.state == S.SHIPPING and not wanted:
        raise InvalidValue("put at least one unit in the parcel", reason=Refusal.NO_LINES)

    lines_by_id = {line.id: line for line in seller_order.lines}
    shipment_ids = {lines_by_id[i].shipment_id for i in wanted} or {
        line.shipment_id for line in seller_order.lines if line.state == LineState.ACCEPTED
    }
    parcel = Parcel(
        seller_order=seller_order,
        shipment_id=shipment_ids.pop() if len(shipment_ids) == 1 else None,
        carrier=carrier,
        tracking_number=number,
        shipped_on=shipped_on,
        actor_role=actor_role,
        actor_id=actor_id,
        created_at=now,
    )
    for line_id, quantity in wanted.items():
        parcel.items.append(ParcelItem(line=lines_by_id[line_id], quantity=quantity))
    session.add(parcel)
    session.flush()
    _mark_shipments_shipped(session, seller_order, parcel, now)
    _settle(session, seller_order, actor_role, actor_id, None, "", now)
    webhooks.record_event(
        session,
        "shipment.shipped",
        seller_order.seller_id,
        lambda: webhooks.parcel_data(parcel, carrier, tracking_url(carrier, number)),
        at=now,
    )
    _email_customer(
        session,
        seller_order.customer_order,
        "shipment_sent",
        email_contexts.shipment_sent(seller_order, parcel, carrier, tracking_url(carrier, number)),
    )
    return parcel


def _mark_shipments_shipped(
    session: Session, seller_order: SellerOrder, parcel: Parcel, now: datetime
) -> None:
    """Report a parcel on the checkout shipments it carries: the first parcel's carrier and
    tracking number (the order pages read them there), and SHIPPED once every live unit of the
    shipment is in a parcel."""
    shipment_ids = {item.line.shipment_id for item in parcel.items if item.line.shipment_id}
    for shipment in session.scalars(select(Shipment).where(Shipment.id.in_(shipment_ids))):
        if shipment.status != ShipmentStatus.PENDING:
            continue
        if shipment.tracking_number is None:
            shipment.carrier_id = parcel.carrier_id
            shipment.tracking_number = parcel.tracking_number
        waiting = 0
        for line in shipment.lines:
            if line.state in LIVE_LINE:
                waiting += line.quantity_live - shipped_quantities(line.seller_order).get(line.id, 0)
        if waiting == 0:
            shipment.status = ShipmentStatus.SHIPPED
            shipment.shipped_at = now
    session.flush()


@atomic
def mark_received(
    session: Session,
    seller_order: SellerOrder,
    *,
    actor_role: ActorRole,
    actor_id: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> SellerOrder:
    """The customer has the goods: every parcel and shipment of the order is delivered."""
    _check_version(seller_order, expected_version)
    at = at or utcnow()
    transition(
        session, seller_order, S.RECEIVED, actor_role=actor_role, actor_id=actor_id, at=at
    )
    for parcel in seller_order.parcels:
        if parcel.delivered_at is None:
            parcel.delivered_at = at
    shipment_ids = {line.shipment_id for line in seller_order.lines if line.shipment_id}
    for shipment in session.scalars(select(Shipment).where(Shipment.id.in_(shipment_ids))):
        if shipment.status == ShipmentStatus.SHIPPED and all(
            other.state in DELIVERED | ENDED
            for other in {line.seller_order for line in shipment.lines}
        ):
            mark_delivered(session, shipment, at=max(at, shipment.shipped_at or at))
    session.flush()
    return seller_order
