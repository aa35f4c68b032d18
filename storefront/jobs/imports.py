"""Import jobs: an import recorded by the portal, the API or a feed runs here, never in a web
request. Sellers' feeds are fetched here on their schedule. A sweep picks up imports whose queued task was lost (queue unreachable at submit time)
or whose worker was killed midway (they go on from their last committed batch)."""

from __future__ import annotations

import logging

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import periodic_task, task
from storefront.marketplace import clock as shop_clock
from storefront.marketplace import data_imports, offer_feeds
from storefront.marketplace.models import OfferFeed

log = logging.getLogger(__name__)


@task
def run_data_import(import_id: int) -> str:
    """Run one import of any kind (offers, order statuses), by its kind; returns its status."""
    with Session(db.engine) as session:
        record = data_imports.run(session, import_id,
                                  storage=data_imports.Storage.from_settings(current_app.config))
        return record.status.value if record is not None else "MISSING"


@periodic_task(crontab(minute="*/5"))
def sweep_data_imports() -> int:
    """Every five minutes: imports whose task was lost or whose worker was killed go on."""
    with Session(db.engine) as session:
        ids = data_imports.stalled(session, shop_clock.of(session).now())
    for import_id in ids:
        run_data_import.call_local(import_id)
    return len(ids)


@periodic_task(crontab(minute="*"))
def fetch_offer_feeds() -> int:
    """Every minute: fetch the sellers' feeds whose time has come, each in its own session
    (one feed's failure, even an unexpected one, never stops the others), and run the imports
    they recorded in this worker's queue. Returns how many feeds were fetched."""
    settings = offer_feeds.FeedSettings.from_settings(current_app.config)
    with Session(db.engine) as session:
        ids = offer_feeds.due(session, shop_clock.of(session).now())
    return sum(_fetch(feed_id, settings) for feed_id in ids)


@task
def fetch_offer_feed(feed_id: int) -> bool:
    """Fetch one feed now if it is due (a seller's "fetch now", ``offer_feeds.run_now``, made it
    so); the minute's job would take it too, and the claim lets only one of them fetch it."""
    return _fetch(feed_id, offer_feeds.FeedSettings.from_settings(current_app.config))


def _fetch(feed_id: int, settings: offer_feeds.FeedSettings) -> bool:
    """Fetch the feed in its own session and queue the import it recorded; whether it was fetched."""
    with Session(db.engine) as session:
        feed = session.get(OfferFeed, feed_id)
        if feed is None:
            return False
        try:
            outcome = offer_feeds.fetch(session, feed, settings=settings)
        except Exception:
            log.exception("offer feed %s: the fetch stopped on an unexpected error", feed_id)
            return False
    if outcome.to_run:
        try:
            run_data_import(outcome.import_id)
        except Exception:  # the queue is unreachable: the sweep runs it within minutes
            log.exception("could not queue offer import %s of feed %s", outcome.import_id, feed_id)
    return outcome.fetched
