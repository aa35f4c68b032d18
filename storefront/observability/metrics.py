"""Prometheus metrics (prometheus_client), scraped at ``/metrics``.

- ``storefront_http_request_duration_seconds{endpoint, status}``: latency by Flask endpoint name
  (never the raw path: bounded cardinality; ``none`` for an address no route matches) and
  status class (``2xx``…);
- ``storefront_orders_placed_total``: customer orders committed (counted after the commit, by a
  session hook: a rolled-back order never counts, whichever adapter placed it);
- ``storefront_job_failures_total{task}``: tasks that raised in the worker (Huey's error signal);
- ``storefront_webhook_failures_total``: outgoing webhook attempts that failed (non-2xx, timeout,
  refused address), each retry counted (storefront/webhooks/delivery.py);
- ``storefront_outbox_pending_messages`` and ``storefront_outbox_oldest_pending_age_seconds``:
  emails not delivered yet (PENDING or SENDING) and the age of the oldest, computed at scrape
  time by one query.

With several processes (gunicorn workers) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder
of the host in every process's environment: prometheus_client then keeps the counts in files
there and ``/metrics`` adds up every process's (gunicorn.conf.py empties the folder at start and
marks dead workers). Without it each process reports its own counts.

``/metrics`` is protected: with ``METRICS_TOKEN`` set, a scraper sends
``Authorization: Bearer <token>``; without it, only requests from the loopback interface are
answered (a Prometheus agent on the same host). Anyone else gets a 404.
"""

from __future__ import annotations

import hmac
import logging
import os
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from storefront.listening import is_loopback

REQUEST_LATENCY = Histogram(
    "storefront_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint and status class.",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ORDERS_PLACED = Counter("storefront_orders_placed", "Customer orders committed.")
JOB_FAILURES = Counter("storefront_job_failures", "Background tasks that raised.", ["task"])
WEBHOOK_FAILURES = Counter(
    "storefront_webhook_failures",
    "Outgoing webhook attempts that failed (non-2xx, timeout, refused address).",
)

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)


def multiprocess_dir() -> str | None:
    # Read from the process environment, not the app's settings: prometheus_client decides
    # where its values live when it is imported, from the same variable.
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def observe_request(endpoint: str | None, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(endpoint or "none", f"{status // 100}xx").observe(seconds)


def count_job_failure(signal, task, exc=None) -> None:
    """Huey's ``SIGNAL_ERROR`` handler."""
    JOB_FAILURES.labels(getattr(task, "name", "unknown")).inc()


# --- Orders placed: counted once the transaction that wrote them has committed -------------------

_NEW_ORDERS = "storefront.metrics.new_orders"


@event.listens_for(Session, "after_flush")
def _note_new_orders(session: Session, flush_context) -> None:
    from storefront.marketplace.models import CustomerOrder

    added = sum(1 for obj in session.new if isinstance(obj, CustomerOrder))
    if added:
        session.info[_NEW_ORDERS] = session.info.get(_NEW_ORDERS, 0) + added


@event.listens_for(Session, "after_commit")
def _count_new_orders(session: Session) -> None:
    added = session.info.pop(_NEW_ORDERS, 0)
    if added:
        ORDERS_PLACED.inc(added)


@event.listens_for(Session, "after_rollback")
def _forget_new_orders(session: Session) -> None:
    session.info.pop(_NEW_ORDERS, None)


# --- The outbox, at scrape time ------------------------------------------------------------------


class OutboxCollector:
    """Emails waiting to be delivered and the age of the oldest, from one query."""

    def __init__(self, engine):
        self.engine = engine

    def collect(self):
        from storefront.marketplace.models import OutboxMessage, OutboxStatus

        waiting = OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        query = select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(waiting)
        try:
            with self.engine.connect() as conn:
                count, oldest = conn.execute(query).one()
        except Exception:
            # The database is down: /metrics still answers with everything else (/readyz says
            # what is wrong).
            log.warning("the outbox gauges could not be read", exc_info=True)
            return []
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:  # stored as naive UTC
                oldest = oldest.replace(tzinfo=UTC)
            age = max((datetime.now(UTC) - oldest).total_seconds(), 0.0)
        pending = GaugeMetricFamily(
            "storefront_outbox_pending_messages", "Emails in the outbox not delivered yet."
        )
        pending.add_metric([], count)
        oldest_age = GaugeMetricFamily(
            "storefront_outbox_oldest_pending_age_seconds",
            "Age of the oldest email not delivered yet (0 when none waits).",
        )
        oldest_age.add_metric([], age)
        return [pending, oldest_age]


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return is_loopback(request.remote_addr or "")


@bp.get("/metrics")
def scrape():
    if not _allowed():
        abort(404)  # says nothing about what is there
    from storefront.extensions import db

    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    outbox = CollectorRegistry()
    outbox.register(OutboxCollector(db.engine))
    body = generate_latest(registry) + generate_latest(outbox)
    response = Response(body, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    from storefront.extensions import limiter

    limiter.exempt(scrape)
    app.register_blueprint(bp)
