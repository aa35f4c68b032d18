"""Acceptance: the seller (or customer service) accepts or refuses an order's lines, and the
scheduler cancels the orders nobody accepted before their deadline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import clock as shop_clock
from .. import webhooks
from ..errors import InvalidTransition, InvalidValue, NotAllowed
from ..models import ActorRole, LineState, ReasonType, SellerOrder, utcnow
from ..refusals import Refusal
from ..unit_of_work import atomic
from .cancellations import _email_cancellation, _take_back
from .checks import _check_version, _clean_note, _lines_of
from .lifecycle import ALLOWED_ACTORS, S, _settle, transition
from .reasons import get_reason


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
            reason=Refusal.NOT_WAITING,
            state=seller_order.state.value,
        )
    if actor_role not in ALLOWED_ACTORS[S.SHIPPING] | {ActorRole.SYSTEM}:
        raise NotAllowed(f"a {actor_role.lower()} cannot accept or refuse an order")
    if not decisions:
        raise InvalidValue("choose the lines to accept or refuse", reason=Refusal.NO_LINES)
    lines = _lines_of(seller_order, decisions)
    for line in lines:
        if line.state != LineState.WAITING_ACCEPTANCE:
            raise InvalidTransition(
                f"the line {line.title!r} is already {line.state.lower()}",
                reason=Refusal.LINE_DECIDED,
                state=seller_order.state.value,
            )
    refused = [line for line in lines if not decisions[line.id]]
    reason = None
    if refused:
        if not reason_code:
            raise InvalidValue("say why the lines are refused", reason=Refusal.REASON_NEEDED)
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
    # Once every line is decided: accepted (some lines at least) or refused (all of them).
    decided = {S.SHIPPING: "order.accepted", S.REFUSED: "order.refused"}.get(seller_order.state)
    if decided:
        webhooks.record_events(session, [webhooks.seller_order_event(decided, seller_order)], at=now)
    return seller_order


def _waiting_line_ids(seller_order: SellerOrder) -> list[int]:
    return [line.id for line in seller_order.lines if line.state == LineState.WAITING_ACCEPTANCE]


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
    webhooks.record_events(
        session,
        [
            webhooks.seller_order_event("order.canceled", seller_order, reason_code=reason.code)
            for seller_order in overdue
        ],
        at=now,
    )
    session.flush()
    return list(overdue)
