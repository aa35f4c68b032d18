"""The payment interface's sandbox provider and the mapping to marketplace payment codes."""

from __future__ import annotations

from datetime import date

import pytest

from storefront.marketplace import payments
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.payments import PaymentStatus, SandboxProvider

TODAY = date(2026, 11, 27)


def tokenize(provider, number, expiry="12/30", cvc="123", holder="Alex Durand"):
    return provider.tokenize_card(number=number, expiry=expiry, cvc=cvc, holder=holder, today=TODAY)


@pytest.mark.parametrize("digits, valid", [
    ("4242424242424242", True), ("4000000000000002", True), ("4000000000003220", True),
    ("5555555555554444", True), ("4242424242424241", False), ("1234567812345678", False),
])
def test_the_luhn_check(digits, valid):
    assert payments.luhn_valid(digits) is valid


def test_test_cards_decide_the_outcome():
    provider = SandboxProvider()
    outcomes = {}
    for name, number in [("ok", "4242 4242 4242 4242"), ("declined", "4000-0000-0000-0002"),
                         ("confirm", "4000000000003220"), ("funds", "4000 0000 0000 9995")]:
        method = tokenize(provider, number)
        assert method.method == "card" and number[-4:] in method.label and number not in method.token
        outcomes[name] = provider.authorize(method.token, amount=1000, currency="EUR", idempotency_key=f"key-{name}")
    assert outcomes["ok"].status == PaymentStatus.AUTHORIZED
    assert outcomes["declined"].status == PaymentStatus.DECLINED and outcomes["declined"].message
    assert outcomes["funds"].status == PaymentStatus.DECLINED and "funds" in outcomes["funds"].message
    assert outcomes["confirm"].status == PaymentStatus.REQUIRES_CONFIRMATION
    assert provider.charged() == {outcomes["ok"].reference}
    assert all(len(result.reference) <= 80 for result in outcomes.values())


def test_a_payment_needing_confirmation_is_charged_once_confirmed():
    provider = SandboxProvider()
    token = tokenize(provider, "4000000000003220").token
    pending = provider.authorize(token, amount=2500, currency="EUR", idempotency_key="k" * 20)
    assert provider.charged() == set()
    assert provider.confirm(pending.reference).authorized
    assert provider.charged() == {pending.reference}
    provider.void(pending.reference)
    assert provider.charged() == set()


def test_the_same_key_gives_the_same_payment():
    provider = SandboxProvider()
    token = tokenize(provider, "4242424242424242").token
    first = provider.authorize(token, amount=1000, currency="EUR", idempotency_key="k" * 20)
    again = provider.authorize(token, amount=1000, currency="EUR", idempotency_key="k" * 20)
    other = provider.authorize(token, amount=1000, currency="EUR", idempotency_key="j" * 20)
    assert first.reference == again.reference != other.reference
    assert len(provider.charged()) == 2


@pytest.mark.parametrize("fields, field", [
    ({"number": "4242 4242 4242 4241"}, "number"),
    ({"number": "4242abcd42424242"}, "number"),
    ({"number": "4111 1111 1111 1111"}, "number"),  # valid, but not a sandbox test card
    ({"expiry": "10/26"}, "expiry"),  # expired at the end of October 2026
    ({"expiry": "13/30"}, "expiry"),
    ({"expiry": "1230"}, "expiry"),
    ({"cvc": "12"}, "cvc"),
    ({"holder": " "}, "holder"),
])
def test_bad_cards_are_refused_naming_the_field(fields, field):
    values = {"number": "4242424242424242", "expiry": "12/30", "cvc": "123", "holder": "Alex", **fields}
    with pytest.raises(InvalidValue) as error:
        tokenize(SandboxProvider(), **values)
    assert error.value.details["field"] == field


def test_a_card_expiring_this_month_is_accepted():
    assert tokenize(SandboxProvider(), "4242424242424242", expiry="11/26").label == "Visa •••• 4242"


def test_confirming_or_voiding_unknown_payments_is_refused():
    provider = SandboxProvider()
    token = tokenize(provider, "4242424242424242").token
    done = provider.authorize(token, amount=1, currency="EUR", idempotency_key="k" * 20)
    with pytest.raises(InvalidValue):
        provider.confirm(done.reference)  # nothing to confirm
    for bad in ("", "pay_other_123"):
        with pytest.raises(InvalidValue):
            provider.void(bad)
    with pytest.raises(InvalidValue):
        provider.authorize("tok_forged", amount=1, currency="EUR", idempotency_key="k" * 20)
    with pytest.raises(InvalidValue):
        provider.authorize(token, amount=-1, currency="EUR", idempotency_key="k" * 20)


def test_methods_map_to_marketplace_payment_codes():
    assert payments.payment_code("card", {"card": "CB"}) == "CB"
    with pytest.raises(InvalidValue):
        payments.payment_code("paypal", {"card": "CB"})
    assert isinstance(payments.provider_named("sandbox"), SandboxProvider)
    with pytest.raises(InvalidValue):
        payments.provider_named("stripe-live")
