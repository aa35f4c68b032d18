"""Customer service finds a customer by the number of one of their orders, opens them and blocks
them with a reason (French pages); the customer, logging in again, is told the account is
blocked. Screenshots of the list and the customer's page at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from storefront.marketplace import accounts
from storefront.marketplace.models import OperatorRole, Role
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.order_fixtures import PASSWORD, place

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_customer_service_blocks_a_customer_found_by_order_number(live_server, browser_page, session, people):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 2))
    place(session, people.other_customer, (shop.offers["gamma"], 1))
    support = accounts.create_user(session, "sav@staff.example.com", PASSWORD, role=Role.OPERATOR,
                                   operator_role=OperatorRole.SUPPORT)
    session.commit()

    page = browser_page
    log_in(page, live_server, support.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-customers").click()
    expect(page.get_by_test_id("customer-row")).to_have_count(2)
    assert_french(page)
    shoot(page, "backoffice-customers")

    page.get_by_test_id("customer-search").fill(order.number)
    page.get_by_test_id("customer-search-button").click()
    rows = page.get_by_test_id("customer-row")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(f"{live_server}/backoffice/customers?q={order.number}&status=&sort=joined&order=desc")
    rows.first.get_by_test_id("customer-link").click()

    expect(page.get_by_test_id("customer-name")).to_contain_text("Camille Martin")
    expect(page.get_by_test_id("seller-order-link")).to_have_count(2)
    page.get_by_test_id("block-button").click()  # no reason: refused, next to the field
    expect(page.get_by_test_id("block-error")).to_contain_text("Indiquez le motif")
    page.get_by_test_id("block-reason-input").fill("Rétrofacturations répétées sur la carte")
    page.get_by_test_id("block-button").click()
    expect(page.get_by_test_id("customer-blocked")).to_be_visible()
    expect(page.get_by_test_id("block-reason")).to_have_text("Rétrofacturations répétées sur la carte")
    expect(page.get_by_test_id("history-entry")).to_have_count(1)
    expect(page.get_by_test_id("unblock-button")).to_be_visible()
    assert_french(page)
    shoot(page, "backoffice-customer")

    page.get_by_test_id("seller-order-link").first.click()
    expect(page).to_have_url(f"{live_server}/backoffice/orders/{order.seller_orders[0].number}")

    # The customer, in another browser session, is told the account is blocked.
    page.get_by_test_id("logout").click()
    page.goto(live_server + "/compte/connexion")
    page.locator('input[name="email"]').fill(people.customer.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page.get_by_text("Ce compte est bloqué")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
