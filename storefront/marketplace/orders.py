"""Orders domain: the seller-order lifecycle, reason codes, and the status a customer sees.

Lifecycle (design):

    WAITING_ACCEPTANCE --accept--> SHIPPING --ship--> SHIPPED --deliver--> RECEIVED --> CLOSED
            |                          |
            +--refuse--> REFUSED        +--cancel (reason)--> CANCELED
            +--deadline passed--> CANCELED (auto, reason ACCEPTANCE_TIMEOUT)

Acceptance per line (:func:`decide`, :func:`accept`, :func:`refuse`), cancellations
(:func:`cancel_lines`, :func:`cancel_order`, :func:`cancel_overdue` for the deadline job), parcels
(:func:`ship`), delivery (:func:`mark_received`, :func:`close`) and refunds (:func:`refund`) build
on :func:`transition`, so every change of state is checked against this table and recorded with
who made it and why. Each of them writes the customer's email (shipment sent, lines cancelled,
refund issued) to the outbox in the same transaction.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from storefront.notifications.outbox import enqueue_email
from storefront.settings import LOCALES

from . import clock as shop_clock
from . import listing, tracking
from .errors import Conflict, InvalidTransition, InvalidValue, NotAllowed, NotFound
from .models import (
    ActorRole,
    Cancellation,
    CustomerOrder,
    LineState,
    Offer,
    OrderLine,
    OrderTransition,
    Parcel,
    ParcelItem,
    ReasonCode,
    ReasonType,
    Refund,
    SellerOrder,
    SellerOrderState,
    Shipment,
    ShipmentStatus,
    utcnow,
)
from .money import require_amount
from .unit_of_work import atomic

S = SellerOrderState

TRANSITIONS: dict[SellerOrderState, frozenset[SellerOrderState]] = {
    S.WAITING_ACCEPTANCE: frozenset({S.SHIPPING, S.REFUSED, S.CANCELED}),
    S.SHIPPING: frozenset({S.SHIPPED, S.TO_COLLECT, S.CANCELED}),
    S.SHIPPED: frozenset({S.RECEIVED}),
    S.TO_COLLECT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REFUSED: frozenset(),
    S.CANCELED: frozenset(),
}

# Who may move an order into each state; the system (scheduler) may do anything the table allows.
ALLOWED_ACTORS: dict[SellerOrderState, frozenset[ActorRole]] = {
    S.SHIPPING: frozenset({ActorRole.SELLER, ActorRole.OPERATOR}),
    S.REFUSED: frozenset({ActorRole.SELLER, ActorRole.OPERATOR}),
    S.CANCELED: frozenset({ActorRole.SELLER, ActorRole.OPERATOR, ActorRole.CUSTOMER}),
    S.SHIPPED: frozenset({ActorRole.SELLER, ActorRole.OPERATOR}),
    S.TO_COLLECT: frozenset({ActorRole.SELLER, ActorRole.OPERATOR}),
    S.RECEIVED: frozenset({ActorRole.CUSTOMER, ActorRole.OPERATOR, ActorRole.SELLER}),
    S.CLOSED: frozenset({ActorRole.OPERATOR}),
}

# A cancellation needs a reason of type CANCELATION, a refusal one of type REFUSAL.
REASON_NEEDED: dict[SellerOrderState, ReasonType] = {
    S.CANCELED: ReasonType.CANCELATION,
    S.REFUSED: ReasonType.REFUSAL,
}


def can_transition(current: SellerOrderState, target: SellerOrderState) -> bool:
    return SellerOrderState(target) in TRANSITIONS[SellerOrderState(current)]


@atomic
def transition(
    session: Session,
    seller_order: SellerOrder,
    target: SellerOrderState,
    *,
    actor_role: ActorRole,
    actor_id: int | None = None,
    reason: ReasonCode | None = None,
    note: str = "",
    at: datetime | None = None,
) -> OrderTransition:
    """Move ``seller_order`` to ``target`` if the lifecycle and the actor allow it, and record it.

    Refused moves raise and change nothing. The seller order carries a version number, so two
    tabs racing on the same order cannot both apply a transition (the second gets a Conflict).
    """
    target, actor_role = SellerOrderState(target), ActorRole(actor_role)
    current = seller_order.state
    if not can_transition(current, target):
        raise InvalidTransition(
            f"order {seller_order.number} is {current}; it cannot become {target}",
            current=current,
            target=target,
        )
    if actor_role != ActorRole.SYSTEM and actor_role not in ALLOWED_ACTORS[target]:
        raise NotAllowed(f"a {actor_role.lower()} cannot move an order to {target}")
    needed = REASON_NEEDED.get(target)
    if needed is not None:
        if reason is None:
            raise InvalidValue(f"moving an order to {target} needs a reason")
        _check_reason(reason, needed, actor_role)
    at = at or utcnow()
    record = OrderTransition(
        seller_order=seller_order,
        from_state=current.value,
        to_state=target.value,
        actor_role=actor_role,
        actor_id=actor_id,
        reason_code_id=reason.id if reason else None,
        note=note.strip(),
        at=at,
    )
    seller_order.state = target
    seller_order.updated_at = at
    session.add(record)
    session.flush()
    return record


# -- reason codes -------------------------------------------------------------------------------


@atomic
def create_reason_code(
    session: Session,
    code: str,
    type: ReasonType,
    label: str,
    *,
    label_en: str = "",
    customer_allowed: bool = False,
    seller_allowed: bool = False,
    operator_allowed: bool = True,
    position: int = 0,
) -> ReasonCode:
    code = (code or "").strip().upper()
    if not code or not all(ch.isalnum() or ch == "_" for ch in code):
        raise InvalidValue(f"reason code {code!r} must be letters, digits or '_'")
    try:
        type = ReasonType(type)
    except ValueError:
        raise InvalidValue(f"unknown reason type {type!r}") from None
    if not label.strip():
        raise InvalidValue("a reason code needs a label")
    exists = session.scalar(
        select(ReasonCode.id).where(ReasonCode.type == type, ReasonCode.code == code)
    )
    if exists is not None:
        raise InvalidValue(f"reason {type}/{code} already exists")
    reason = ReasonCode(
        code=code,
        type=type,
        label=label.strip(),
        label_en=label_en.strip(),
        customer_allowed=customer_allowed,
        seller_allowed=seller_allowed,
        operator_allowed=operator_allowed,
        position=position,
    )
    session.add(reason)
    session.flush()
    return reason


def reason_codes(session: Session, type: ReasonType, role: ActorRole) -> list[ReasonCode]:
    """The reasons of ``type`` that ``role`` may pick, in the operator's order."""
    reasons = session.scalars(
        select(ReasonCode)
        .where(ReasonCode.type == ReasonType(type))
        .order_by(ReasonCode.position, ReasonCode.code)
    )
    return [reason for reason in reasons if reason.allows(role)]


