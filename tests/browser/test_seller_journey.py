"""Issue 5's journey, in two browsers side by side (a customer and a seller):

the customer asks the seller about an order from "My orders"; the seller sees the unread message
in the portal and answers (htmx, no reload); the answer appears on the customer's open thread by
itself, and the notification email has reached the SMTP server; the seller accepts and ships with
a tracking number; the customer sees the tracking link.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests import email_fixtures, order_fixtures
from tests.order_fixtures import PASSWORD, part_of, place

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixtures, for this module's tests
smtp_server = email_fixtures.smtp_server


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/compte/connexion")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    expect(page.get_by_test_id("logout")).to_be_visible()


def wait_for_mail(smtp_server, to: str, containing: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_server.messages:
            if message["To"] == to and containing in message.get_body(("plain",)).get_content():
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} containing {containing!r}")


def test_customer_asks_seller_answers_and_ships(live_server, browser_page, session, people, smtp_server):
    order = place(session, people.customer, (people.shop.offers["alpha"], 1))
    part = part_of(order, people.shop.alpha)
    customer = browser_page
    seller_context = customer.context.browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    seller = seller_context.new_page()
    seller_errors: list[str] = []
    seller.on("pageerror", lambda error: seller_errors.append(str(error)))
    seller.on("console", lambda m: seller_errors.append(m.text) if m.type == "error" else None)

    # The customer writes from the order page of "My orders".
    log_in(customer, live_server, people.customer.email)
    customer.goto(f"{live_server}/commande/mes-commandes/{order.number}")
    customer.locator(f'[data-testid="contact-about-order"][data-number="{part.number}"]').click()
    customer.get_by_test_id("thread-topic").select_option(label="Où est ma commande ?")
    customer.get_by_test_id("thread-body").fill("Bonjour, quand partira mon sèche-linge ?")
    customer.get_by_test_id("send-message").click()
    thread = customer.get_by_test_id("thread")
    expect(thread).to_be_visible()
    expect(thread.get_by_test_id("message")).to_have_count(1)
    expect(customer.get_by_test_id("unread-count")).to_have_attribute("data-count", "0")

    # The seller sees it in the portal and answers without a reload.
    log_in(seller, live_server, people.alpha_staff.email)
    seller.goto(live_server + "/seller/")
    expect(seller.get_by_test_id("unread-count")).to_have_text("1")
    expect(seller.get_by_test_id("unanswered-messages")).to_contain_text("Où est ma commande ?")
    seller.get_by_test_id("seller-messages-link").click()
    seller.get_by_test_id("thread-row").get_by_role("link").click()
    expect(seller.get_by_test_id("message").first).to_have_attribute("data-author-role", "CUSTOMER")
    form = seller.get_by_test_id("message-form")
    form.locator("textarea").fill("Il part demain matin en Colissimo.")
    url_before = seller.url
    form.get_by_test_id("send-message").click()
    expect(seller.get_by_test_id("message")).to_have_count(2)
    expect(seller.get_by_test_id("message").last).to_have_attribute("data-author-role", "SELLER")
    expect(form.locator("textarea")).to_have_value("")  # the form is ready for the next one
    assert seller.url == url_before
    seller.screenshot(path="test-artifacts/seller-thread.png", full_page=True)

    # The answer shows on the customer's open page by itself (polling), marked new.
    answer = customer.get_by_test_id("message").filter(has_text="Il part demain matin")
    expect(answer).to_have_attribute("data-author-role", "SELLER", timeout=15_000)
    expect(answer).to_have_attribute("data-unread", "true")
    mail = wait_for_mail(smtp_server, people.customer.email, "Il part demain matin en Colissimo.")
    text = mail.get_body(("plain",)).get_content()
    assert re.search(r"/messages/\d+", text) and "alpha@example.com" not in mail.as_string()

    # The seller accepts and ships with a tracking number.
    seller.goto(f"{live_server}/seller/orders/{part.number}")
    seller.get_by_test_id("accept-order").click()
    expect(seller.get_by_test_id("order-status")).to_have_attribute("data-status", "SHIPPING")
    seller.locator('select[name="carrier"]').select_option(label="Colissimo")
    seller.get_by_test_id("tracking-number").fill("6A12345678901")
    seller.get_by_test_id("ship-order").click()
    expect(seller.get_by_test_id("order-status")).to_have_attribute("data-status", "SHIPPED")
    seller.screenshot(path="test-artifacts/seller-order.png", full_page=True)

    # The customer sees the tracking link on the order.
    customer.goto(f"{live_server}/commande/mes-commandes/{order.number}")
    link = customer.get_by_test_id("tracking-link").first
    expect(link).to_have_attribute("href", "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901")
    wait_for_mail(smtp_server, people.customer.email, "6A12345678901")
    customer.screenshot(path="test-artifacts/seller-journey.png", full_page=True)
    seller_context.close()
    assert not seller_errors, seller_errors
