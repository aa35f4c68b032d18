"""The outbox as the operator sees it: emails waiting or given up, put back in line or withdrawn.

The worker gives a message up (FAILED) after ``delivery.MAX_ATTEMPTS`` attempts; the operator,
once the cause is fixed (a relay down, a wrong password), puts it back in line with
:func:`retry`: PENDING, due now, with a fresh retry schedule; it is sent right after the commit.
:func:`cancel` withdraws a message that must not go out (CANCELED, kept for the record). Both
change the row only if it is still in a state that allows it (one UPDATE with the condition), so
a worker that claims it at the same moment wins cleanly, and both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import operator_audit, outbox, staff
from .errors import InvalidValue, NotFound
from .models import OutboxMessage, OutboxStatus, User
from .refusals import Refusal
from .staff import Permission
from .unit_of_work import atomic

# What the operations page lists by default: what still needs somebody's attention.
ATTENTION = (OutboxStatus.FAILED, OutboxStatus.PENDING)
RETRYABLE = frozenset({OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.CANCELED})
CANCELABLE = frozenset({OutboxStatus.FAILED, OutboxStatus.PENDING})


@dataclass(frozen=True)
class OutboxPage:
    messages: list[OutboxMessage]
    total: int
    counts: dict[OutboxStatus, int]


def messages(
    session: Session, *, status: OutboxStatus | None = None, kind: str = "", page: int = 1, per_page: int = 25
) -> OutboxPage:
    """Messages of ``status`` (None: FAILED and PENDING), newest first, and how many per status."""
    query = select(OutboxMessage)
    query = query.where(OutboxMessage.status == status if status else OutboxMessage.status.in_(ATTENTION))
    if kind:
        query = query.where(OutboxMessage.kind == kind[:40])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(OutboxMessage.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    counts = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return OutboxPage(list(rows), total, {s: counts.get(s, 0) for s in OutboxStatus})


def kinds(session: Session) -> list[str]:
    """The kinds of message the outbox holds, for the filter."""
    return list(session.scalars(select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)))


@atomic
def retry(session: Session, actor: User, message_id: int) -> OutboxMessage:
    """Put a FAILED (or CANCELED, or waiting) message back in line, due now, with its attempts
    counted from zero; delivered right after the commit."""
    staff.require(actor, Permission.OPERATIONS)
    message = _get(session, message_id)
    before = operator_audit.snapshot(message, ["status", "attempts", "next_attempt_at"])
    now = shop_clock.of(session).now()
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status.in_(RETRYABLE))
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidValue("this email is sent or being sent", reason=Refusal.EMAIL_NOT_RETRYABLE)
    session.refresh(message)
    operator_audit.record(
        session, actor, "outbox.retry", message, before=before,
        after=operator_audit.snapshot(message, ["status", "attempts", "next_attempt_at"]),
        summary=f"{message.kind} → {message.to_address}",
    )
    outbox.deliver_soon(session, message.id)
    return message


@atomic
def cancel(session: Session, actor: User, message_id: int) -> OutboxMessage:
    """Withdraw a message that has not gone out: it is kept, CANCELED, and never sent."""
    staff.require(actor, Permission.OPERATIONS)
    message = _get(session, message_id)
    before = operator_audit.snapshot(message, ["status"])
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status.in_(CANCELABLE))
        .values(status=OutboxStatus.CANCELED, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise InvalidValue("this email is sent or being sent", reason=Refusal.EMAIL_NOT_CANCELABLE)
    session.refresh(message)
    operator_audit.record(session, actor, "outbox.cancel", message, before=before,
                          after={"status": message.status}, summary=f"{message.kind} → {message.to_address}")
    return message


def _get(session: Session, message_id: int) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id) if 0 < message_id < 2**31 else None
    if message is None:
        raise NotFound(f"no outbox message {message_id}")
    return message