def get_reason(session: Session, type: ReasonType, code: str, role: ActorRole) -> ReasonCode:
    reason = session.scalar(
        select(ReasonCode).where(ReasonCode.type == ReasonType(type), ReasonCode.code == code)
    )
    if reason is None:
        raise NotFound(f"unknown {ReasonType(type).lower()} reason {code!r}", reason="reason_code")
    _check_reason(reason, ReasonType(type), ActorRole(role))
    return reason


def _check_reason(reason: ReasonCode, type: ReasonType, role: ActorRole) -> None:
    if reason.type != type:
        raise InvalidValue(
            f"reason {reason.code} is a {reason.type} reason, not a {type} one", reason="reason_code"
        )
    if not reason.allows(role):
        raise NotAllowed(
            f"reason {reason.code} is not available to a {role.lower()}", reason="reason_code"
        )


# -- what the customer sees ---------------------------------------------------------------------

ENDED = frozenset({S.REFUSED, S.CANCELED})
DELIVERED = frozenset({S.RECEIVED, S.CLOSED})
ON_ITS_WAY = frozenset({S.SHIPPED, S.TO_COLLECT}) | DELIVERED


def customer_status(states: Iterable[SellerOrderState]) -> str:
    """The one status shown for a customer order, derived from its seller orders.

    CANCELED when nothing is left; WAITING_ACCEPTANCE while any seller has yet to accept;
    RECEIVED when everything left has arrived; SHIPPED when everything left has left;
    PARTIALLY_SHIPPED when some has; SHIPPING (being prepared) otherwise.
    """
    states = [SellerOrderState(s) for s in states]
    live = [s for s in states if s not in ENDED]
    if not live:
        return "CANCELED"
    if any(s == S.WAITING_ACCEPTANCE for s in live):
        return "WAITING_ACCEPTANCE"
    if all(s in DELIVERED for s in live):
        return "RECEIVED"
    if all(s in ON_ITS_WAY for s in live):
        return "SHIPPED"
    if any(s in ON_ITS_WAY for s in live):
        return "PARTIALLY_SHIPPED"
    return "SHIPPING"


# Crockford's alphabet: no I, L, O or U, so a number read over the phone is not misheard.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_order_number(now: datetime | None = None) -> str:
    """``SF-261127-7K3QX``: the date for humans, five random characters for uniqueness."""
    now = now or utcnow()
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(5))
    return f"SF-{now:%y%m%d}-{suffix}"


