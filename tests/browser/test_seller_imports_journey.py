"""A seller imports an offer file in the portal: uploads it, watches it complete (htmx polling),
sees the refused line, and the offer on the product page; screenshots at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import order_fixtures
from tests.browser.screens import shoot
from tests.browser.test_seller_journey import log_in

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_seller_uploads_an_offer_file(live_server, browser_page, session, people, tmp_path):
    fridge = people.shop.products["fridge"]
    from storefront.marketplace import listing

    listing.refresh(session)
    session.commit()
    offers = tmp_path / "mes-offres.csv"
    offers.write_text(f"sku;ean;prix;quantité\nAL-FRIDGE;{fridge.gtin};749,90;4\nAL-BAD;{fridge.gtin};dix;1\n",
                      encoding="utf-8")
    page = browser_page
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/imports")
    expect(page.get_by_test_id("seller-nav").get_by_role("link", name="Imports")).to_have_attribute("aria-current", "page")
    shoot(page, "seller-imports")
    page.get_by_test_id("import-form").locator('input[name="file"]').set_input_files(str(offers))
    page.get_by_test_id("import-submit").click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-status", "COMPLETE", timeout=10_000)
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    expect(page.get_by_test_id("import-refused")).to_have_text("1")
    expect(page.locator('[data-testid="import-error-row"][data-line="3"]')).to_contain_text("dix")
    shoot(page, "seller-import-complete")
    page.goto(f"{live_server}/p/{fridge.id}/{fridge.slug}")
    expect(page.get_by_text("749,90").first).to_be_visible()
