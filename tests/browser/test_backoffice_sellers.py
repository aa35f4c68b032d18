"""The operator opens the sellers, filters, opens Alpha and suspends it: the product page no longer
shows its offer; it reopens the shop and the offer is back. Then Alpha's admin invites a
colleague from the seller portal. In French; screenshots at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from storefront.marketplace import listing
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.order_fixtures import part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people


def test_the_operator_suspends_and_reopens_a_seller(live_server, browser_page, session, people):
    shop = people.shop
    listing.refresh(session)
    part = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    dryer = f"{live_server}/p/{shop.products['dryer'].id}"
    page = browser_page

    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-sellers").click()
    rows = page.get_by_test_id("seller-row")
    expect(rows).to_have_count(4)
    assert_french(page)
    shoot(page, "backoffice-sellers")

    page.get_by_test_id("seller-search").fill("alp")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)
    assert "q=alp" in page.url
    expect(rows.first.get_by_test_id("seller-orders")).to_have_text("1")
    rows.first.get_by_role("link", name="Alpha Maison").click()
    expect(page.get_by_test_id("seller-name")).to_have_text("Alpha Maison")
    expect(page.get_by_test_id("seller-users")).to_contain_text("alpha@example.com")
    shoot(page, "backoffice-seller")

    page.get_by_test_id("seller-suspend").click()
    page.get_by_test_id("confirm-action").click()  # no reason: asked for one
    expect(page.get_by_test_id("error-reason")).to_be_visible()
    page.get_by_label("Motif (le vendeur le lira)").fill("Retards d’expédition répétés")
    shoot(page, "backoffice-seller-suspend")
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("seller-state")).to_have_text("Suspendue")
    expect(page.get_by_test_id("seller-reason")).to_contain_text("Retards d’expédition répétés")

    page.goto(dryer)
    expect(page.locator("main")).not_to_contain_text("Alpha Maison")
    assert part.number  # its order goes on (the web tests follow it in the portal)

    page.goto(f"{live_server}/backoffice/sellers/alpha")
    page.get_by_test_id("seller-reopen").click()
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("seller-state")).to_have_text("Ouverte")
    page.goto(dryer)
    expect(page.locator("main")).to_contain_text("Alpha Maison")


def test_a_seller_admin_invites_a_colleague(live_server, browser_page, session, people):
    page = browser_page
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/")
    page.get_by_test_id("colleagues-link").click()
    expect(page.get_by_test_id("colleague")).to_have_count(1)
    page.get_by_label("Nom").fill("Nina Martin")
    page.get_by_label("E-mail").fill("beta@example.com")  # Beta's staff
    page.get_by_test_id("send-invitation").click()
    expect(page.get_by_test_id("error-email")).to_contain_text("autre boutique")
    page.get_by_label("E-mail").fill("nina@example.com")
    page.get_by_test_id("send-invitation").click()
    expect(page.get_by_test_id("colleague")).to_have_count(2)
    expect(page.get_by_test_id("colleagues-table")).to_contain_text("Invité")
    assert_french(page)
    shoot(page, "seller-colleagues")
