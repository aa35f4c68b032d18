"""Scheduled job: recompute the event shelves.

Listing refreshes keep shelves current as offers change through the shop's services; this
catches the rest (an event's start, a product recategorised, an import that bypassed a refresh).
"""

from __future__ import annotations

from huey import crontab

from storefront.extensions import db
from storefront.jobs import periodic_task
from storefront.marketplace import event_categories


@periodic_task(crontab(minute="*/15"))
def recompute_event_categories() -> int:
    """Every quarter of an hour; returns how many events were recomputed."""
    return event_categories.recompute_current(db.session)
