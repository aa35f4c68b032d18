"""Scheduled job: delete the rows nobody will read again (abandoned guest carts, emails sent long
ago, and whatever other modules registered in ``marketplace.housekeeping``)."""

from __future__ import annotations

import logging

from flask import current_app
from huey import crontab

from storefront import rate_limit_storage
from storefront.extensions import db
from storefront.jobs import periodic_task
from storefront.marketplace import clock as shop_clock
from storefront.marketplace import housekeeping

logger = logging.getLogger(__name__)

# Rate-limit windows carry their own expiry in real (not shop) time: an expired one already counts
# as zero, this only keeps the table small.
housekeeping.register(
    housekeeping.Purge(
        "rate_limit_counters", lambda session, _cutoff: rate_limit_storage.purge_expired(session)
    )
)


@periodic_task(crontab(minute="17"))
def purge_old_rows() -> dict[str, int]:
    """Every hour (at minute 17); returns how many rows each purge deleted."""
    session = db.session
    deleted = housekeeping.run_all(
        session, now=shop_clock.of(session).now(), settings=current_app.config
    )
    logger.info(
        "housekeeping: %s", ", ".join(f"{name} {count}" for name, count in deleted.items())
    )
    return deleted
