"""The seller-order state machine: the one table of states, who may move an order where, and
what may be done with an order now (:func:`available_actions`).

    WAITING_ACCEPTANCE --accept--> SHIPPING --ship--> SHIPPED --deliver--> RECEIVED --> CLOSED
            |                          |
            +--refuse--> REFUSED        +--cancel (reason)--> CANCELED
            +--deadline passed--> CANCELED (auto, reason ACCEPTANCE_TIMEOUT)

Every change of state goes through :func:`transition`, checked against this table and recorded
with who made it and why; :func:`_settle` moves an order on once its lines call for it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from .. import payment_operations
from ..errors import InvalidTransition, InvalidValue, NotAllowed
from ..models import (
    ActorRole,
    LineState,
    OrderTransition,
    ReasonCode,
    ReasonType,
    SellerOrder,
    SellerOrderState,
    utcnow,
)
from ..unit_of_work import atomic
from .checks import _check_version
from .reasons import _check_reason

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
    touch(seller_order, at)
    session.add(record)
    session.flush()
    # The payment follows: captured at the operator's capture point, released when it ends.
    payment_operations.follow(session, seller_order, at)
    return record


def touch(seller_order: SellerOrder, at: datetime) -> None:
    """Record that ``seller_order`` changed at ``at``: its state, a line, a cancellation, a
    refund, a parcel or its shipment. The one place ``updated_at`` is set after checkout, so
    that order exports ("changed since") and the API's ``updated_since`` see every change.
    Dirtying the row also bumps the order's version (its optimistic lock)."""
    seller_order.updated_at = at


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


# -- what is left of each line -------------------------------------------------------------------

LIVE_LINE = LineState.WAITING_ACCEPTANCE, LineState.ACCEPTED
BEFORE_SHIPMENT = frozenset({S.WAITING_ACCEPTANCE, S.SHIPPING})
AFTER_SHIPMENT = frozenset({S.SHIPPED, S.TO_COLLECT, S.RECEIVED})


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
        touch(seller_order, now)
        session.flush()
        payment_operations.follow(session, seller_order, now)  # units cancelled after capture
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


# -- what may be done now -----------------------------------------------------------------------


def ships_itself(seller_order: SellerOrder) -> bool:
    """True when the seller ships this order (False: the shop's warehouse does)."""
    return all(
        line.shipment is None or line.shipment.shipper_id == seller_order.seller_id
        for line in seller_order.lines
    )


class OrderAction(enum.StrEnum):
    """What can be done with a seller order; the values name the order pages' actions."""

    ACCEPT = "accept"
    REFUSE = "refuse"
    DECIDE = "decide"  # accept or refuse line by line (an order of several lines)
    CANCEL = "cancel"  # cancel units not shipped yet
    SHIP = "ship"  # record a parcel of units waiting to ship
    ADD_PARCEL = "add_parcel"  # one more box once every unit has shipped
    REFUND = "refund"
    MARK_RECEIVED = "received"
    CLOSE = "close"


def available_actions(seller_order: SellerOrder, role: ActorRole) -> tuple[OrderAction, ...]:
    """What ``role`` (SELLER, OPERATOR or CUSTOMER) may do with the order now, by the rules the
    services apply (the table above, who ships, what is left): pages show these and no others."""
    role = ActorRole(role)
    state = seller_order.state

    def may_move_to(target: SellerOrderState) -> bool:
        return can_transition(state, target) and role in ALLOWED_ACTORS[target]

    # A seller records parcels only of what it ships itself (not the shop's warehouse's).
    shipper = role != ActorRole.SELLER or ships_itself(seller_order)
    allowed = {
        OrderAction.ACCEPT: may_move_to(S.SHIPPING),
        OrderAction.REFUSE: may_move_to(S.REFUSED),
        OrderAction.DECIDE: may_move_to(S.SHIPPING) and len(seller_order.lines) > 1,
        OrderAction.CANCEL: may_move_to(S.CANCELED) and bool(cancellable(seller_order)),
        OrderAction.SHIP: may_move_to(S.SHIPPED) and shipper,
        OrderAction.ADD_PARCEL: (
            state == S.SHIPPED and role in ALLOWED_ACTORS[S.SHIPPED] and shipper
        ),
        OrderAction.REFUND: (
            state in AFTER_SHIPMENT and role in (ActorRole.SELLER, ActorRole.OPERATOR)
        ),
        OrderAction.MARK_RECEIVED: may_move_to(S.RECEIVED),
        OrderAction.CLOSE: may_move_to(S.CLOSED),
    }
    return tuple(action for action in OrderAction if allowed[action])
