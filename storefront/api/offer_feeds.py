"""A seller's offer feed through the API (a seller's client): the URL the shop fetches on the
seller's schedule, each new file imported like an upload. ``GET``, ``PUT`` (create or replace)
and ``DELETE /offers/feed`` (scopes ``catalog:read``, ``catalog:write``), ``POST
/offers/feed/run`` to fetch it now. Thin adapters over ``marketplace.offer_feeds``, the
service behind the portal's feed form: the same URL, frequency and mapping rules."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Literal

from flask import current_app, jsonify, url_for
from pydantic import Field

from storefront.extensions import db
from storefront.marketplace import offer_feeds, offer_imports
from storefront.marketplace.errors import NotAllowed
from storefront.marketplace.models import FeedFrequency, FeedStatus, ImportMode, OfferFeed, Seller

from . import bp
from .auth import Caller, require_scope
from .idempotency import idempotent
from .orders import rfc3339
from .schema import NO_NUL, Body, Out, operation

OfferField = Literal[offer_imports.FIELDS]  # the fields of an offer file (docs/imports.md)
Header = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]  # a key: no NUL either


class FeedBody(Body):
    url: str = Field(min_length=1, max_length=offer_feeds.MAX_URL_LENGTH,
                     description="the file's address: http(s), a host, no user or password; in production its "
                                 "host must resolve to public addresses only. It may carry a key of yours "
                                 "(only your clients read it back)")
    frequency: FeedFrequency = Field(description="EVERY_15_MINUTES, HOURLY or DAILY (at `daily_time`), within "
                                                 "the operator's limits (`allowed_frequencies` of GET)")
    daily_time: time | None = Field(None, description="DAILY: the time of day, shop time (`06:30`)")
    mode: ImportMode = Field(ImportMode.NORMAL, description="NORMAL, or REPLACE: also take off sale your offers "
                                                            "the file does not list")
    enabled: bool = Field(True, description="false: kept, but not fetched")
    columns: dict[Header, OfferField] | None = Field(
        None, max_length=len(offer_imports.FIELDS),
        description="your file's headers → the offer fields, for headers the shop does not recognise "
                    "(`{\"Ref\": \"sku\", \"Qté\": \"stock\"}`); it applies to all your offer files, uploads "
                    "too. Left out: the saved mapping is kept; `{}` clears it")


class FeedRunOut(Out):
    fetched_at: str = Field(description="when the shop last fetched the file")
    status: FeedStatus = Field(description="IMPORTED (a new file: an import was recorded), UNCHANGED (the same "
                                           "file as the last import), FAILED (see `error`)")
    error: str | None = Field(description="why the fetch failed, else null")
    reason: str | None = Field(description="the refusal code of `error` (feed_timeout, feed_http, …)")
    import_id: int | None = Field(description="the import of the last file taken in")
    import_status: str | None = Field(description="its status: QUEUED, RUNNING, COMPLETE or FAILED")
    import_url: str | None


class FeedOut(Out):
    url: str
    frequency: FeedFrequency
    daily_time: str | None = Field(description="HH:MM, shop time (DAILY)")
    mode: ImportMode
    enabled: bool
    columns: dict[str, str] = Field(description="your saved column mapping: header → field")
    last_run: FeedRunOut | None = Field(description="the last fetch; null before the first one")
    next_run_at: str | None = Field(description="when the shop fetches it next (null: switched off)")
    allowed_frequencies: list[FeedFrequency] = Field(description="what the operator's limits allow")
    created_at: str
    updated_at: str


def feed_body(feed: OfferFeed) -> dict:
    session = db.session
    last_run = None
    if feed.last_fetched_at is not None:
        error = offer_feeds.last_error(feed)
        record = offer_feeds.last_import(session, feed)
        last_run = {
            "fetched_at": rfc3339(feed.last_fetched_at), "status": feed.last_status.value,
            "error": error.message if error else None, "reason": (feed.last_error_code or None) if error else None,
            "import_id": record.id if record else None,
            "import_status": record.status.value if record else None,
            "import_url": url_for("api.get_offer_import", import_id=record.id, _external=True) if record else None,
        }
    minute = feed.daily_minute
    return {
        "url": feed.url, "frequency": feed.frequency.value,
        "daily_time": f"{minute // 60:02d}:{minute % 60:02d}" if minute is not None else None,
        "mode": feed.mode.value, "enabled": feed.enabled,
        "columns": offer_imports.saved_mapping(session, feed.seller_id),
        "last_run": last_run,
        "next_run_at": rfc3339(feed.next_due_at) if feed.enabled else None,
        "allowed_frequencies": [f.value for f in offer_feeds.allowed_frequencies(session)],
        "created_at": rfc3339(feed.created_at), "updated_at": rfc3339(feed.updated_at),
    }


def _seller(caller: Caller) -> Seller:
    if caller.seller_id is None:
        raise NotAllowed("an offer feed is its seller's: the operator's clients have none")
    return db.session.get(Seller, caller.seller_id)


@bp.get("/offers/feed")
@require_scope("catalog:read")
@operation(tag="catalog", responses={200: FeedOut})
def get_offer_feed(caller: Caller):
    """The caller's offer feed: its URL, schedule, mode, column mapping, last fetch (with the
    import it became) and next fetch; 404 when it has none."""
    return jsonify(feed_body(offer_feeds.my_feed(db.session, _seller(caller).id)))


@bp.put("/offers/feed")
@require_scope("catalog:write")
@operation(tag="catalog", body=FeedBody, responses={200: FeedOut})
def put_offer_feed(caller: Caller, body: FeedBody):
    """Create or replace the caller's feed (and, with ``columns``, its column mapping), checked
    as the portal's form is: a refused URL, a frequency the operator's limits do not allow, a
    DAILY feed without ``daily_time``, a column mapped to an unknown or already mapped field
    answer 422 naming the ``field``, and nothing is saved. A new URL is fetched within the minute."""
    feed = offer_feeds.configure(
        db.session, _seller(caller), url=body.url, mode=body.mode, frequency=body.frequency,
        daily_time=body.daily_time, enabled=body.enabled, columns=body.columns,
        allow_private=current_app.config["FEED_ALLOW_PRIVATE_HOSTS"],
    )
    return jsonify(feed_body(feed))


@bp.delete("/offers/feed")
@require_scope("catalog:write")
@operation(tag="catalog", responses={204: None})
def delete_offer_feed(caller: Caller):
    """Delete the caller's feed (its imports, and the column mapping, stay); 404 when it has none."""
    offer_feeds.remove(db.session, _seller(caller))
    return "", 204


