"""Webhook delivery jobs: one delivery right after the transaction that wrote it commits, and a
sweep every minute that sends whatever is due (retries, and anything the first missed).

Both run in a session of their own (the first may run inside the commit of the web request's
session, in immediate mode under test). Time comes from the shop's clock, so a frozen clock
(``FROZEN_TIME``) moves the retry schedule too.
"""

from __future__ import annotations

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import periodic_task, task, worker
from storefront.marketplace import clock as shop_clock
from storefront.marketplace import webhooks
from storefront.webhooks import delivery


@task
def deliver_webhook(delivery_id: int) -> str:
    """Returns the outcome (DELIVERED, RETRY, FAILED, or SKIPPED when not due or taken)."""
    with Session(db.engine) as session:
        return delivery.deliver(
            session,
            delivery_id,
            allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"],
            now=shop_clock.of(session).now(),
        ).value


@periodic_task(crontab(minute="*"))
def sweep_webhooks() -> int:
    """Every minute; returns how many deliveries were delivered."""
    with Session(db.engine) as session:
        return delivery.deliver_due(
            session,
            allow_private=current_app.config["WEBHOOKS_ALLOW_PRIVATE_URLS"],
            now=shop_clock.of(session).now(),
            should_stop=worker.stopping.is_set,
        ).count(delivery.Outcome.DELIVERED)


# Queued on the queue of the application whose transaction committed.
webhooks.deliver_after_commit(deliver_webhook)
