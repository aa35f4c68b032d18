"""The finance reports in a browser (French): eleven sellers over a quarter, per week, the two
charts loaded as SVG images (no script, no policy violation: the browser fixture fails on any),
the table, then by category through the form, and a wrong period kept in the form with what is
wrong. Screenshots at 1280 and 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from storefront.marketplace.models import LedgerKind
from tests import factories, order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.finance import report_fixtures
from tests.finance.billing_fixtures import entry, paris

pytestmark = pytest.mark.browser
people = order_fixtures.people
ledger = report_fixtures.ledger  # the fixture
QUARTER = "/backoffice/finance/reports?since=2026-09-01&until=2026-11-30&bucket=week&dimension=seller"


def test_the_finance_reports_in_a_browser(live_server, browser_page, session, people, ledger):
    for number, name in enumerate(["Atelier Dupont", "Bricolage Martin et Fils", "Cuisine & Compagnie",
                                   "Déco Lumière", "Électro Discount Sud-Ouest", "Folie Jardin",
                                   "Grand Bazar du Textile", "Hifi Passion"], start=1):
        seller = factories.seller(session, name, code=f"s{number}")
        for week in range(0, 12, 2):
            at = paris(2026, 9, 3, 10, 0) + timedelta(days=7 * week + number)
            entry(session, seller, LedgerKind.CAPTURE, 2000 * number + 500 * week, at)
            entry(session, seller, LedgerKind.COMMISSION, -(240 * number + 60 * week), at)
    session.commit()

    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("finance-reports-link").click()
    expect(page.get_by_test_id("report-form")).to_be_visible()
    page.goto(f"{live_server}{QUARTER}")
    for chart in ("gmv", "commission"):
        image = page.get_by_test_id(f"report-chart-{chart}")
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, chart
    assert page.locator("svg script, script:not([src])").count() == 0
    expect(page.get_by_test_id("report-table")).to_contain_text("Autres vendeurs")
    assert_french(page)
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "backoffice-finance-reports")

    page.get_by_label("Répartir par").select_option("category")
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("report-table")).to_contain_text("Livraison (sans catégorie)")
    expect(page.get_by_test_id("report-grand-total")).to_contain_text("Total")

    page.get_by_label("Dernier jour").fill("2026-08-01")
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("error-until")).to_contain_text("La date de fin ne peut pas précéder la date de début.")
    expect(page.get_by_label("Dernier jour")).to_have_value("2026-08-01")
    expect(page.get_by_label("Premier jour")).to_have_value("2026-09-01")
    assert_french(page)
    shoot(page, "backoffice-finance-reports-error")
