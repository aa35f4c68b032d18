"""Scheduled job: cancel seller orders whose acceptance deadline has passed."""

from __future__ import annotations

from huey import crontab

from storefront.extensions import db
from storefront.jobs import app_context, huey
from storefront.marketplace import orders


@huey.periodic_task(crontab(minute="*"))
def cancel_overdue_orders() -> int:
    """Every minute; returns how many seller orders were cancelled."""
    with app_context():
        return len(orders.cancel_overdue(db.session))
