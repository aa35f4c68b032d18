"""Scheduled job: cancel seller orders whose acceptance deadline has passed."""

from __future__ import annotations

from huey import crontab

from storefront.extensions import db
from storefront.jobs import periodic_task
from storefront.marketplace import orders


@periodic_task(crontab(minute="*"))
def cancel_overdue_orders() -> int:
    """Every minute; returns how many seller orders were cancelled."""
    return len(orders.cancel_overdue(db.session))
