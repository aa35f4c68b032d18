"""The back office's home in a browser (French): the figures of the last 30 days, the charts drawn
as SVG images (loaded, no script, no policy violation: the browser fixture fails on any), the 7-day
period, and a figure leading to the order list filtered the same way. Screenshots at 1280 and
390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from storefront.marketplace import discussions, orders
from storefront.marketplace.models import ActorRole, utcnow
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.order_fixtures import part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_the_home_shows_the_marketplace_at_a_glance(live_server, browser_page, session, people):
    shop = people.shop
    old = utcnow() - timedelta(days=12)
    late = part_of(place(session, people.customer, (shop.offers["alpha"], 2), now=old), shop.alpha)
    orders.accept(session, late, actor_role=ActorRole.SELLER, now=old + timedelta(hours=1))
    refused = part_of(place(session, people.other_customer, (shop.offers["beta"], 1),
                            now=utcnow() - timedelta(days=3)), shop.beta)
    orders.refuse(session, refused, reason_code="PRICE_ERROR", actor_role=ActorRole.SELLER)
    place(session, people.customer, (shop.offers["first_party"], 1), (shop.offers["gamma"], 1))
    thread = discussions.open_thread(session, people.customer, shop.alpha, "WHERE_IS_MY_ORDER",
                                     "Bonjour, où en est ma commande ?", seller_order=late,
                                     at=utcnow() - timedelta(days=2))
    discussions.post_message(session, thread, people.alpha_staff, "Elle part aujourd’hui.",
                             at=utcnow() - timedelta(days=2) + timedelta(hours=3))
    discussions.post_message(session, thread, people.customer, "Toujours rien reçu.", at=utcnow() - timedelta(hours=5))
    session.commit()

    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    expect(page.get_by_test_id("period-30")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("figure-orders-value")).to_have_text("4")
    expect(page.get_by_test_id("figure-late-value")).to_have_text("1")
    expect(page.get_by_test_id("figure-refused-value")).to_have_text("1")
    expect(page.get_by_test_id("figure-response-value")).to_have_text("3 heures")
    expect(page.get_by_test_id("late-seller")).to_contain_text(shop.alpha.name)
    expect(page.get_by_test_id("unanswered-seller")).to_contain_text(shop.alpha.name)
    for chart in ("gmv", "orders", "sellers"):
        image = page.get_by_test_id(f"chart-{chart}")
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, chart
    assert page.locator("svg script, script:not([src])").count() == 0
    assert_french(page)
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "backoffice-home")

    page.get_by_test_id("period-7").click()
    expect(page.get_by_test_id("figure-orders-value")).to_have_text("3")
    expect(page.get_by_test_id("figure-late-value")).to_have_text("0")  # placed 12 days ago
    page.get_by_test_id("period-30").click()
    page.get_by_test_id("figure-late-link").click()
    expect(page.get_by_test_id("late-filter")).to_be_checked()
    expect(page.get_by_test_id("order-row")).to_have_count(1)
    expect(page.get_by_test_id("orders-table")).to_contain_text(late.number)
