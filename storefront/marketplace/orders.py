"""Orders domain: the seller-order lifecycle, reason codes, and the status a customer sees.

Lifecycle (design):

    WAITING_ACCEPTANCE --accept--> SHIPPING --ship--> SHIPPED --deliver--> RECEIVED --> CLOSED
            |                          |
            +--refuse--> REFUSED        +--cancel (reason)--> CANCELED
            +--deadline passed--> CANCELED (auto, reason ACCEPTANCE_TIMEOUT)

Placing orders, acceptance per line, cancellations and refunds build on :func:`transition`, so
every change of state is checked against this table and recorded with who made it and why.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from .errors import InvalidTransition, InvalidValue, NotAllowed, NotFound
from .models import (
    ActorRole,
    LineState,
    Offer,
    OrderTransition,
    ReasonCode,
    ReasonType,
    SellerOrder,
    SellerOrderState,
    utcnow,
)
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
        raise NotFound(f"unknown {ReasonType(type).lower()} reason {code!r}")
    _check_reason(reason, ReasonType(type), ActorRole(role))
    return reason


def _check_reason(reason: ReasonCode, type: ReasonType, role: ActorRole) -> None:
    if reason.type != type:
        raise InvalidValue(f"reason {reason.code} is a {reason.type} reason, not a {type} one")
    if not reason.allows(role):
        raise NotAllowed(f"reason {reason.code} is not available to a {role.lower()}")


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


def get_seller_order(session: Session, number: str) -> SellerOrder:
    order = session.scalar(select(SellerOrder).where(SellerOrder.number == number))
    if order is None:
        raise NotFound(f"unknown order {number!r}")
    return order


# -- acceptance deadline ------------------------------------------------------------------------

TIMEOUT_REASON = "ACCEPTANCE_TIMEOUT"


@atomic
def cancel_overdue(session: Session, now: datetime | None = None) -> list[SellerOrder]:
    """Cancel every seller order still waiting for acceptance after its deadline.

    Run by the scheduler. The lines' units go back to the offers' stock, and each cancellation
    is recorded as made by the system with reason ACCEPTANCE_TIMEOUT.
    """
    now = now or utcnow()
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
        transition(
            session, seller_order, S.CANCELED, actor_role=ActorRole.SYSTEM, reason=reason, at=now
        )
        for line in seller_order.lines:
            restock(session, line.offer_id, line.quantity_live)
            line.quantity_canceled = line.quantity
            line.state = LineState.CANCELED
    session.flush()
    return list(overdue)


def restock(session: Session, offer_id: int, quantity: int) -> None:
    """Give units back to an offer, in SQL, so that a concurrent sale is not overwritten."""
    if quantity > 0:
        session.execute(
            update(Offer).where(Offer.id == offer_id).values(stock=Offer.stock + quantity)
        )
