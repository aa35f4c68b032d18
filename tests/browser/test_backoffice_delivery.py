"""The operator sets up delivery to Belgium in the back office (French): creates the zone (after a
rule another zone holds is refused), sets the shop's rate there in the grid (saved in place by
htmx), and previews the promise for a Brussels postal code; every delivery page is shot at 1280
and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import order_fixtures
from tests.browser.screens import assert_french, assert_french_spacing, shoot
from tests.browser.test_seller_journey import log_in

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixture, for this module's tests


def test_the_operator_opens_belgium_and_previews_a_promise(live_server, browser_page, people):
    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-delivery").click()
    expect(page.get_by_test_id("zone-row")).to_have_count(2)
    assert_french(page)
    shoot(page, "backoffice-delivery-zones")

    # A zone: one rule that Corsica holds is refused, naming it; what was typed stays.
    page.get_by_test_id("new-zone").click()
    page.locator("#code").fill("BE")
    page.locator("#label").fill("Belgique")
    page.locator("#label_en").fill("Belgium")
    page.locator("#rules").fill("BE\nFR 20")
    page.get_by_test_id("save-zone").click()
    expect(page.get_by_test_id("error-rules")).to_contain_text("Corse (FR-COR)")
    expect(page.locator("#code")).to_have_value("BE")
    assert_french_spacing(page.get_by_test_id("error-rules"))
    assert_french(page)
    shoot(page, "backoffice-delivery-zone-refused")
    page.locator("#rules").fill("BE")
    page.get_by_test_id("save-zone").click()
    expect(page.get_by_test_id("zone-row")).to_have_count(3)
    expect(page.locator('[data-testid="zone-row"][data-code="BE"]')).to_contain_text("Belgique")

    # The shop's rate for tracked delivery to Belgium, saved in its row.
    page.get_by_test_id("tab-rates").click()
    page.locator("#zone").select_option(label="Belgique (BE)")
    page.get_by_role("button", name="Filtrer").click()
    row = page.locator('[data-testid="rate-row"][data-mode="THD"][data-zone="BE"]')
    row.get_by_role("checkbox").check()
    row.locator('input[name$="-fee"]').fill("7,90")
    row.locator('input[name$="-transit_min"]').fill("3")
    row.locator('input[name$="-transit_max"]').fill("5")
    row.get_by_test_id("save-rate").click()
    expect(row.get_by_test_id("rate-saved")).to_be_visible()
    expect(row.locator('input[name$="-fee"]')).to_have_value("7,90")
    assert_french(page)
    shoot(page, "backoffice-delivery-rates")

    # The promise a Brussels shopper would see for the shop's washer.
    page.get_by_test_id("tab-preview").click()
    page.locator("#q").fill("Lave-linge")
    page.locator("#country").select_option("BE")
    page.locator("#postal_code").fill("1000")
    page.get_by_test_id("preview-submit").click()
    offers = page.get_by_test_id("preview-offer")
    expect(offers).to_have_count(2)
    # The retailer's washer (Alpha's does not ship to Belgium).
    page.get_by_test_id("preview-offers").locator("li", has_text=people.shop.retailer.name).get_by_test_id(
        "preview-offer").click()
    options = page.get_by_test_id("preview-option")
    expect(page.get_by_test_id("preview-offer-title")).to_be_visible()
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("data-mode", "THD")
    expect(options.first).to_contain_text("7,90")
    assert "offer=" in page.url  # the result has its own address (htmx pushed it)
    assert_french(page)
    shoot(page, "backoffice-delivery-preview")

    page.get_by_test_id("tab-modes").click()
    expect(page.get_by_test_id("mode-row")).to_have_count(3)
    assert_french(page)
    shoot(page, "backoffice-delivery-modes")
    page.get_by_test_id("tab-carriers").click()
    expect(page.get_by_test_id("carrier-row").first).to_be_visible()
    assert_french(page)
    shoot(page, "backoffice-delivery-carriers")

    # The edit forms, as they look.
    page.get_by_test_id("carrier-row").first.get_by_role("link", name="Modifier").click()
    expect(page.get_by_test_id("carrier-form")).to_be_visible()
    assert_french(page)
    shoot(page, "backoffice-delivery-carrier")
    page.get_by_test_id("tab-modes").click()
    page.get_by_test_id("mode-row").first.get_by_role("link", name="Modifier").click()
    expect(page.get_by_test_id("mode-form")).to_be_visible()
    assert_french(page)
    shoot(page, "backoffice-delivery-mode")
    page.get_by_test_id("tab-zones").click()
    page.locator('[data-testid="zone-row"][data-code="BE"]').get_by_role("link", name="Modifier").click()
    expect(page.get_by_test_id("zone-code")).to_have_text("BE")
    assert_french(page)
    shoot(page, "backoffice-delivery-zone")
