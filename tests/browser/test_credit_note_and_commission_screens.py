"""In Chromium, in French, wide and narrow: the customer's order page with the invoice and the
credit note of a refund (the download is a PDF), and the seller's order page with the commission
of each line and of the order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from storefront.marketplace import orders, tracking
from storefront.marketplace.models import ActorRole
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.finance.billing_fixtures import legal_identities
from tests.order_fixtures import part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER


def test_order_pages_show_the_credit_note_and_the_commission(live_server, browser_page, session, people):
    shop = people.shop
    legal_identities(session, shop)
    order = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="CP40000001FR", actor_role=SELLER)
    orders.refund(session, part, amount=600, reason_code="DAMAGED", actor_role=SELLER)
    page = browser_page

    log_in(page, live_server, people.customer.email)
    page.goto(f"{live_server}/commande/mes-commandes/{order.number}")
    note = page.get_by_test_id("order-credit-note")
    expect(note).to_contain_text("Avoir ALPHA-AV-")
    expect(note).to_contain_text("remboursé 6,00")
    assert_french(page)
    with page.expect_download() as download:
        note.get_by_role("link").click()
    assert download.value.suggested_filename.startswith("avoir-ALPHA-AV-")
    shoot(page, "customer-order-credit-note")
    page.get_by_test_id("logout").click()

    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/orders/{part.number}")
    expect(page.get_by_test_id("commission-rate").first).to_contain_text("12")
    expect(page.get_by_test_id("order-commission")).to_be_visible()
    expect(page.get_by_test_id("order-lines")).to_contain_text("Taux de commission")
    assert_french(page)
    shoot(page, "seller-order-commission")
