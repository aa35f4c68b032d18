"""The operator reads the API audit in the back office (French), after a seller's system
refused and cancelled through the API: the entries newest first, a body unfolded, filtered by
seller; screenshots at 1280 and 390 px."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import order_fixtures
from tests.api.test_api_orders import client_for, token_of
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.order_fixtures import part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixture, for this module's tests


def test_the_operator_reads_what_the_api_changed(live_server, browser_page, session, people):
    shop = people.shop
    first = part_of(place(session, people.customer, (shop.offers["alpha"], 2)), shop.alpha)
    second = part_of(place(session, people.customer, (shop.offers["beta"], 1)), shop.beta)
    alpha = token_of(live_server, *client_for(session, shop.alpha, "orders:read orders:write"))
    beta = token_of(live_server, *client_for(session, shop.beta, "orders:read orders:write"))

    def post(token, path, body):
        answer = httpx.post(f"{live_server}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.json()

    post(alpha, f"/orders/{first.number}/accept", {})
    post(alpha, f"/orders/{first.number}/cancel", {
        "reason_code": "OUT_OF_STOCK", "note": "Un seul exemplaire en stock",
        "lines": [{"line_id": first.lines[0].id, "quantity": 1}]})
    post(beta, f"/orders/{second.number}/refuse", {"reason_code": "PRICE_ERROR"})

    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("backoffice-nav").get_by_role("link", name="Journal de l’API").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(second.number)  # newest first
    expect(page.get_by_test_id("audit-total")).to_have_text("3 modifications")
    rows.nth(1).get_by_text("Voir").click()
    expect(rows.nth(1).locator("pre")).to_contain_text("Un seul exemplaire en stock")
    assert_french(page)
    shoot(page, "backoffice-api-audit")

    page.locator("#seller").select_option(label=shop.alpha.name)
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("audit-table")).not_to_contain_text(second.number)
    shoot(page, "backoffice-api-audit-filtered")
