"""The seller portal's feed form on the Imports page: the seller's admin saves it (what was typed
is kept with the error when refused), sees its last fetch; another account of the seller, and
another seller, never see it."""

from __future__ import annotations

from sqlalchemy import select

from storefront.marketplace import offer_feeds
from storefront.marketplace.models import FeedStatus, OfferFeed, Role
from tests import factories, order_fixtures
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people


def _feed(visitor, **fields):
    data = {"feed-url": "", "feed-mode": "NORMAL", "feed-frequency": "HOURLY", "feed-daily_time": "",
            "feed-enabled": "y", **{f"feed-{k}": v for k, v in fields.items()}}
    return visitor.post("/seller/imports/feed", data)


def test_the_admin_saves_the_feed_and_errors_keep_what_was_typed(app, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert 'data-testid="feed-form"' in alpha.page("/seller/imports")

    refused = _feed(alpha, url="ftp://example.com/mes offres.csv")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'value="ftp://example.com/mes offres.csv"' in page
    assert "https://" in html_text(page) and 'data-testid="error-feed-url"' in page

    too_often = _feed(alpha, url="http://127.0.0.1:9/offres.csv", frequency="EVERY_15_MINUTES")
    assert too_often.status_code == 422
    assert 'data-testid="error-feed-frequency"' in too_often.get_data(as_text=True)
    no_time = _feed(alpha, url="http://127.0.0.1:9/offres.csv", frequency="DAILY")
    assert no_time.status_code == 422 and 'data-testid="error-feed-daily_time"' in no_time.get_data(as_text=True)
    assert session.scalar(select(OfferFeed.id)) is None

    saved = _feed(alpha, url="http://127.0.0.1:9/offres.csv?key=s3cret", frequency="DAILY", daily_time="06:30",
                  mode="REPLACE")
    assert saved.status_code == 302
    feed = offer_feeds.feed_of(session, people.shop.alpha.id)
    assert (feed.url, feed.mode, feed.frequency, feed.daily_minute, feed.enabled) == (
        "http://127.0.0.1:9/offres.csv?key=s3cret", "REPLACE", "DAILY", 390, True)
    page = alpha.page("/seller/imports")
    assert 'value="http://127.0.0.1:9/offres.csv?key=s3cret"' in page and 'value="06:30"' in page
    assert 'data-status="NEW"' in page

    # Its last fetch, worded in the reader's language.
    feed.last_status, feed.last_error, feed.last_error_code = FeedStatus.FAILED, "HTTP 500", "feed_http"
    feed.last_error_details = {"status": 500}
    session.commit()
    assert "HTTP 500" in html_text(alpha.page("/seller/imports"))


def test_other_accounts_and_other_sellers_never_see_the_feed(app, session, people):
    colleague = factories.user(session, Role.SELLER, seller=people.shop.alpha, email="alpha2@example.com")
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert _feed(alpha, url="http://127.0.0.1:9/alpha.csv?key=s3cret").status_code == 302

    other = Visitor(app.test_client()).log_in(colleague)
    page = other.page("/seller/imports")
    assert "s3cret" not in page and 'data-testid="feed-admin-only"' in page
    assert _feed(other, url="http://127.0.0.1:9/mine.csv").status_code == 403

    beta = Visitor(app.test_client()).log_in(people.beta_staff)
    assert "s3cret" not in beta.page("/seller/imports")
    assert _feed(beta, url="http://127.0.0.1:9/beta.csv").status_code == 302
    session.expire_all()
    urls = {f.seller_id: f.url for f in session.scalars(select(OfferFeed))}
    assert urls == {people.shop.alpha.id: "http://127.0.0.1:9/alpha.csv?key=s3cret",
                    people.shop.beta.id: "http://127.0.0.1:9/beta.csv"}
