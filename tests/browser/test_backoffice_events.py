"""The operator makes an event category from rules in the back office (French): a brand and a
minimum discount, the preview count before saving, then the home page's shelf with that many
products and the event's own page listing them; screenshots at 1280 and 390 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.event_fixtures import build_event_shop

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_the_operator_makes_an_event_the_home_page_shows(live_server, browser_page, session, people):
    ev = build_event_shop(session, people.shop)
    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-events").click()
    expect(page.get_by_test_id("no-events")).to_be_visible()
    page.get_by_test_id("new-event").click()

    page.locator("#name").fill("Semaine Lumo")
    ends = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")) + timedelta(days=7)
    page.locator("#ends_at").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#brands").select_option(label="Lumo")
    page.locator("#min_discount").fill("10")
    page.get_by_test_id("preview-button").click()
    count = page.get_by_test_id("preview-count")
    expect(count).to_have_attribute("data-count", "2")
    expect(count).to_have_text("2 produits correspondent à ces règles.")
    expect(page.get_by_test_id("preview-sample").locator("li")).to_have_count(2)
    # The page stayed where it was (htmx swapped the count in): the typed name is still there.
    expect(page.locator("#name")).to_have_value("Semaine Lumo")
    # A change of rule updates the count without a click.
    page.locator("#min_discount").fill("30")
    page.locator("#min_discount").dispatch_event("change")
    expect(count).to_have_attribute("data-count", "1")
    page.locator("#min_discount").fill("10")
    page.get_by_test_id("preview-button").click()
    expect(count).to_have_attribute("data-count", "2")
    assert_french(page)
    shoot(page, "backoffice-event-form")

    page.get_by_test_id("save-event").click()
    expect(page.get_by_test_id("event-name")).to_have_text("Semaine Lumo")
    expect(page.get_by_test_id("event-state")).to_have_text("En cours")
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    # Pin a product by its GTIN: in whatever the rules say; then give it back to the rules.
    fridge = ev.products["fridge"]
    page.locator("#reference").fill(fridge.gtin)
    page.get_by_test_id("pin").click()
    expect(page.get_by_test_id("pick-row")).to_have_count(1)
    expect(page.get_by_test_id("member-row")).to_have_count(3)
    assert_french(page)
    shoot(page, "backoffice-event")
    page.get_by_test_id("pick-row").get_by_role("button", name="Rendre aux règles").click()
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    page.get_by_test_id("nav-events").click()
    expect(page.get_by_test_id("event-row")).to_have_count(1)
    expect(page.get_by_test_id("event-count")).to_have_text("2")
    assert_french(page)
    shoot(page, "backoffice-events")

    page.goto(f"{live_server}/")
    shelf = page.get_by_test_id("event-shelf")
    expect(shelf).to_have_count(1)
    expect(shelf).to_contain_text("Semaine Lumo")
    expect(shelf.get_by_test_id("product-card")).to_have_count(2)
    assert_french(page)
    shoot(page, "home-event-shelf")

    shelf.get_by_test_id("event-shelf-link").click()
    expect(page.get_by_test_id("event-title")).to_have_text("Semaine Lumo")
    expect(page.get_by_test_id("product-card")).to_have_count(2)
    expect(page.get_by_test_id("product-grid")).to_contain_text("Lave-linge Lumo 8 kg")
    expect(page.get_by_test_id("product-grid")).to_contain_text("Sèche-linge Lumo")
    shoot(page, "shop-event-page")
