"""Issue 3's journey: home → category → facet → product → another seller → postal code."""

import re

import pytest
from playwright.sync_api import expect

from tests.shop_fixtures import NOW

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def frozen_time(app):
    app.config["FROZEN_TIME"] = NOW
    yield
    app.config.pop("FROZEN_TIME", None)


def test_browse_choose_and_change_postal_code(live_server, browser_page, mini_shop):
    page = browser_page
    page.goto(live_server + "/")
    page.get_by_role("link", name="Maison").first.click()
    expect(page.get_by_test_id("product-card")).to_have_count(3)

    # A facet narrows the grid through htmx, and the URL follows (shareable, back works).
    page.locator('[data-facet="brand"] [data-value="bosch"]').click()
    expect(page.get_by_test_id("product-card")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"brand=bosch"))
    page.go_back()
    expect(page.get_by_test_id("product-card")).to_have_count(3)
    page.go_forward()
    expect(page.get_by_test_id("product-card")).to_have_count(1)

    page.get_by_test_id("product-card").get_by_role("link", name=re.compile("Lave-linge")).click()
    buy_box = page.get_by_test_id("buy-box")
    # New offers first: the retailer's new one, with the refurbished one offered beside it.
    expect(buy_box.get_by_test_id("price")).to_contain_text("549,00")
    expect(buy_box.get_by_test_id("alternative")).to_have_text(re.compile("Reconditionné dès 399,00"))
    expect(page.get_by_test_id("offer")).to_have_count(2)

    # Another seller's offer swaps into the buy box without a reload.
    martin = page.get_by_test_id("offer").filter(has_text="Maison Martin")
    martin.get_by_test_id("choose-offer").click()
    expect(buy_box.get_by_test_id("sold-by")).to_contain_text("Maison Martin")
    expect(buy_box.get_by_test_id("price")).to_contain_text("559,00")
    expect(buy_box.get_by_test_id("delivery-option")).to_have_count(2)

    # Corsica: Maison Martin does not deliver there; dates move.
    page.get_by_test_id("postal-code").fill("20000")
    page.get_by_test_id("postal-code-form").get_by_role("button").click()
    expect(page.locator(".flash--success")).to_contain_text("20000")
    expect(page.get_by_test_id("offer").filter(has_text="Maison Martin")).to_contain_text("Ne livre pas au 20000")
    expect(page.get_by_test_id("buy-box").get_by_test_id("delivery-promise").first).to_contain_text("déc.")
    page.screenshot(path="test-artifacts/catalog-journey.png", full_page=True)
