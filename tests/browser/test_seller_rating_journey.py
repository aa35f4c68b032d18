"""Issue 16's seller ratings in Chromium, in French: a delivered order → the customer rates the
seller from the order page (a refused form first, kept as typed) → the seller answers in the
portal → the rating and its answer show on the seller page; the back office lists it. Every new
page shot at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from storefront.marketplace import preferences, seller_ratings
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.rating_fixtures import delivered

pytestmark = pytest.mark.browser
people = order_fixtures.people

COMMENT = "Colis bien emballé, livré en avance. <b>Merci</b> !"


def log_out(page) -> None:
    page.get_by_test_id("logout").click()


def test_customer_rates_seller_answers_and_the_rating_shows(live_server, browser_page, session, people):
    alpha = people.shop.alpha
    preferences.set(session, "seller_rating_min_count", 1)
    part = delivered(session, people)
    order = part.customer_order
    page = browser_page

    log_in(page, live_server, people.customer.email)
    page.goto(f"{live_server}/commande/mes-commandes/{order.number}")
    slot = page.locator(f'[data-testid="rating-slot"][data-number="{part.number}"]')
    expect(slot).to_contain_text("Noter le vendeur")
    slot.get_by_test_id("rate-seller").click()
    expect(page.get_by_test_id("rate-seller-page")).to_be_visible()
    assert_french(page)
    shoot(page, "rating-form")

    # No grade: refused, the comment kept.
    page.locator("textarea[name=comment]").fill(COMMENT)
    page.get_by_test_id("send-rating").click()
    expect(page.get_by_test_id("error-grade")).to_contain_text("Choisissez une note")
    expect(page.locator("textarea[name=comment]")).to_have_value(COMMENT)
    shoot(page, "rating-form-error")
    page.get_by_test_id("grade-4").check()
    page.get_by_test_id("send-rating").click()
    ratings = page.get_by_test_id("order-ratings")
    expect(ratings.get_by_test_id("stars")).to_have_attribute("data-grade", "4")
    expect(ratings).to_contain_text(COMMENT)  # as text, not markup
    assert_french(page)
    shoot(page, "order-ratings")
    log_out(page)

    # The seller answers in the portal.
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/ratings")
    item = page.get_by_test_id("rating-item").first
    expect(item).to_contain_text(COMMENT)
    shoot(page, "seller-ratings")
    item.locator("textarea").fill("Merci pour votre confiance, à bientôt !")
    item.get_by_test_id("send-answer").click()
    expect(page.get_by_test_id("rating-answer")).to_contain_text("Merci pour votre confiance")
    assert_french(page)
    log_out(page)

    # The seller page shows the grade, the rating and its answer.
    page.goto(f"{live_server}/vendeur/{alpha.slug}")
    expect(page.get_by_test_id("seller-profile").get_by_test_id("seller-rating")).to_contain_text("4,0/5")
    section = page.get_by_test_id("seller-ratings")
    expect(section.get_by_test_id("rating-comment")).to_have_text(COMMENT)
    expect(section.get_by_test_id("rating-answer")).to_contain_text("Merci pour votre confiance")
    assert_french(page)
    section.scroll_into_view_if_needed()
    shoot(page, "seller-page-ratings")
    for n in range(12):
        seller_ratings.rate(session, delivered(session, people), people.customer, 3 + n % 3, f"Avis n° {n + 1}")
    page.goto(f"{live_server}/vendeur/{alpha.slug}/avis")
    expect(page.get_by_test_id("rating-item")).to_have_count(10)
    assert_french(page)
    shoot(page, "seller-ratings-all")

    # The back office lists it and hides one.
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/ratings?seller={alpha.code}")
    first = page.get_by_test_id("rating-item").first
    first.get_by_test_id("hide-rating").click()
    first.locator("textarea").fill("Avis de test")
    first.get_by_test_id("confirm-hide").click()
    expect(page.locator('[data-testid="rating-item"][data-hidden="yes"]')).to_have_count(1)
    assert_french(page)
    shoot(page, "backoffice-ratings")