@bp.post("/offers/feed/run")
@require_scope("catalog:write")
@idempotent
@operation(tag="catalog", responses={202: FeedOut})
def run_offer_feed(caller: Caller):
    """Fetch the feed now rather than at its next time: 202 with the feed, ``Location`` to poll.

    The worker downloads the file; a new file becomes an import, named in ``last_run``
    (``import_id``, ``import_url``) once it is fetched (a file identical to the last import's is
    ``UNCHANGED`` and imports nothing). A switched-off feed answers 409 (``feed_disabled``), a
    fetch the operator's limits would refuse 422 (``import_too_soon``, ``import_daily_limit``)."""
    seller = _seller(caller)
    feed_id = offer_feeds.run_now(db.session, seller).id
    from storefront.jobs.imports import fetch_offer_feed

    try:
        fetch_offer_feed(feed_id)
    except Exception:  # the queue is unreachable: the minute's job fetches it (it is due now)
        current_app.logger.exception("could not queue the fetch of offer feed %s", feed_id)
    db.session.commit()  # nothing to write: a fresh read of the feed as it stands now
    db.session.expire_all()
    answer = jsonify(feed_body(offer_feeds.my_feed(db.session, seller.id)))
    answer.status_code = 202
    answer.headers["Location"] = url_for("api.get_offer_feed", _external=True)
    return answer
