"""Issue 4's journey in a real browser: a guest adds the retailer's offer and two sellers' offers
of one product, sees three shipments in the cart, chooses express for one of them at the
delivery step (htmx), pays with the sandbox card, places the order, sees it with its shipments,
and the confirmation email reaches the SMTP server.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from storefront.extensions import db
from storefront.marketplace.models import CustomerOrder, Offer, Shipment
from tests import email_fixtures

pytestmark = pytest.mark.browser
smtp_server = email_fixtures.smtp_server

GUEST = "camille.guest@example.com"


def add_offer(page, offer_id: int, expected_count: int) -> None:
    """Click "Add to cart" on the form of ``offer_id`` (buy box or other sellers' list); htmx
    posts it and the header's count is swapped out of band."""
    form = page.locator(f'form.add-to-cart:has(input[name="offer_id"][value="{offer_id}"])').first
    form.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count").first).to_have_text(re.compile(rf"\b{expected_count}\b"))


def wait_for_mail(smtp_server, to: str, containing: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_server.messages:
            if message["To"] == to and containing in message.get_body(("plain",)).get_content():
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} containing {containing!r}")


def test_guest_checks_out_three_shipments_with_express_for_one(live_server, browser_page, mini_shop, smtp_server):
    page = browser_page
    shop = mini_shop
    washer = shop.washer
    offers = shop.offers
    retailer_offer, martin_offer, occaz_offer = offers["washer_1p"], offers["washer_martin"], offers["washer_occaz"]

    # One product page, three offers: the retailer's and two sellers' (each ships its own).
    page.goto(f"{live_server}/p/{washer.id}/{washer.slug}")
    expect(page.get_by_test_id("product-title")).to_have_text(washer.title)
    add_offer(page, retailer_offer.id, 1)
    add_offer(page, martin_offer.id, 2)
    add_offer(page, occaz_offer.id, 3)

    # The cart: three shipments, each line saying who sells it.
    page.goto(f"{live_server}/panier/")
    shipments = page.get_by_test_id("shipment")
    expect(shipments).to_have_count(3)
    expect(page.locator('[data-testid="shipment"][data-shipper-code="storefront"] [data-testid="cart-line"]')).to_have_count(1)
    for code, name in (("martin", "Maison Martin"), ("occaz", "Tech Occaz")):
        shipment = page.locator(f'[data-testid="shipment"][data-shipper-code="{code}"]')
        expect(shipment.get_by_test_id("cart-line")).to_have_count(1)
        expect(shipment.get_by_test_id("sold-by").first).to_contain_text(name)
    expect(page.get_by_test_id("cart-line")).to_have_count(3)
    page.get_by_test_id("checkout").click()

    # Address (as a guest, with an email address).
    form = page.get_by_test_id("address-form")
    form.locator('input[name="email"]').fill(GUEST)
    form.locator('input[name="name"]').fill("Camille Durand")
    form.locator('input[name="line1"]').fill("12 rue des Lilas")
    form.locator('input[name="postal_code"]').fill("69003")
    form.locator('input[name="city"]').fill("Lyon")
    page.get_by_test_id("address-submit").click()

    # Delivery: a mode per shipment; express for Maison Martin's parcel, and the totals follow.
    expect(page.get_by_test_id("delivery-step")).to_be_visible()
    expect(page.get_by_test_id("shipment")).to_have_count(3)
    martin = page.locator('[data-testid="shipment"][data-shipper-code="martin"]')
    total_before = int(page.get_by_test_id("cart-total").first.get_attribute("data-amount"))
    express = martin.locator('[data-testid="delivery-mode"][data-mode="EHD"]')
    express.locator("label").click()
    expect(martin.locator('[data-testid="delivery-mode"][data-mode="EHD"][data-chosen="true"]')).to_have_count(1)
    expect(page.get_by_test_id("cart-total").first).not_to_have_attribute("data-amount", str(total_before))
    for shipment in page.get_by_test_id("shipment").all():
        expect(shipment.get_by_test_id("delivery-promise").first).to_be_visible()
    page.get_by_test_id("to-payment").click()

    # Payment with the sandbox's card that succeeds.
    card = page.get_by_test_id("card-form")
    card.locator('input[name="holder"]').fill("Camille Durand")
    card.locator('input[name="number"]').fill("4242 4242 4242 4242")
    card.locator('input[name="expiry"]').fill("12/30")
    card.locator('input[name="cvc"]').fill("123")
    page.get_by_test_id("card-submit").click()

    # Review: the same three shipments, express for Maison Martin; then place the order.
    expect(page.get_by_test_id("checkout-review")).to_be_visible()
    expect(page.get_by_test_id("shipment")).to_have_count(3)
    expect(page.locator('[data-testid="shipment"][data-shipper-code="martin"] [data-testid="delivery-mode"]')).to_have_attribute("data-mode", "EHD")
    total = int(page.get_by_test_id("cart-total").first.get_attribute("data-amount"))
    page.get_by_test_id("place-order").click()

    # The order, with its three shipments and their modes.
    expect(page.get_by_test_id("order-confirmation")).to_be_visible()
    number = page.get_by_test_id("order-number").first.inner_text().strip()
    expect(page.get_by_test_id("order-status").first).to_be_visible()
    expect(page.get_by_test_id("shipment")).to_have_count(3)
    expect(page.locator('[data-testid="shipment"][data-shipper-code="martin"] [data-testid="delivery-mode"]')).to_have_attribute("data-mode", "EHD")
    expect(page.get_by_test_id("cart-count").first).to_have_text(re.compile(r"\b0\b"))

    # What the database holds: one order at the total shown, stock taken, express recorded.
    db.session.expire_all()
    order = db.session.scalar(db.select(CustomerOrder).where(CustomerOrder.number == number))
    assert order is not None and order.total == total and order.email == GUEST
    modes = {s.shipper.code: s.mode.code for s in db.session.scalars(db.select(Shipment).where(Shipment.customer_order_id == order.id))}
    assert modes["martin"] == "EHD" and set(modes) == {"storefront", "martin", "occaz"}
    stock = {o.sku: o.stock for o in db.session.scalars(db.select(Offer).where(Offer.id.in_([retailer_offer.id, martin_offer.id, occaz_offer.id])))}
    assert stock == {"1P-WASH": 9, "MM-WASH": 1, "TO-WASH": 0}

    # The confirmation email, delivered by the worker to the SMTP server.
    message = wait_for_mail(smtp_server, GUEST, number)
    assert number in message["Subject"]
    assert message.get_body(("html",)) is not None
