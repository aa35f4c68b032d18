"""Delivering webhooks: what the worker runs (the email outbox's pattern, for HTTP).

A delivery is *claimed* by one conditional UPDATE (PENDING and due, or SENDING with its lease run
out), committed before the request is sent, so of two workers exactly one sends it and no
transaction stays open while the receiver answers. Then the event is POSTed as JSON, signed as
Standard Webhooks says (https://www.standardwebhooks.com/):

- ``webhook-id``: the event's ``msg_…`` id, the same for every attempt and every replay;
- ``webhook-timestamp``: seconds since the epoch, when this attempt was signed;
- ``webhook-signature``: ``v1,`` + base64 of HMAC-SHA256(key, ``"{id}.{timestamp}.{body}"``),
  the key being the base64-decoded part of the subscription's ``whsec_`` secret.

The answer:

- 2xx → DELIVERED, with ``delivered_at``;
- anything else (3xx included: redirects are not followed), a timeout (10 s) or an address that
  is no longer public → back to PENDING with the status code or error and a later
  ``next_attempt_at``: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after the attempts (±10 %
  jitter, so that a receiver coming back is not hit by every retry at once), about 28 h in all;
  then FAILED, counted in ``storefront_webhook_failures_total`` like every failed attempt, and
  replayable (``marketplace.webhooks.replay``);
- the worker died in between → the lease (1 min) runs out and the next sweep takes it again;
- the worker was asked to stop → :func:`release_held` puts what it holds back to PENDING, due
  at once (``storefront/jobs/worker.py``).

Delivery is at least once: receivers dedupe on ``webhook-id``.

The host's addresses are resolved and checked again just before connecting, and the connection
goes to the address that was checked (no second lookup a rebinding DNS could answer otherwise).

These functions commit, several times: call them with a session that holds no other work.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import http.client
import json
import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storefront.held_claims import HeldClaims
from storefront.marketplace import pinned_http, webhooks
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import DeliveryStatus, WebhookDelivery, utcnow

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd… failed attempt; the attempt after the last wait is the last one.
SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(SCHEDULE) + 1
JITTER = 0.1
TIMEOUT = 10.0  # seconds, for connecting and for each read
LEASE = timedelta(minutes=1)  # far longer than an attempt takes (the timeout)
SWEEP_BATCH = 200
MAX_ERROR = 1000

_held = HeldClaims()


class Outcome(enum.StrEnum):
    DELIVERED = "DELIVERED"
    RETRY = "RETRY"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"  # not due, already delivered, or taken by another worker


@dataclass
class SweepReport:
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


def retry_delay(attempts: int, *, jitter: float = JITTER) -> timedelta:
    """The wait after the ``attempts``-th failed attempt, give or take ``jitter``."""
    base = SCHEDULE[min(max(attempts, 1), len(SCHEDULE)) - 1]
    return base * random.uniform(1 - jitter, 1 + jitter)


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value (Standard Webhooks, ``v1``)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(webhooks.secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def claim(session: Session, delivery_id: int, *, now: datetime, token: str) -> bool:
    """Take ``delivery_id`` for sending if it is due (committed at once; counts as an attempt)."""
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, _claimable(now))
        .values(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            attempts=WebhookDelivery.attempts + 1,
            leased_until=now + LEASE,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def deliver(
    session: Session,
    delivery_id: int,
    *,
    allow_private: bool = False,
    now: datetime | None = None,
    timeout: float = TIMEOUT,
) -> Outcome:
    """Claim, send and record one delivery."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    with _held.holding(delivery_id, token):
        if not claim(session, delivery_id, now=now, token=token):
            return Outcome.SKIPPED
        return _send_claimed(session, delivery_id, token, allow_private, now, timeout)