def clean_number(raw: str | None) -> str:
    """An order number as typed or taken from a URL: letters, digits and dashes only (anything
    else cannot be in a number, and a NUL byte would even be refused by PostgreSQL)."""
    return "".join(
        ch for ch in (raw or "").strip().upper() if ch.isascii() and (ch.isalnum() or ch == "-")
    )[:24]


def get_seller_order(session: Session, number: str) -> SellerOrder:
    order = session.scalar(select(SellerOrder).where(SellerOrder.number == clean_number(number)))
    if order is None:
        raise NotFound(f"unknown order {number!r}")
    return order


# -- running a seller order: acceptance, cancellations, shipping, refunds -----------------------
#
# Every service below takes the seller order as the page showed it and, optionally, the version
# the page showed (``expected_version``): a form posted from a tab that is out of date is refused
# with a Conflict instead of acting on an order that has changed since. Every one of them also
# touches the order row, so two requests racing on the same order cannot both commit (the version
# column; see ``transition``). The customer's emails go to the outbox in the same transaction.

LIVE_LINE = LineState.WAITING_ACCEPTANCE, LineState.ACCEPTED
BEFORE_SHIPMENT = frozenset({S.WAITING_ACCEPTANCE, S.SHIPPING})
AFTER_SHIPMENT = frozenset({S.SHIPPED, S.TO_COLLECT, S.RECEIVED})
MAX_NOTE_LENGTH = 1_000


@dataclass(frozen=True)
class Amounts:
    """Money of one seller order, in cents: what was paid and what went back to the customer."""

    currency: str
    goods: int  # the lines, as ordered
    shipping: int  # this order's share of the shipping fees paid
    canceled: int  # goods cancelled or refused before shipment
    shipping_returned: int  # the shipping share, given back when nothing is left to ship
    refunded: int  # goods refunded after shipment
    refunded_shipping: int

    @property
    def paid(self) -> int:
        return self.goods + self.shipping

    @property
    def refundable_goods(self) -> int:
        return max(self.goods - self.canceled - self.refunded, 0)

    @property
    def refundable_shipping(self) -> int:
        return max(self.shipping - self.shipping_returned - self.refunded_shipping, 0)

    @property
    def returned(self) -> int:
        """Everything given back so far."""
        return self.canceled + self.shipping_returned + self.refunded + self.refunded_shipping


def amounts(session: Session, seller_order: SellerOrder) -> Amounts:
    canceled = session.scalar(
        select(func.coalesce(func.sum(Cancellation.amount), 0))
        .join(OrderLine, Cancellation.order_line_id == OrderLine.id)
        .where(OrderLine.seller_order_id == seller_order.id)
    )
    refunded, refunded_shipping = session.execute(
        select(
            func.coalesce(func.sum(Refund.amount), 0),
            func.coalesce(func.sum(Refund.shipping_amount), 0),
        ).where(Refund.seller_order_id == seller_order.id)
    ).one()
    shipping = shipping_share(session, seller_order)
    return Amounts(
        currency=seller_order.customer_order.currency,
        goods=sum(line.unit_price * line.quantity for line in seller_order.lines),
        shipping=shipping,
        canceled=canceled,
        shipping_returned=shipping if seller_order.state in ENDED else 0,
        refunded=refunded,
        refunded_shipping=refunded_shipping,
    )


