"""Scheduled job: push new and changed orders to the sellers who asked for it, each when the
shop's interval (preference ``order_export_minutes``) has elapsed since its last push."""

from __future__ import annotations

from flask import current_app
from huey import crontab

from storefront.extensions import db
from storefront.jobs import periodic_task
from storefront.marketplace import order_exports


@periodic_task(crontab(minute="*/5"))
def push_order_exports() -> int:
    """Every five minutes (the shortest interval the preference allows); returns how many files
    were written."""
    return len(order_exports.push_due(db.session, current_app.config["EXPORT_DROP_ROOT"]))
