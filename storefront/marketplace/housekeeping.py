"""Housekeeping: delete the rows nobody will read again, so that tables stop growing with time.

Each purge deletes the rows older than a cutoff, in batches: one ``DELETE … WHERE id IN (SELECT id
… LIMIT n)`` per batch, each committed on its own (a backlog never holds one long transaction or
locks a whole table), so the number of statements depends on the rows to delete divided by the
batch size, never on one query per row.

- **Guest carts** untouched since the cutoff (``CART_RETENTION_DAYS``): no change to the cart
  itself and no line added since. Their lines and delivery choices go with them (ON DELETE
  CASCADE). The cart of a signed-in user is kept: there is one per account, and it is the
  customer's list of what they meant to buy.
- **Sent emails** (outbox rows SENT before the cutoff, ``OUTBOX_RETENTION_DAYS``). FAILED rows are
  kept for the operator to look at, PENDING and SENDING ones are still to be delivered.
- **API idempotency keys** older than :data:`IDEMPOTENCY_KEY_LIFETIME`: a retry after that is a
  new request (storefront/api/idempotency.py).
- **API audit entries** older than ``api_audit.RETENTION`` (a year): the operator's trail of
  what API clients changed (storefront/marketplace/api_audit.py).
- **API revocations** whose tokens have all expired (``token_revocations``): past that, the
  token's own ``exp`` refuses it.
- **Ended sign-in sessions** (``user_sessions``): past their lifetime they let nobody in; a user
  who never comes back would otherwise keep them forever.

Not here, because nothing is stored: password-reset links are signed tokens that carry their own
expiry (``password_reset``), and Huey keeps no task results (``storefront.jobs.build_queue``).

Other modules add their purges with :func:`register` (expired server-side sessions, rate-limit
counters…): the housekeeping job runs every registered purge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.orm import Session

from .api_audit import RETENTION as API_AUDIT_RETENTION
from .models import (
    ApiAuditEntry,
    ApiIdempotencyKey,
    ApiRevocation,
    Cart,
    CartLine,
    OutboxMessage,
    OutboxStatus,
    UserSession,
)
from .unit_of_work import transaction

BATCH_SIZE = 5000
# How long the API keeps the first answer to a POST sent with an Idempotency-Key.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


def delete_in_batches(session: Session, model, *conditions, batch_size: int = BATCH_SIZE) -> int:
    """Delete the rows of ``model`` matching ``conditions``, ``batch_size`` at a time, each batch
    in a transaction of its own; returns how many were deleted.

    For purges of other modules too: ``delete_in_batches(session, UserSession,
    UserSession.expires_at < now)``.
    """
    if batch_size < 1:
        raise ValueError("a batch holds at least one row")
    deleted = 0
    while True:
        # Not correlated to the DELETE: the subquery reads the table on its own.
        batch = select(model.id).where(*conditions).limit(batch_size).correlate(None)
        with transaction(session):
            result = session.execute(
                delete(model)
                .where(model.id.in_(batch.scalar_subquery()))
                .execution_options(synchronize_session=False)
            )
        deleted += result.rowcount
        if result.rowcount < batch_size:
            return deleted


def purge_guest_carts(session: Session, older_than: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete guest carts with no activity since ``older_than``; returns how many."""
    recent_line = exists().where(CartLine.cart_id == Cart.id, CartLine.added_at >= older_than)
    return delete_in_batches(
        session,
        Cart,
        Cart.user_id.is_(None),
        Cart.updated_at < older_than,
        ~recent_line,
        batch_size=batch_size,
    )