def shipping_share(session: Session, seller_order: SellerOrder) -> int:
    """This seller order's part of the shipping fees of its shipments.

    A shipment from the shop's warehouse may carry the lines of several sellers: its fee is split
    in proportion to the value of each seller's lines in it, the rounding cents going to the
    first seller order, so that the shares add up to the fee exactly.
    """
    shipment_ids = {line.shipment_id for line in seller_order.lines if line.shipment_id}
    if not shipment_ids:
        return 0
    share = 0
    for shipment in session.scalars(select(Shipment).where(Shipment.id.in_(shipment_ids))):
        if not shipment.fee:
            continue
        values: dict[int, int] = {}
        for line in shipment.lines:
            values[line.seller_order_id] = (
                values.get(line.seller_order_id, 0) + line.unit_price * line.quantity
            )
        total = sum(values.values())
        if total == 0:
            parts = {sid: 0 for sid in values}
            parts[min(values)] = shipment.fee
        else:
            parts = {sid: shipment.fee * value // total for sid, value in values.items()}
            parts[min(values)] += shipment.fee - sum(parts.values())
        share += parts.get(seller_order.id, 0)
    return share


def shipped_quantities(seller_order: SellerOrder) -> dict[int, int]:
    """Units of each line already handed to a carrier."""
    shipped = {line.id: 0 for line in seller_order.lines}
    for parcel in seller_order.parcels:
        for item in parcel.items:
            shipped[item.order_line_id] = shipped.get(item.order_line_id, 0) + item.quantity
    return shipped


def to_ship(seller_order: SellerOrder) -> dict[int, int]:
    """Units of each accepted line still waiting for a parcel (lines with none left omitted)."""
    shipped = shipped_quantities(seller_order)
    left = {
        line.id: line.quantity_live - shipped[line.id]
        for line in seller_order.lines
        if line.state == LineState.ACCEPTED
    }
    return {line_id: quantity for line_id, quantity in left.items() if quantity > 0}


def cancellable(seller_order: SellerOrder) -> dict[int, int]:
    """Units of each line that may still be cancelled (live, not shipped)."""
    if seller_order.state not in BEFORE_SHIPMENT:
        return {}
    shipped = shipped_quantities(seller_order)
    left = {
        line.id: line.quantity_live - shipped[line.id]
        for line in seller_order.lines
        if line.state in LIVE_LINE
    }
    return {line_id: quantity for line_id, quantity in left.items() if quantity > 0}


# -- acceptance ---------------------------------------------------------------------------------


@atomic
def accept(
    session: Session,
    seller_order: SellerOrder,
    *,
    actor_role: ActorRole,
    actor_id: int | None = None,
    line_ids: Iterable[int] | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SellerOrder:
    """Accept some lines (every waiting line when ``line_ids`` is None); see :func:`decide`."""
    ids = _waiting_line_ids(seller_order) if line_ids is None else list(line_ids)
    return decide(
        session,
        seller_order,
        dict.fromkeys(ids, True),
        actor_role=actor_role,
        actor_id=actor_id,
        expected_version=expected_version,
        now=now,
    )


@atomic
def refuse(
    session: Session,
    seller_order: SellerOrder,
    *,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    line_ids: Iterable[int] | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SellerOrder:
    """Refuse some lines (every waiting line when ``line_ids`` is None); see :func:`decide`."""
    ids = _waiting_line_ids(seller_order) if line_ids is None else list(line_ids)
    return decide(
        session,
        seller_order,
        dict.fromkeys(ids, False),
        reason_code=reason_code,
        actor_role=actor_role,
        actor_id=actor_id,
        note=note,
        expected_version=expected_version,
        now=now,
    )


@atomic
def decide(
    session: Session,
    seller_order: SellerOrder,
    decisions: Mapping[int, bool],
    *,
    actor_role: ActorRole,
    actor_id: int | None = None,
    reason_code: str | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SellerOrder:
    """Accept (True) or refuse (False) lines of an order waiting for acceptance, by line id.

    Refused lines need a REFUSAL reason the actor may use; their units go back to stock and the
    customer is told by email. Once every line is decided the order moves on: SHIPPING if at
    least one line was accepted, REFUSED if all were refused.
    """
    actor_role = ActorRole(actor_role)
    _check_version(seller_order, expected_version)
    if seller_order.state != S.WAITING_ACCEPTANCE:
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: "
            "its lines can no longer be accepted or refused",
            reason="not_waiting",
            state=seller_order.state.value,
        )
    if actor_role not in ALLOWED_ACTORS[S.SHIPPING] | {ActorRole.SYSTEM}:
        raise NotAllowed(f"a {actor_role.lower()} cannot accept or refuse an order")
    if not decisions:
        raise InvalidValue("choose the lines to accept or refuse", reason="no_lines")
    lines = _lines_of(seller_order, decisions)
    for line in lines:
        if line.state != LineState.WAITING_ACCEPTANCE:
            raise InvalidTransition(
                f"the line {line.title!r} is already {line.state.lower()}",
                reason="line_decided",
                state=seller_order.state.value,
            )
    refused = [line for line in lines if not decisions[line.id]]
    reason = None
    if refused:
        if not reason_code:
            raise InvalidValue("say why the lines are refused", reason="reason_needed")
        reason = get_reason(session, ReasonType.REFUSAL, reason_code, actor_role)
    note = _clean_note(note)
    now = now or utcnow()
    for line in lines:
        if decisions[line.id]:
            line.state = LineState.ACCEPTED
    taken_back = _take_back(
        session,
        [(line, line.quantity_live) for line in refused],
        reason,
        actor_role,
        actor_id,
        now,
        final_state=LineState.REFUSED,
    )
    _settle(session, seller_order, actor_role, actor_id, reason, note, now)
    if taken_back:
        _email_cancellation(session, seller_order, taken_back, reason)
    return seller_order


def _waiting_line_ids(seller_order: SellerOrder) -> list[int]:
    return [line.id for line in seller_order.lines if line.state == LineState.WAITING_ACCEPTANCE]


# -- cancellations ------------------------------------------------------------------------------


@atomic
def cancel_lines(
    session: Session,
    seller_order: SellerOrder,
    quantities: Mapping[int, int],
    *,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[Cancellation]:
    """Cancel units of lines before they ship (``{line_id: quantity}``), with a CANCELATION reason
    the actor may use. The units go back to stock, the customer is told what, why and how much;
    an order with nothing left becomes CANCELED, one whose remaining units have all shipped
    becomes SHIPPED."""
    actor_role = ActorRole(actor_role)
    _check_version(seller_order, expected_version)
    if seller_order.state not in BEFORE_SHIPMENT:
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: lines can only be cancelled "
            "before they ship (refund them instead)",
            reason="not_cancellable",
            state=seller_order.state.value,
        )
    if actor_role != ActorRole.SYSTEM and actor_role not in ALLOWED_ACTORS[S.CANCELED]:
        raise NotAllowed(f"a {actor_role.lower()} cannot cancel an order")
    reason = get_reason(session, ReasonType.CANCELATION, reason_code or "", actor_role)
    wanted = {}
    for line_id, quantity in quantities.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidValue(f"a quantity is a whole number, not {quantity!r}", reason="quantity")
        if quantity:
            wanted[line_id] = quantity
    if not wanted:
        raise InvalidValue("choose at least one unit to cancel", reason="no_lines")
    lines = _lines_of(seller_order, wanted)
    left = cancellable(seller_order)
    for line in lines:
        if wanted[line.id] > left.get(line.id, 0):
            raise InvalidValue(
                f"only {left.get(line.id, 0)} unit(s) of {line.title!r} can still be cancelled",
                reason="too_many",
                title=line.title,
                available=left.get(line.id, 0),
            )
    note = _clean_note(note)
    now = now or utcnow()
    taken_back = _take_back(
        session,
        [(line, wanted[line.id]) for line in lines],
        reason,
        actor_role,
        actor_id,
        now,
        final_state=LineState.CANCELED,
    )
    _settle(session, seller_order, actor_role, actor_id, reason, note, now)
    _email_cancellation(session, seller_order, taken_back, reason)
    return taken_back


@atomic
def cancel_order(
    session: Session,
    seller_order: SellerOrder,
    *,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[Cancellation]:
    """Cancel every unit not shipped yet (see :func:`cancel_lines`)."""
    left = cancellable(seller_order)
    if not left and seller_order.state in BEFORE_SHIPMENT:
        raise InvalidValue("nothing is left to cancel", reason="no_lines")
    return cancel_lines(
        session,
        seller_order,
        left,
        reason_code=reason_code,
        actor_role=actor_role,
        actor_id=actor_id,
        note=note,
        expected_version=expected_version,
        now=now,
    )


TIMEOUT_REASON = "ACCEPTANCE_TIMEOUT"


@atomic
def cancel_overdue(session: Session, now: datetime | None = None) -> list[SellerOrder]:
    """Cancel every seller order still waiting for acceptance after its deadline.

    Run by the scheduler. The lines' units go back to the offers' stock, each cancellation is
    recorded as made by the system with reason ACCEPTANCE_TIMEOUT, and the customer is told.
    Deadlines are passed on the shop's clock (its ``now`` when none is given).
    """
    now = now or shop_clock.of(session).now()
    reason = get_reason(session, ReasonType.CANCELATION, TIMEOUT_REASON, ActorRole.SYSTEM)
    overdue = session.scalars(
        select(SellerOrder)
        .where(
            SellerOrder.state == S.WAITING_ACCEPTANCE,
            SellerOrder.acceptance_deadline < now,
        )
        .options(selectinload(SellerOrder.lines))
        .order_by(SellerOrder.id)
        .with_for_update(skip_locked=True)
    ).all()
    for seller_order in overdue:
        taken_back = _take_back(
            session,
            [(line, line.quantity_live) for line in seller_order.lines if line.quantity_live],
            reason,
            ActorRole.SYSTEM,
            None,
            now,
            final_state=LineState.CANCELED,
        )
        # Lines accepted before the deadline go too: the order as a whole was not accepted.
        for line in seller_order.lines:
            line.state = LineState.CANCELED
        transition(
            session, seller_order, S.CANCELED, actor_role=ActorRole.SYSTEM, reason=reason, at=now
        )
        _email_cancellation(session, seller_order, taken_back, reason)
    session.flush()
    return list(overdue)


def restock(session: Session, offer_id: int, quantity: int) -> bool:
    """Give units back to an offer, in SQL, so that a concurrent sale is not overwritten.

    Returns True when the offer had sold out (its product's listing must be refreshed).
    """
    if quantity <= 0:
        return False
    stock = session.scalar(
        update(Offer)
        .where(Offer.id == offer_id)
        .values(stock=Offer.stock + quantity)
        .returning(Offer.stock)
    )
    return stock == quantity


def _take_back(
    session: Session,
    quantities: list[tuple[OrderLine, int]],
    reason: ReasonCode | None,
    actor_role: ActorRole,
    actor_id: int | None,
    now: datetime,
    *,
    final_state: LineState,
) -> list[Cancellation]:
    """Record the cancellation of units, put them back in stock, refresh what came back."""
    records = []
    sold_out_products = set()
    for line, quantity in quantities:
        if quantity <= 0:
            continue
        line.quantity_canceled += quantity
        if line.quantity_live == 0:
            line.state = final_state
        record = Cancellation(
            line=line,
            quantity=quantity,
            amount=line.unit_price * quantity,
            reason_code_id=reason.id,
            reason=reason,
            actor_role=actor_role,
            actor_id=actor_id,
            created_at=now,
        )
        session.add(record)
        records.append(record)
        if restock(session, line.offer_id, quantity):
            sold_out_products.add(line.product_id)
    session.flush()
    if sold_out_products:
        # The offers can be bought again: the category pages and search must say so.
        listing.refresh(session, sold_out_products, now=now)
    return records


def _settle(
    session: Session,
    seller_order: SellerOrder,
    actor_role: ActorRole,
    actor_id: int | None,
    reason: ReasonCode | None,
    note: str,
    now: datetime,
) -> None:
    """Move the order to the state its lines now call for, if any (always bumping its version)."""
    live = [line for line in seller_order.lines if line.quantity_live > 0]
    target = None
    if not live:
        refusing = reason is not None and reason.type == ReasonType.REFUSAL
        target = S.REFUSED if refusing else S.CANCELED
    elif seller_order.state == S.WAITING_ACCEPTANCE:
        if all(line.state == LineState.ACCEPTED for line in live):
            target = S.SHIPPING
    elif seller_order.state == S.SHIPPING and not to_ship(seller_order) and seller_order.parcels:
        target = S.SHIPPED
    if target is None:
        seller_order.updated_at = now
        session.flush()
        return
    # A step that follows from someone else's action (the customer cancelling the last units
    # not shipped yet) is recorded as the system's.
    role = actor_role if actor_role in ALLOWED_ACTORS[target] else ActorRole.SYSTEM
    transition(
        session,
        seller_order,
        target,
        actor_role=role,
        actor_id=actor_id if role == actor_role else None,
        reason=reason if target in REASON_NEEDED else None,
        note=note,
        at=now,
    )


# -- shipping -----------------------------------------------------------------------------------


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
            reason="not_shippable",
            state=seller_order.state.value,
        )
    if actor_role not in ALLOWED_ACTORS[S.SHIPPED]:
        raise NotAllowed(f"a {actor_role.lower()} cannot ship an order")
    if actor_role == ActorRole.SELLER and not ships_itself(seller_order):
        raise NotAllowed(
            "this order ships from the shop's warehouse, not from the seller", reason="not_shipper"
        )
    carrier = tracking.get_carrier(session, (carrier_code or "").strip().upper())
    number = tracking.clean_tracking_number(tracking_number)
    clock = shop_clock.of(session)
    now = now or clock.now()
    today = clock.local_date(now)
    shipped_on = shipped_on or today
    if shipped_on > today:
        raise InvalidValue("the shipping date cannot be in the future", reason="future_date")
    ordered_on = clock.local_date(seller_order.customer_order.created_at)
    if shipped_on < ordered_on:
        raise InvalidValue(
            "the shipping date cannot be before the order was placed", reason="date_before_order"
        )
    if any(
        p.carrier_id == carrier.id and p.tracking_number == number for p in seller_order.parcels
    ):
        raise InvalidValue(
            f"parcel {number} is already recorded for this order", reason="duplicate_parcel"
        )
    left = to_ship(seller_order)
    if seller_order.state == S.SHIPPED:
        if quantities and any(quantities.values()):
            raise InvalidValue("every unit of this order has shipped already", reason="all_shipped")
        wanted: dict[int, int] = {}
    elif quantities is None:
        wanted = left
    else:
        wanted = {}
        for line_id, quantity in quantities.items():
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
                raise InvalidValue(f"a quantity is a whole number, not {quantity!r}", reason="quantity")
            if quantity:
                wanted[line_id] = quantity
        lines = _lines_of(seller_order, wanted)
        for line in lines:
            if wanted[line.id] > left.get(line.id, 0):
                raise InvalidValue(
                    f"only {left.get(line.id, 0)} unit(s) of {line.title!r} are left to ship",
                    reason="too_many",
                    title=line.title,
                    available=left.get(line.id, 0),
                )
    if seller_order.state == S.SHIPPING and not wanted:
        raise InvalidValue("put at least one unit in the parcel", reason="no_lines")

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
    _email_customer(
        session,
        seller_order.customer_order,
        "shipment_sent",
        {
            "order": seller_order.customer_order,
            "seller_order": seller_order,
            "parcel": parcel,
            "items": [(item.line, item.quantity) for item in parcel.items],
            "carrier": carrier,
            "tracking_url": tracking.tracking_url(carrier, number),
            "shipment": parcel.shipment,
            "complete": seller_order.state == S.SHIPPED,
        },
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
            tracking.mark_delivered(session, shipment, at=max(at, shipment.shipped_at or at))
    session.flush()
    return seller_order


@atomic
def close(
    session: Session,
    seller_order: SellerOrder,
    *,
    actor_role: ActorRole,
    actor_id: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> SellerOrder:
    """Close a received order: its file is complete."""
    _check_version(seller_order, expected_version)
    transition(session, seller_order, S.CLOSED, actor_role=actor_role, actor_id=actor_id, at=at)
    return seller_order


# -- refunds ------------------------------------------------------------------------------------


@atomic
def refund(
    session: Session,
    seller_order: SellerOrder,
    *,
    amount: int,
    reason_code: str,
    actor_role: ActorRole,
    actor_id: int | None = None,
    shipping_amount: int = 0,
    line_id: int | None = None,
    comment: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Refund:
    """Give money back after shipment: ``amount`` for the goods (of one line if ``line_id``),
    ``shipping_amount`` for the shipping, with a REFUND reason the actor may use. Refunds never
    add up to more than was paid (goods not cancelled, and this order's share of shipping)."""
    actor_role = ActorRole(actor_role)
    _check_version(seller_order, expected_version)
    if seller_order.state not in AFTER_SHIPMENT:
        raise InvalidTransition(
            f"order {seller_order.number} is {seller_order.state}: refunds come after shipment "
            "(before it, cancel lines)",
            reason="not_refundable",
            state=seller_order.state.value,
        )
    if actor_role not in (ActorRole.SELLER, ActorRole.OPERATOR):
        raise NotAllowed(f"a {actor_role.lower()} cannot refund an order")
    require_amount(amount, "the refund")
    require_amount(shipping_amount, "the shipping refund")
    if amount + shipping_amount == 0:
        raise InvalidValue("a refund is more than 0", reason="zero")
    reason = get_reason(session, ReasonType.REFUND, reason_code or "", actor_role)
    money = amounts(session, seller_order)
    line = None
    if line_id is not None:
        (line,) = _lines_of(seller_order, [line_id])
        refunded_on_line = session.scalar(
            select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.order_line_id == line.id)
        )
        line_left = max(line.amount - refunded_on_line, 0)
        if amount > line_left:
            raise InvalidValue(
                f"at most {_cents(line_left, money.currency)} can still be refunded "
                f"for {line.title!r}",
                reason="above_line",
                limit=line_left,
                currency=money.currency,
            )
    if amount > money.refundable_goods:
        raise InvalidValue(
            f"at most {_cents(money.refundable_goods, money.currency)} can still be refunded "
            "for the items",
            reason="above_paid",
            limit=money.refundable_goods,
            currency=money.currency,
        )
    if shipping_amount > money.refundable_shipping:
        raise InvalidValue(
            f"at most {_cents(money.refundable_shipping, money.currency)} of shipping can still "
            "be refunded",
            reason="above_shipping",
            limit=money.refundable_shipping,
            currency=money.currency,
        )
    comment = _clean_note(comment)
    now = now or utcnow()
    record = Refund(
        seller_order=seller_order,
        order_line_id=line.id if line else None,
        amount=amount,
        shipping_amount=shipping_amount,
        reason_code_id=reason.id,
        reason=reason,
        actor_role=actor_role,
        actor_id=actor_id,
        comment=comment,
        created_at=now,
    )
    session.add(record)
    seller_order.updated_at = now  # bumps the version: two refunds cannot race past the limit
    session.flush()
    _email_customer(
        session,
        seller_order.customer_order,
        "refund_issued",
        {
            "order": seller_order.customer_order,
            "seller_order": seller_order,
            "refund": record,
            "line": line,
            "reason": reason.label_for(_locale_of(seller_order.customer_order)),
            "total": amount + shipping_amount,
        },
    )
    return record


def refunds_of(session: Session, seller_order: SellerOrder) -> list[Refund]:
    return list(
        session.scalars(
            select(Refund)
            .where(Refund.seller_order_id == seller_order.id)
            .options(joinedload(Refund.reason))
            .order_by(Refund.id)
        )
    )


def cancellations_of(session: Session, seller_order: SellerOrder) -> list[Cancellation]:
    return list(
        session.scalars(
            select(Cancellation)
            .join(OrderLine, Cancellation.order_line_id == OrderLine.id)
            .where(OrderLine.seller_order_id == seller_order.id)
            .options(joinedload(Cancellation.reason), joinedload(Cancellation.line))
            .order_by(Cancellation.id)
        )
    )


# -- shared checks and emails -------------------------------------------------------------------


def _check_version(seller_order: SellerOrder, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != seller_order.version:
        raise Conflict(
            f"order {seller_order.number} has changed since this page was shown (in another tab "
            "or by a colleague); check it again",
            reason="stale",
        )


def _lines_of(seller_order: SellerOrder, line_ids: Iterable[int]) -> list[OrderLine]:
    """The lines of ``seller_order`` with these ids; an id of another order is unknown here."""
    by_id = {line.id: line for line in seller_order.lines}
    lines = []
    for line_id in line_ids:
        line = by_id.get(line_id)
        if line is None:
            raise NotFound(f"order {seller_order.number} has no line {line_id!r}", reason="line")
        lines.append(line)
    return lines


def _clean_note(note: str) -> str:
    # Notes are shown as text; control characters (a NUL byte breaks PostgreSQL) are dropped.
    note = "".join(ch for ch in (note or "") if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidValue(f"a note is at most {MAX_NOTE_LENGTH:,} characters", reason="note_too_long")
    return note


def _cents(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency}"


def _locale_of(order: CustomerOrder) -> str:
    return order.locale if order.locale in LOCALES else LOCALES[0]


def _email_customer(session: Session, order: CustomerOrder, template: str, context: dict) -> None:
    enqueue_email(
        session,
        to=order.email,
        template=template,
        context=context,
        locale=_locale_of(order),
        kind=template,
    )


def _email_cancellation(
    session: Session,
    seller_order: SellerOrder,
    cancellations: list[Cancellation],
    reason: ReasonCode,
) -> None:
    if not cancellations:
        return
    order = seller_order.customer_order
    money = amounts(session, seller_order)
    goods = sum(c.amount for c in cancellations)
    _email_customer(
        session,
        order,
        "lines_cancelled",
        {
            "order": order,
            "seller_order": seller_order,
            "items": [(c.line, c.quantity, c.amount) for c in cancellations],
            "reason": reason.label_for(_locale_of(order)),
            "refused": reason.type == ReasonType.REFUSAL,
            "goods": goods,
            "shipping": money.shipping_returned,
            "total": goods + money.shipping_returned,
            "ended": seller_order.state in ENDED,
        },
    )


# -- finding seller orders ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrderPage:
    items: list[SellerOrder]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def search_seller_orders(
    session: Session,
    *,
    seller_id: int | None = None,
    state: SellerOrderState | None = None,
    number: str = "",
    late_on: date | None = None,
    page: int = 1,
    per_page: int = 25,
) -> OrderPage:
    """Seller orders, newest first: one seller's (the portal) or everyone's (the operator).

    ``number`` matches the start of the seller or customer order number; ``late_on`` keeps the
    accepted orders that should have shipped before that day.
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
    total = session.scalar(query.with_only_columns(func.count(SellerOrder.id)).order_by(None))
    page = max(page, 1)
    items = session.scalars(
        query.options(
            joinedload(SellerOrder.customer_order),
            joinedload(SellerOrder.seller),
            selectinload(SellerOrder.lines).joinedload(OrderLine.shipment),
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


def ships_itself(seller_order: SellerOrder) -> bool:
    """True when the seller ships this order (False: the shop's warehouse does)."""
    return all(
        line.shipment is None or line.shipment.shipper_id == seller_order.seller_id
        for line in seller_order.lines
    )


def ship_by(seller_order: SellerOrder) -> date | None:
    """The day the order must leave by (its earliest shipment's), if it has shipments."""
    days = [line.shipment.ship_by for line in seller_order.lines if line.shipment is not None]
    return min(days) if days else None


def today_in_shop(session: Session, now: datetime | None = None) -> date:
    """The shop's date at ``now`` (by default, now on the shop's clock)."""
    clock = shop_clock.of(session)
    return clock.local_date(now or clock.now())