def due_ids(session: Session, *, now: datetime, limit: int = SWEEP_BATCH) -> list[int]:
    ids = list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(_claimable(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )
    session.commit()
    return ids


def deliver_due(
    session: Session,
    *,
    allow_private: bool = False,
    now: datetime | None = None,
    limit: int = SWEEP_BATCH,
    should_stop: Callable[[], bool] = lambda: False,
    timeout: float = TIMEOUT,
) -> SweepReport:
    """The periodic sweep: fail abandoned deliveries, then send every due one (stopping after
    the one it is on when ``should_stop()``)."""
    now = now or utcnow()
    _fail_abandoned(session, now)
    report = SweepReport()
    for delivery_id in due_ids(session, now=now, limit=limit):
        if should_stop():
            break
        report.outcomes[delivery_id] = deliver(
            session, delivery_id, allow_private=allow_private, now=now, timeout=timeout
        )
    return report


def release_held(session: Session, *, now: datetime | None = None) -> list[int]:
    """Give back the claims this process still holds (a stopping worker): PENDING, due now."""
    now = now or utcnow()
    released = []
    for token, delivery_id in _held.snapshot().items():
        result = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.claim_token == token,
                WebhookDelivery.status == DeliveryStatus.SENDING,
            )
            .values(status=DeliveryStatus.PENDING, claim_token=None, leased_until=None, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if result.rowcount == 1:
            released.append(delivery_id)
            log.warning("webhook delivery %s released unsent: the worker is stopping", delivery_id)
    return released


# --- One attempt ---------------------------------------------------------------------------------


def _send_claimed(
    session: Session, delivery_id: int, token: str, allow_private: bool, now: datetime, timeout: float
) -> Outcome:
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    event, subscription = delivery.event, delivery.subscription
    attempts = delivery.attempts
    body = json.dumps(webhooks.body_of(event), separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())  # the receiver compares it with its own (real) clock
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Storefront-Webhooks/1",
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(subscription.secret, event.message_id, timestamp, body),
    }
    url = subscription.url
    session.commit()  # nothing held while the receiver answers
    status_code, error = None, ""
    try:
        status_code = post(url, body, headers, allow_private=allow_private, timeout=timeout)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except InvalidValue as refused:  # the address is no longer acceptable
        error = refused.message
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"
    if not error:
        _record(
            session, delivery_id, token,
            status=DeliveryStatus.DELIVERED, delivered_at=utcnow(), last_status_code=status_code,
            last_error="",
        )
        log.info("webhook delivery %s (%s) delivered, attempt %s", delivery_id, event.type, attempts)
        return Outcome.DELIVERED
    from storefront.observability import metrics

    metrics.WEBHOOK_FAILURES.inc()
    if attempts >= MAX_ATTEMPTS:
        _record(
            session, delivery_id, token,
            status=DeliveryStatus.FAILED, last_status_code=status_code, last_error=error[:MAX_ERROR],
        )
        log.error("webhook delivery %s FAILED after %s attempts: %s", delivery_id, attempts, error)
        return Outcome.FAILED
    retry_at = now + retry_delay(attempts)
    _record(
        session, delivery_id, token,
        status=DeliveryStatus.PENDING, next_attempt_at=retry_at, last_status_code=status_code,
        last_error=error[:MAX_ERROR],
    )
    log.warning(
        "webhook delivery %s not delivered (attempt %s), retrying at %s: %s",
        delivery_id, attempts, retry_at.isoformat(timespec="seconds"), error,
    )
    return Outcome.RETRY


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float) -> int:
    """POST ``body`` to ``url``, connecting only to an address checked just now; the status code.
    Never follows a redirect. Raises :class:`InvalidValue` for an address no longer allowed."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    if not https and not allow_private:
        raise InvalidValue(f"{url} is not https")
    port = parts.port or (443 if https else 80)
    address = webhooks.resolve(parts.hostname, port, allow_private=allow_private)[0]
    connection = pinned_http.connection(parts.scheme, parts.hostname, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # what a receiver says is not kept; the status is
        return response.status
    finally:
        connection.close()


# --- Rows ----------------------------------------------------------------------------------------


def _claimable(now: datetime):
    return or_(
        and_(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now),
        and_(  # its worker died: the lease has run out
            WebhookDelivery.status == DeliveryStatus.SENDING,
            WebhookDelivery.leased_until <= now,
            WebhookDelivery.attempts < MAX_ATTEMPTS,
        ),
    )


def _record(session: Session, delivery_id: int, token: str, **values) -> None:
    """Write the outcome, if the claim is still ours (it is, unless the lease ran out)."""
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claim_token == token)
        .values(claim_token=None, leased_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        log.warning("webhook delivery %s: lease lost before its outcome was recorded", delivery_id)


def _fail_abandoned(session: Session, now: datetime) -> int:
    """SENDING rows past their lease with no attempt left: their last worker died."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.status == DeliveryStatus.SENDING,
            WebhookDelivery.leased_until <= now,
            WebhookDelivery.attempts >= MAX_ATTEMPTS,
        )
        .values(
            status=DeliveryStatus.FAILED,
            claim_token=None,
            leased_until=None,
            last_error="the worker stopped while sending, and no attempt is left",
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount
