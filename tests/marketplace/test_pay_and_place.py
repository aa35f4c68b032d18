"""The payment sequence as a service: authorize, place, void on failure, the bank's confirmation.

Driven with the sandbox provider (its test cards decide the outcome) and no HTTP: the API and any
other front door get the same sequence the checkout pages use.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from storefront.marketplace import cart as cart_service
from storefront.marketplace import checkout
from storefront.marketplace.checkout import PaymentOutcome
from storefront.marketplace.models import CustomerOrder, Offer, OutboxMessage
from storefront.marketplace.payments import SandboxProvider
from tests import checkout_fixtures
from tests.checkout_fixtures import MORNING, guest_cart

shop = checkout_fixtures.shop  # the fixture, for this module's tests
CODES = {"card": "CB"}
CARDS = {"ok": "4242424242424242", "declined": "4000000000000002", "confirm": "4000000000003220"}


@pytest.fixture
def provider() -> SandboxProvider:
    return SandboxProvider()


def paid_cart(session, provider, offers, card: str):
    cart = guest_cart(session, *offers)
    method = provider.tokenize_card(
        number=CARDS[card], expiry="12/30", cvc="123", holder="Camille Martin", today=date(2026, 12, 1)
    )
    cart_service.set_payment_method(
        session, cart, method=method.method, token=method.token, label=method.label
    )
    return cart


def pay(session, provider, cart, *, key="pay-and-place-key-0001", shown_total=None):
    view = cart_service.review(session, cart, cart_service.zone_of(session, cart), now=MORNING)
    return checkout.pay_and_place(
        session, cart, view, provider=provider, payment_codes=CODES, idempotency_key=key,
        shown_total=view.total if shown_total is None else shown_total, locale="fr", now=MORNING,
    )


def orders(session) -> int:
    return session.scalar(select(func.count()).select_from(CustomerOrder))


def test_an_authorized_payment_places_the_order_and_keeps_the_charge(session, shop, provider):
    cart = paid_cart(session, provider, [(shop.offers["alpha"], 1)], "ok")
    payment = pay(session, provider, cart)
    assert payment.outcome == PaymentOutcome.PLACED
    assert payment.order.payment_code == "CB"
    assert provider.charged() == {payment.order.payment_reference}
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_declined_card_places_nothing_and_keeps_the_cart(session, shop, provider):
    cart = paid_cart(session, provider, [(shop.offers["alpha"], 1)], "declined")
    payment = pay(session, provider, cart)
    assert payment.outcome == PaymentOutcome.DECLINED and "declined" in payment.message
    assert orders(session) == 0 and provider.charged() == set() and len(cart.lines) == 1


def test_another_total_than_the_servers_is_refused_before_any_authorization(
    session, shop, provider
):
    cart = paid_cart(session, provider, [(shop.offers["alpha"], 1)], "ok")
    payment = pay(session, provider, cart, shown_total=1)
    assert payment.outcome == PaymentOutcome.NOT_AUTHORIZED
    assert payment.error.details["reason"] == "total_changed"
    assert provider.events == type(provider.events)([], maxlen=provider.events.maxlen)
    assert orders(session) == 0


def test_an_order_that_cannot_be_placed_is_never_charged(session, shop, provider):
    cart = paid_cart(session, provider, [(shop.offers["alpha"], 1)], "ok")
    view = cart_service.review(session, cart, cart_service.zone_of(session, cart), now=MORNING)
    # Sold out between the review the shopper saw and "Place order".
    session.get(Offer, shop.offers["alpha"].id).stock = 0
    session.commit()
    payment = checkout.pay_and_place(
        session, cart, view, provider=provider, payment_codes=CODES,
        idempotency_key="pay-and-place-key-0002", shown_total=view.total, locale="fr", now=MORNING,
    )
    assert payment.outcome == PaymentOutcome.REFUSED
    assert orders(session) == 0
    assert [action for action, *_ in provider.events] == ["authorize", "void"]
    assert provider.charged() == set()


def test_the_banks_confirmation_places_the_order_or_voids_the_payment(session, shop, provider):
    cart = paid_cart(session, provider, [(shop.offers["alpha"], 1)], "confirm")
    assert pay(session, provider, cart).outcome == PaymentOutcome.NEEDS_CONFIRMATION
    assert cart.payment_reference and orders(session) == 0

    payment = checkout.confirm_and_place(
        session, cart, confirmed=True, provider=provider, payment_codes=CODES, locale="fr",
        now=MORNING,
    )
    assert payment.outcome == PaymentOutcome.PLACED
    assert provider.charged() == {payment.order.payment_reference}

    other = paid_cart(session, provider, [(shop.offers["beta"], 1)], "confirm")
    assert pay(session, provider, other, key="pay-and-place-key-0003").outcome == (
        PaymentOutcome.NEEDS_CONFIRMATION
    )
    reference = other.payment_reference
    cancelled = checkout.confirm_and_place(
        session, other, confirmed=False, provider=provider, payment_codes=CODES, locale="fr"
    )
    assert cancelled.outcome == PaymentOutcome.NOT_CONFIRMED
    assert reference not in provider.charged() and other.payment_reference == ""
    assert orders(session) == 1


def test_the_same_form_twice_is_one_order_and_one_charge(session, shop, provider):
    cart = paid_cart(session, provider, [(shop.offers["alpha"], 1)], "ok")
    view = cart_service.review(session, cart, cart_service.zone_of(session, cart), now=MORNING)
    first = pay(session, provider, cart)
    again = checkout.pay_and_place(
        session, cart, view, provider=provider, payment_codes=CODES,
        idempotency_key="pay-and-place-key-0001", shown_total=view.total, locale="fr", now=MORNING,
    )
    assert again.outcome == PaymentOutcome.PLACED and again.order == first.order
    assert orders(session) == 1 and provider.charged() == {first.order.payment_reference}
