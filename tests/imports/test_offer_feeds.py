"""Sellers' offer feeds, against a real HTTP server on the loopback interface: fetched when due on
the shop's (frozen) clock and not before, an unchanged file imports nothing, a changed one does;
a timeout, endless redirects, an HTTP error, a body too big and a private address each leave a
readable error on the feed, the next attempt on schedule, and no offer changed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from storefront.jobs.imports import fetch_offer_feeds
from storefront.marketplace import offer_feeds, offer_imports
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import (
    DataImport,
    FeedFrequency,
    FeedStatus,
    ImportSource,
    ImportStatus,
    Offer,
)
from storefront.marketplace.refusals import Refusal
from storefront.web.refusals import explain
from tests import factories
from tests.imports import feed_server, helpers

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 9:00 in Paris


@pytest.fixture
def server():
    state, stop = feed_server.serve()
    yield state
    stop()


@pytest.fixture
def frozen(app):
    app.config["FROZEN_TIME"] = NOW
    yield
    app.config.pop("FROZEN_TIME", None)


def at(app, moment):
    app.config["FROZEN_TIME"] = moment


def offers_file(products, price="10,00", stock=5):
    return helpers.csv_bytes([["sku", "ean", "prix", "quantité"]]
                             + [[f"F-{i}", p.gtin, price, stock] for i, p in enumerate(products)])


def settings(tmp_path, **kwargs):
    return offer_feeds.FeedSettings(helpers.storage(tmp_path, kwargs.pop("max_bytes", helpers.MAX)),
                                    timeout=kwargs.pop("timeout", 5.0), allow_private=kwargs.pop("allow_private", True))


def offers(session, seller):
    session.expire_all()
    return {o.sku: (o.price, o.stock) for o in session.scalars(select(Offer).where(Offer.seller_id == seller.id))}


def test_the_job_fetches_a_feed_when_due_and_only_then(app, session, server, frozen):
    seller, products = helpers.shop(session, 2)
    server.files["/offers.csv"] = offers_file(products)
    feed = offer_feeds.save(session, seller, url=f"{server.url}/offers.csv", frequency=FeedFrequency.HOURLY,
                            allow_private=True)
    assert offer_feeds.due(session, NOW) == [feed.id]  # a new feed: at once

    assert fetch_offer_feeds.call_local() == 1
    session.expire_all()
    record = session.scalar(select(DataImport))
    # The test queue runs the import at once, as the worker would after the fetch.
    assert (record.source, record.status, record.created_count) == (ImportSource.FEED, ImportStatus.COMPLETE, 2)
    assert record.file_name == "offers.csv"
    assert offers(session, seller) == {"F-0": (1000, 5), "F-1": (1000, 5)}
    feed = session.get(offer_feeds.OfferFeed, feed.id)
    assert (feed.last_status, feed.last_import_id, feed.last_fetched_at) == (FeedStatus.IMPORTED, record.id, NOW)
    assert feed.next_due_at == NOW + timedelta(hours=1)

    # Not before its time.
    assert fetch_offer_feeds.call_local() == 0
    at(app, NOW + timedelta(minutes=59))
    assert fetch_offer_feeds.call_local() == 0
    assert server.hits("/offers.csv") == 1

    # Due again, the same file: fetched, nothing imported.
    at(app, NOW + timedelta(hours=1))
    assert fetch_offer_feeds.call_local() == 1
    session.expire_all()
    assert server.hits("/offers.csv") == 2
    assert session.scalar(select(func.count(DataImport.id))) == 1
    assert session.get(offer_feeds.OfferFeed, feed.id).last_status == FeedStatus.UNCHANGED

    # A changed file: a new import, applied.
    server.files["/offers.csv"] = offers_file(products, price="12,50", stock=3)
    at(app, NOW + timedelta(hours=2))
    assert fetch_offer_feeds.call_local() == 1
    assert session.scalar(select(func.count(DataImport.id))) == 2
    assert offers(session, seller) == {"F-0": (1250, 3), "F-1": (1250, 3)}

    # Back to the first file: its rows apply again (yesterday's stocks are today's again).
    server.files["/offers.csv"] = offers_file(products)
    at(app, NOW + timedelta(hours=3))
    assert fetch_offer_feeds.call_local() == 1
    assert session.scalar(select(func.count(DataImport.id))) == 3
    assert offers(session, seller) == {"F-0": (1000, 5), "F-1": (1000, 5)}


def test_a_daily_feed_waits_for_its_time_of_day_and_a_304_imports_nothing(app, session, server, frozen, tmp_path):
    seller, products = helpers.shop(session, 1)
    server.files["/daily.csv"] = offers_file(products)
    server.etags.add("/daily.csv")
    feed = offer_feeds.save(session, seller, url=f"{server.url}/daily.csv", frequency="DAILY",
                            daily_time=time(6, 30), allow_private=True)
    outcome = offer_feeds.fetch(session, feed, settings=settings(tmp_path))
    assert outcome.fetched and outcome.to_run and feed.etag
    offer_imports.run(session, outcome.import_id, storage=settings(tmp_path).storage)
    # 6:30 in Paris is 5:30 UTC; it is 9:00 in Paris: tomorrow.
    assert feed.next_due_at == datetime(2026, 12, 8, 5, 30, tzinfo=UTC)
    assert not offer_feeds.fetch(session, feed, NOW + timedelta(hours=20), settings=settings(tmp_path)).fetched
    again = offer_feeds.fetch(session, feed, datetime(2026, 12, 8, 5, 30, tzinfo=UTC), settings=settings(tmp_path))
    assert again.fetched and not again.to_run and feed.last_status == FeedStatus.UNCHANGED
    assert server.requests[-1][1].get("If-None-Match") == feed.etag  # a conditional GET, answered 304
    assert session.scalar(select(func.count(DataImport.id))) == 1


@pytest.mark.parametrize(("path", "reason", "options", "english"), [
    ("/slow", Refusal.FEED_TIMEOUT, {"timeout": 0.3}, "did not answer within 0.3 seconds"),
    ("/loop", Refusal.FEED_REDIRECTS, {}, "redirects more than 5 times"),
    ("/error", Refusal.FEED_HTTP, {}, "error HTTP 500"),
    ("/big", Refusal.IMPORT_TOO_BIG, {"max_bytes": 20_000}, "too big"),
    ("/big-declared", Refusal.IMPORT_TOO_BIG, {"max_bytes": 20_000}, "too big"),
    ("/offers.csv", Refusal.FEED_PRIVATE_ADDRESS, {"allow_private": False}, "private or local network"),
    ("/redirect-to/error", Refusal.FEED_HTTP, {}, "error HTTP 500"),
    ("/missing.csv", Refusal.FEED_HTTP, {}, "error HTTP 404"),
])
def test_a_failed_fetch_is_a_readable_error_on_the_feed_and_changes_no_offer(
        app, session, server, frozen, tmp_path, path, reason, options, english):
    seller, products = helpers.shop(session, 1)
    server.slow_seconds = 1.5
    server.files["/offers.csv"] = offers_file(products, price="99,00")
    helpers.submit_and_run(session, seller, offers_file(products), helpers.storage(tmp_path))
    before = offers(session, seller)
    feed = offer_feeds.save(session, seller, url=server.url + path, frequency="HOURLY", allow_private=True)

    outcome = offer_feeds.fetch(session, feed, settings=settings(tmp_path, **options))

    assert outcome.fetched and not outcome.to_run
    assert (feed.last_status, feed.last_error_code) == (FeedStatus.FAILED, reason)
    assert feed.next_due_at == NOW + timedelta(hours=1)  # the next attempt, on schedule
    with app.test_request_context():
        with force_locale("en"):
            words = explain(offer_feeds.last_error(feed))
        with force_locale("fr"):
            french = explain(offer_feeds.last_error(feed))
    assert english in words and french != words
    assert offers(session, seller) == before
    assert session.scalar(select(func.count(DataImport.id))) == 1  # the first file only
    assert not list((tmp_path / "imports" / "feeds").glob("*"))  # no download left behind


def test_a_file_the_import_refuses_is_the_feeds_error_and_is_tried_again(app, session, server, frozen, tmp_path):
    seller, products = helpers.shop(session, 1)
    server.files["/wrong.csv"] = b"sku|price\r\nA|1\r\n"  # a delimiter the import does not read
    server.etags.add("/wrong.csv")
    feed = offer_feeds.save(session, seller, url=f"{server.url}/wrong.csv", frequency="HOURLY", allow_private=True)
    offer_feeds.fetch(session, feed, settings=settings(tmp_path))
    assert (feed.last_status, feed.last_error_code, feed.etag) == (FeedStatus.FAILED, Refusal.IMPORT_HEADER, "")
    server.files["/wrong.csv"] = offers_file(products)
    later = offer_feeds.fetch(session, feed, NOW + timedelta(hours=1), settings=settings(tmp_path))
    assert later.to_run and feed.last_status == FeedStatus.IMPORTED and feed.last_error == ""


def test_one_failing_feed_does_not_stop_the_others(app, session, server, frozen):
    alpha, products = helpers.shop(session, 1)
    beta = factories.seller(session, "Maison Flux")
    server.files["/beta.csv"] = offers_file(products)
    offer_feeds.save(session, alpha, url=f"{server.url}/error", frequency="HOURLY", allow_private=True)
    offer_feeds.save(session, beta, url=f"{server.url}/beta.csv", frequency="HOURLY", allow_private=True)
    assert fetch_offer_feeds.call_local() == 2
    assert offer_feeds.feed_of(session, alpha.id).last_status == FeedStatus.FAILED
    assert offers(session, beta) == {"F-0": (1000, 5)}


def test_saving_a_feed_checks_the_url_and_the_operators_limits(session, server):
    seller, _ = helpers.shop(session, 1)
    for url in ("ftp://example.com/offers.csv", "offers.csv", "https://user:pw@example.com/f.csv",
                "https://exa mple.com/f.csv", ""):
        with pytest.raises(InvalidValue) as refused:
            offer_feeds.save(session, seller, url=url, frequency="HOURLY")
        assert refused.value.details["reason"] == Refusal.FEED_URL
    with pytest.raises(InvalidValue) as refused:  # loopback, outside development
        offer_feeds.save(session, seller, url=f"{server.url}/offers.csv", frequency="HOURLY")
    assert refused.value.details["reason"] == Refusal.FEED_PRIVATE_ADDRESS
    # The shop's defaults: at least 15 minutes between imports, 24 a day: hourly at most.
    with pytest.raises(InvalidValue) as refused:
        offer_feeds.save(session, seller, url=f"{server.url}/o.csv", frequency="EVERY_15_MINUTES", allow_private=True)
    assert refused.value.details["reason"] == Refusal.FEED_FREQUENCY and refused.value.details["limit"] == 24
    with pytest.raises(InvalidValue) as refused:
        offer_feeds.save(session, seller, url=f"{server.url}/o.csv", frequency="DAILY", allow_private=True)
    assert refused.value.details["reason"] == Refusal.FEED_DAILY_TIME
    assert offer_feeds.feed_of(session, seller.id) is None
    assert offer_feeds.allowed_frequencies(session) == [FeedFrequency.HOURLY, FeedFrequency.DAILY]
