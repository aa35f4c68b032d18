"""The operator in the back office (French): turns "other sellers" off in the preferences and the
product page no longer lists them; relabels a reason code in the mappings; screenshots of both
pages at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixture, for this module's tests


def french_but_the_english_labels(page) -> None:
    """The page is French; the reasons' English labels (data, marked lang="en") aside."""
    assert page.evaluate("document.documentElement.lang") == "fr"
    text = page.evaluate("""() => {
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll('[lang="en"]').forEach((el) => el.remove());
        return copy.innerText;
    }""")
    english = [word for word in (" the ", " your ", " you ", "Save", "Marketplace code", "Who may") if word in text]
    assert not english, f"English on a French page: {english}"


def test_the_operator_hides_other_sellers_and_relabels_a_reason(live_server, browser_page, session, people):
    washer = people.shop.products["washer"]  # sold by the retailer and by Alpha
    page = browser_page
    product_url = f"{live_server}/p/{washer.id}/{washer.slug}"
    page.goto(product_url)
    expect(page.get_by_test_id("other-offers")).to_be_visible()

    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-settings").click()
    expect(page.get_by_role("heading", name="Préférences")).to_be_visible()
    assert_french(page)
    shoot(page, "backoffice-preferences")
    toggle = page.get_by_test_id("show_other_sellers")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    page.get_by_test_id("save-settings").click()
    expect(page.get_by_text("Les préférences sont enregistrées.")).to_be_visible()
    expect(page.get_by_test_id("show_other_sellers")).not_to_be_checked()

    page.goto(product_url)
    expect(page.get_by_test_id("buy-box")).to_be_visible()
    expect(page.get_by_test_id("other-offers")).to_have_count(0)

    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-mappings").click()
    expect(page.get_by_role("heading", name="Correspondances", exact=True)).to_be_visible()
    french_but_the_english_labels(page)
    shoot(page, "backoffice-mappings")
    page.locator("#type").select_option(value="CANCELATION")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_test_id("edit-reason-CANCELATION-OUT_OF_STOCK").click()
    page.get_by_label("Libellé (français)").fill("Article en rupture de stock")
    page.get_by_label("Code marketplace").fill("rupture")
    page.get_by_test_id("save-reason").click()
    row = page.get_by_test_id("reason-CANCELATION-OUT_OF_STOCK")
    expect(row.get_by_test_id("reason-label")).to_have_text("Article en rupture de stock")
    expect(row).to_contain_text("RUPTURE")
    shoot(page, "backoffice-mappings-reasons")
