"""No answer, nor the work behind it, tells whether an address has an account; an account whose
address is not confirmed may neither order nor write messages.

The work is counted with a real hasher (a subclass of the shop's ``PasswordHasher`` that counts,
then hashes and verifies for real), installed as the shop's hasher: the code paths for known and
unknown addresses must cost the same number of scrypt operations.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from flask import current_app

from storefront.marketplace import accounts, checkout, discussions, password_reset, registration
from storefront.marketplace import cart as cart_service
from storefront.marketplace.checkout import PaymentOutcome
from storefront.marketplace.errors import NotAllowed
from storefront.marketplace.payments import SandboxProvider
from storefront.marketplace.refusals import Refusal
from tests import checkout_fixtures, factories
from tests.checkout_fixtures import MAINLAND, MORNING

shop = checkout_fixtures.shop
PASSWORD = "correct horse battery"


class CountingHasher(accounts.PasswordHasher):
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def hash(self, password: str) -> str:
        self.calls["hash"] += 1
        return super().hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls["verify"] += 1
        return super().verify(password_hash, password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "hasher", counting)
    return counting


@pytest.fixture
def alice(session):
    user = factories.user(session, email="alice@example.com")
    session.commit()
    return user


def test_the_dummy_hash_is_of_the_algorithm_and_cost_of_real_ones(alice):
    method = lambda h: h.split("$", 1)[0]  # noqa: E731  e.g. "scrypt:32768:8:1"
    assert method(accounts._DUMMY_HASH) == method(alice.password_hash)
    assert method(alice.password_hash).startswith("scrypt:")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", PASSWORD),  # unknown address
        ("alice@example.com", "not the password"),  # wrong password
        ("alice@example.com", PASSWORD),  # right password
        ("not an address", PASSWORD),
    ],
)
def test_every_login_attempt_verifies_one_password(session, alice, hasher, email, password):
    user = accounts.authenticate(session, email, password)
    assert (user is not None) == (email == "alice@example.com" and password == PASSWORD)
    assert hasher.calls == Counter(verify=1)


def test_a_deactivated_account_costs_the_same_as_any_other(session, alice, hasher):
    alice.active = False
    session.commit()
    assert accounts.authenticate(session, "alice@example.com", PASSWORD) is None
    assert hasher.calls == Counter(verify=1)


def test_registering_a_known_or_new_address_does_the_same_work(session, alice, hasher, app):
    counts = []
    for email in ("newcomer@example.com", "alice@example.com"):
        hasher.calls.clear()
        registration.register(session, email, "a long password", name="X", locale="fr",
                              secret_key=app.secret_key)
        counts.append(dict(hasher.calls))
    assert counts == [{"hash": 1}, {"hash": 1}]


def test_asking_for_a_reset_hashes_nothing_for_any_address(session, alice, hasher, app):
    for email in ("alice@example.com", "nobody@example.com"):
        password_reset.request_password_reset(session, email, secret_key=app.secret_key, locale="fr")
    assert hasher.calls == Counter()


# --- What an unconfirmed account may not do ------------------------------------------------------


@pytest.fixture
def unconfirmed(session, app):
    registration.register(session, "zoe@example.com", PASSWORD, name="Zoé", locale="fr",
                          secret_key=app.secret_key)
    return accounts.find_user(session, "zoe@example.com")


def test_an_unconfirmed_account_cannot_order_and_nothing_is_authorized(session, shop, unconfirmed):
    provider = SandboxProvider()
    cart = cart_service.open_cart(session, user_id=unconfirmed.id)
    cart_service.add_item(session, cart, shop.offers["alpha"].id, 1)
    cart_service.set_address(session, cart, MAINLAND, email=unconfirmed.email)
    method = provider.tokenize_card(number="4242424242424242", expiry="12/30", cvc="123",
                                    holder="Zoé", today=date(2026, 12, 1))
    cart_service.set_payment_method(session, cart, method=method.method, token=method.token,
                                    label=method.label)
    view = cart_service.review(session, cart, cart_service.zone_of(session, cart), now=MORNING)

    def pay(key):
        return checkout.pay_and_place(
            session, cart, view, provider=provider, payment_codes={"card": "CB"},
            idempotency_key=key, shown_total=view.total, locale="fr", now=MORNING,
        )

    payment = pay("unconfirmed-key-0001")
    assert payment.outcome == PaymentOutcome.NOT_AUTHORIZED
    assert payment.error.details["reason"] == Refusal.EMAIL_NOT_CONFIRMED
    assert provider.charged() == set() and len(cart.lines) == 1
    # place_order itself refuses too (the confirmation step of 3-D Secure goes through it).
    with pytest.raises(NotAllowed) as refused:
        checkout.place_order(session, cart, idempotency_key="unconfirmed-key-0002",
                             payment=checkout.PaymentRecord("card", "CB", "ref"), locale="fr",
                             now=MORNING)
    assert refused.value.details["reason"] == Refusal.EMAIL_NOT_CONFIRMED

    token = registration.make_confirmation_token(unconfirmed, current_app.secret_key)
    registration.confirm_email(session, token, current_app.secret_key)
    assert pay("unconfirmed-key-0003").outcome == PaymentOutcome.PLACED


def test_an_unconfirmed_account_cannot_write_to_a_seller(session, unconfirmed):
    seller = factories.seller(session, "Maison Martin")
    discussions.create_topic(session, "WHERE_IS_MY_ORDER", "Où est ma commande ?")
    order = factories.seller_order(session, seller, unconfirmed)
    session.commit()  # the refusal rolls its transaction back, not what came before
    with pytest.raises(NotAllowed) as refused:
        discussions.open_thread(session, unconfirmed, seller, "WHERE_IS_MY_ORDER", "Bonjour",
                                seller_order=order)
    assert refused.value.details["reason"] == Refusal.EMAIL_NOT_CONFIRMED
    unconfirmed.email_confirmed_at = MORNING
    thread = discussions.open_thread(session, unconfirmed, seller, "WHERE_IS_MY_ORDER", "Bonjour",
                                     seller_order=order)
    unconfirmed.email_confirmed_at = None
    session.commit()
    with pytest.raises(NotAllowed) as refused:
        discussions.post_message(session, thread, unconfirmed, "Encore moi")
    assert refused.value.details["reason"] == Refusal.EMAIL_NOT_CONFIRMED