def purge_sent_emails(session: Session, older_than: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the outbox rows sent before ``older_than`` (FAILED and unsent rows stay)."""
    return delete_in_batches(
        session,
        OutboxMessage,
        and_(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < older_than),
        batch_size=batch_size,
    )


def purge_ended_sessions(session: Session, now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the sign-in sessions whose lifetime ended by ``now`` (``user_sessions``)."""
    return delete_in_batches(
        session, UserSession, UserSession.expires_at <= now, batch_size=batch_size
    )


def purge_idempotency_keys(session: Session, now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the API's idempotency keys older than their lifetime (``api_idempotency_keys``)."""
    return delete_in_batches(
        session, ApiIdempotencyKey, ApiIdempotencyKey.created_at < now - IDEMPOTENCY_KEY_LIFETIME,
        batch_size=batch_size,
    )


def purge_api_audit(session: Session, now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the API audit entries older than their retention (``api_audit.RETENTION``)."""
    return delete_in_batches(
        session, ApiAuditEntry, ApiAuditEntry.created_at < now - API_AUDIT_RETENTION,
        batch_size=batch_size,
    )


def purge_api_revocations(session: Session, now: datetime, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the API revocations whose tokens have all expired by ``now``; a suspended seller's
    row has no end and stays."""
    return delete_in_batches(
        session, ApiRevocation, ApiRevocation.expires_at < now, batch_size=batch_size
    )


# --- The registry the housekeeping job runs ------------------------------------------------------


@dataclass(frozen=True)
class Purge:
    """``run(session, cutoff)`` deletes what is older than ``cutoff`` and returns how many rows.

    ``retention_setting`` names the setting (a number of days) that places the cutoff that many
    days before now; None for rows that carry their own expiry (the cutoff is now).
    """

    name: str
    run: Callable[[Session, datetime], int]
    retention_setting: str | None = None

    def cutoff(self, now: datetime, settings: Mapping) -> datetime:
        if self.retention_setting is None:
            return now
        return now - timedelta(days=int(settings[self.retention_setting]))


PURGES: list[Purge] = [
    Purge("guest_carts", purge_guest_carts, "CART_RETENTION_DAYS"),
    Purge("sent_emails", purge_sent_emails, "OUTBOX_RETENTION_DAYS"),
    Purge("user_sessions", purge_ended_sessions),
    Purge("api_idempotency_keys", purge_idempotency_keys),
    Purge("api_audit", purge_api_audit),
    Purge("api_revocations", purge_api_revocations),
]


def register(purge: Purge) -> Purge:
    """Add ``purge`` to what the housekeeping job runs (once per name)."""
    if any(known.name == purge.name for known in PURGES):
        raise ValueError(f"a purge named {purge.name!r} is registered already")
    PURGES.append(purge)
    return purge


class PurgeFailed(Exception):
    """Some purges failed (the others ran); ``done`` holds the counts of those that did."""

    def __init__(self, failures: dict[str, Exception], done: dict[str, int]):
        super().__init__(
            "; ".join(f"{name}: {error!r}" for name, error in failures.items())
        )
        self.failures = failures
        self.done = done


def run_all(
    session: Session,
    *,
    now: datetime,
    settings: Mapping,
    purges: Iterable[Purge] | None = None,
) -> dict[str, int]:
    """Run every registered purge (or ``purges``); returns the rows deleted by each name.

    One failing purge does not stop the others; :class:`PurgeFailed` reports it afterwards.
    """
    done: dict[str, int] = {}
    failures: dict[str, Exception] = {}
    for purge in list(PURGES if purges is None else purges):
        try:
            done[purge.name] = purge.run(session, purge.cutoff(now, settings))
        except Exception as error:  # noqa: BLE001 (reported below, after the other purges)
            session.rollback()
            failures[purge.name] = error
    if failures:
        raise PurgeFailed(failures, done)
    return done


__all__ = [
    "BATCH_SIZE",
    "PURGES",
    "Purge",
    "PurgeFailed",
    "delete_in_batches",
    "purge_api_audit",
    "purge_api_revocations",
    "purge_ended_sessions",
    "purge_idempotency_keys",
    "purge_guest_carts",
    "purge_sent_emails",
    "register",
    "run_all",
]
