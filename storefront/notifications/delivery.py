"""Delivering the outbox: what the worker runs.

A message is *claimed* before it is sent, by one conditional UPDATE: only a row that is due
(PENDING and its ``next_attempt_at`` reached, or SENDING with an expired lease) matches, and the
UPDATE makes it SENDING with a lease, so of two workers racing for a row exactly one gets it (the
other's UPDATE matches nothing once the first has committed; PostgreSQL re-checks the condition
after waiting for the row lock, SQLite runs one writer at a time). The claim is committed before
talking to the SMTP server, and no transaction stays open during the conversation.

Then, if the message has not been rendered yet (the service recorded only what to send), it is
rendered by the ``render`` callable the worker hands in (``render.render_and_store``) and the
parts are committed before the first attempt; a message that cannot be rendered (a template
error) is retried and ends FAILED like one the server refuses. Then:

- accepted by the server → SENT, with ``sent_at``;
- refused or unreachable → back to PENDING with the error and a later ``next_attempt_at``
  (30 s, 1 min, 2 min… doubling, at most an hour), or FAILED after ``MAX_ATTEMPTS``, logged;
- the worker died in between → the lease runs out and the next sweep takes the row again;
- the worker was asked to stop (a deploy) → it finishes the message it is sending, within its
  shutdown timeout; past it, :func:`release_held` puts the rows it still holds back to PENDING,
  due at once, so that nothing waits for the lease (``storefront/jobs/worker.py``).

Delivery is therefore at least once: a worker killed after the server accepted a message but
before SENT was recorded sends it again after the lease. The message keeps its Message-ID, so
mail clients show one. Nothing is sent twice otherwise, and nothing is lost.

These functions commit, several times: call them with a session that holds no other work.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storefront.held_claims import HeldClaims
from storefront.marketplace.models import OutboxMessage, OutboxStatus, utcnow

from . import smtp

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
# Far longer than an SMTP conversation takes (each socket operation times out after 30 s), so
# that a live worker keeps its claim; a dead worker's message waits this long before a retry.
LEASE = timedelta(minutes=10)
SWEEP_BATCH = 200

# The claims this process holds, token → message id, from just before the claim until the outcome
# is recorded: what a stopping worker releases (:func:`release_held`).
_held = HeldClaims()

# Renders a claimed message and writes its parts on the row (``render.render_and_store``).
Renderer = Callable[[Session, OutboxMessage], None]


class Outcome(enum.StrEnum):
    SENT = "SENT"
    RETRY = "RETRY"  # failed, will be tried again
    FAILED = "FAILED"  # failed for the last time
    SKIPPED = "SKIPPED"  # not due, already sent, or taken by another worker


@dataclass
class SweepReport:
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    abandoned: int = 0  # SENDING rows whose worker died on their last attempt, now FAILED

    def count(self, outcome: Outcome) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    @property
    def sent(self) -> int:
        return self.count(Outcome.SENT)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, … 1 h."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def claim(
    session: Session, message_id: int, *, now: datetime | None = None, token: str | None = None
) -> str | None:
    """Take ``message_id`` for sending if it is due; return the claim token, or None.

    Committed at once, so other workers see the claim; counts as an attempt, so a message that
    kills its worker every time still ends up FAILED.
    """
    now = now or utcnow()
    token = token or secrets.token_hex(16)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now))
        .values(
            status=OutboxStatus.SENDING,
            claim_token=token,
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return token if result.rowcount == 1 else None


def deliver(
    session: Session,
    message_id: int,
    *,
    mail_url: str,
    render: Renderer | None = None,
    now: datetime | None = None,
    **send_options,
) -> Outcome:
    """Claim, render if needed, send and record one message. ``send_options`` go to
    :func:`smtp.send`."""
    return _deliver(session, message_id, mail_url, render, now, send_options)[0]


def release_held(session: Session, *, now: datetime | None = None) -> list[int]:
    """Give back the claims this process still holds: PENDING again, due at once, no token.

    What a worker calls when it stops while deliveries are still running (past its shutdown
    timeout), so that the next worker sends them at once instead of after the lease. A claim
    whose outcome gets recorded meanwhile is left alone (the token no longer matches), and so is
    one that was never taken. Returns the ids released. The attempt still counts.
    """
    now = now or utcnow()
    released = []
    for token, message_id in _held.snapshot().items():
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claim_token == token,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(status=OutboxStatus.PENDING, claim_token=None, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if result.rowcount == 1:
            released.append(message_id)
            log.warning("outbox message %s released unsent: the worker is stopping", message_id)
    return released


def due_ids(session: Session, *, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """The messages a sweep would try now, oldest due first."""
    now = now or utcnow()
    query = (
        select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    ids = list(session.scalars(query))
    session.commit()
    return ids


def deliver_due(
    session: Session,
    *,
    mail_url: str,
    render: Renderer | None = None,
    now: datetime | None = None,
    limit: int = SWEEP_BATCH,
    should_stop: Callable[[], bool] = lambda: False,
    **send_options,
) -> SweepReport:
    """The periodic sweep: fail abandoned messages, then deliver every due one.

    Stops early when the SMTP server cannot be reached at all, leaving the rest due for the next
    sweep rather than waiting for a timeout on each of them, and when ``should_stop()`` says
    so (the worker is stopping: it finishes the message it is on, not the whole batch).
    """
    report = SweepReport(abandoned=_fail_abandoned(session, now or utcnow()))
    for message_id in due_ids(session, now=now, limit=limit):
        if should_stop():
            break
        outcome, error = _deliver(session, message_id, mail_url, render, now, send_options)
        report.outcomes[message_id] = outcome
        if error is not None and smtp.server_unreachable(error):
            break
    return report


def _deliver(
    session: Session,
    message_id: int,
    mail_url: str,
    render: Renderer | None,
    now: datetime | None,
    send_options: dict,
) -> tuple[Outcome, Exception | None]:
    token = secrets.token_hex(16)
    with _held.holding(message_id, token):
        if claim(session, message_id, now=now, token=token) is None:
            return Outcome.SKIPPED, None
        return _send_claimed(session, message_id, token, mail_url, render, now, send_options)


def _send_claimed(
    session: Session,
    message_id: int,
    token: str,
    mail_url: str,
    render: Renderer | None,
    now: datetime | None,
    send_options: dict,
) -> tuple[Outcome, Exception | None]:
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    attempts = row.attempts
    if row.rendered_at is None:
        try:
            if render is None:
                raise RuntimeError("this message has not been rendered and no renderer was given")
            render(session, row)
            session.commit()
        except Exception as error:
            session.rollback()
            log.exception("outbox message %s could not be rendered", message_id)
            return _record_failure(session, message_id, token, attempts, error, now or utcnow()), error
        row = session.get(OutboxMessage, message_id, populate_existing=True)
    fields = dict(
        message_id=row.message_id,
        sender=row.sender,
        to=row.to_address,
        subject=row.subject,
        text=row.text_body,
        html=row.html_body,
        date=row.created_at,
        locale=row.locale,
        request_id=row.request_id,
    )
    session.commit()  # no transaction (and on SQLite no snapshot) held while the server talks
    try:
        smtp.send(smtp.build_message(**fields), mail_url, **send_options)
    except Exception as error:
        if not isinstance(error, OSError):  # not the network: a bug or bad data, keep the trace
            log.exception("outbox message %s could not be built or sent", message_id)
        outcome = _record_failure(session, message_id, token, attempts, error, now or utcnow())
        return outcome, error
    _record(session, message_id, token, status=OutboxStatus.SENT, sent_at=utcnow(), last_error="")
    # Logged with the id of the request that caused it (not the sweep's, which has none).
    log.info(
        "outbox message %s sent (attempt %s)",
        message_id,
        attempts,
        extra={"request_id": fields["request_id"] or None, "outbox_message_id": message_id},
    )
    return Outcome.SENT, None


def _claimable(now: datetime):
    return and_(
        OutboxMessage.next_attempt_at <= now,
        or_(
            OutboxMessage.status == OutboxStatus.PENDING,
            and_(  # its worker died: the lease has run out
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.attempts < MAX_ATTEMPTS,
            ),
        ),
    )


def _record_failure(
    session: Session, message_id: int, token: str, attempts: int, error: Exception, now: datetime
) -> Outcome:
    description = f"{type(error).__name__}: {error}"[:1000]
    if attempts >= MAX_ATTEMPTS:
        _record(session, message_id, token, status=OutboxStatus.FAILED, last_error=description)
        log.error(
            "outbox message %s FAILED after %s attempts, giving up: %s",
            message_id,
            attempts,
            description,
        )
        return Outcome.FAILED
    retry_at = now + retry_delay(attempts)
    _record(
        session,
        message_id,
        token,
        status=OutboxStatus.PENDING,
        next_attempt_at=retry_at,
        last_error=description,
    )
    log.warning(
        "outbox message %s not sent (attempt %s), retrying at %s: %s",
        message_id,
        attempts,
        retry_at.isoformat(timespec="seconds"),
        description,
    )
    return Outcome.RETRY


def _record(session: Session, message_id: int, token: str, **values) -> None:
    """Write the outcome, if the claim is still ours (it is, unless the lease ran out)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
        .values(claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        log.warning("outbox message %s: lease lost before its outcome was recorded", message_id)


def _fail_abandoned(session: Session, now: datetime) -> int:
    """SENDING rows past their lease with no attempt left: their last worker died."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts >= MAX_ATTEMPTS,
        )
        .values(
            status=OutboxStatus.FAILED,
            claim_token=None,
            last_error="the worker stopped while sending, and no attempt is left",
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount:
        log.error("%s outbox message(s) FAILED: their worker stopped on the last attempt", result.rowcount)
    return result.rowcount

