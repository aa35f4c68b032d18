"""Checkout through the Flask client: address → delivery → payment → review → place order, with
the sandbox payment provider; then the confirmation, "My orders" and the guest's signed link.

Bad input of every kind ends on a page that says what is wrong, with the cart intact, no order
and no charge (the sandbox's ``charged()`` lists what it would have taken)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from storefront.marketplace import addresses, tracking
from storefront.marketplace.models import (
    CartLine,
    CustomerOrder,
    Offer,
    OutboxMessage,
    Shipment,
    ShipmentStatus,
)
from tests import checkout_fixtures, email_fixtures
from tests.checkout_fixtures import amount_of, csrf_token, tags_with, text_of

shop = checkout_fixtures.shop  # the fixtures, for this module's tests
smtp_server = email_fixtures.smtp_server

FR = {"Accept-Language": "fr"}
HTMX = {"HX-Request": "true"}
CARDS = {"ok": "4242 4242 4242 4242", "declined": "4000 0000 0000 0002", "confirm": "4000 0000 0000 3220"}
GUEST = {"email": "alex@example.com", "name": "Alex Durand", "line1": "5 place Bellecour", "line2": "",
         "postal_code": "69002", "city": "Lyon", "country": "FR", "phone": ""}


# --- Helpers: one step each ------------------------------------------------------------------------


class Checkout:
    """A shopper's browser: its client and CSRF token."""

    def __init__(self, client):
        self.client = client
        self.token = csrf_token(client)

    def add(self, offer, quantity=1):
        return self.client.post("/panier/ajouter", data={"offer_id": offer.id, "quantity": quantity,
                                                         "csrf_token": self.token})

    def address(self, **fields):
        return self.client.post("/commande/adresse", data={**GUEST, **fields, "csrf_token": self.token},
                                headers=FR)

    def pay_with(self, card="ok"):
        return self.client.post("/commande/paiement", data={
            "holder": "Alex Durand", "number": CARDS.get(card, card), "expiry": "12/30", "cvc": "123",
            "csrf_token": self.token,
        }, headers=FR)

    def review(self):
        response = self.client.get("/commande/recapitulatif", headers=FR)
        html = response.get_data(as_text=True)
        key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
        total = re.search(r'name="expected_total" value="(\d+)"', html)
        return response, html, key and key.group(1), total and total.group(1)

    def place(self, key, total, **extra):
        data = {"idempotency_key": key, "expected_total": total, "csrf_token": self.token, **extra}
        return self.client.post("/commande/valider", data=data, headers=FR)

    def up_to_review(self, *offers, card="ok"):
        for offer in offers:
            self.add(offer)
        assert self.address().status_code == 302
        assert self.pay_with(card).status_code == 302
        return self.review()


def orders(session) -> list[CustomerOrder]:
    session.expire_all()
    return session.scalars(select(CustomerOrder)).all()


def cart_lines(session) -> dict[str, int]:
    session.expire_all()
    return {line.offer.sku: line.quantity for line in session.scalars(select(CartLine))}


def provider(app):
    return app.extensions["payment_provider"]


def log_in(client, user):
    token = csrf_token(client)
    response = client.post("/compte/connexion", data={"email": user.email, "password": "correct horse battery",
                                                      "csrf_token": token})
    assert response.status_code == 302
    return token


# --- The whole way, as a guest ---------------------------------------------------------------------


def test_a_guest_checks_out_and_follows_the_order(app, client, session, shop, smtp_server):
    shopper = Checkout(client)
    offers = shop.offers
    for name in ("first_party", "gamma", "alpha", "beta"):
        assert shopper.add(offers[name]).status_code == 302

    response = client.get("/commande/", headers=FR)
    assert response.headers["Location"].endswith("/commande/adresse")
    assert shopper.address().headers["Location"].endswith("/commande/livraison")

    html = client.get("/commande/livraison", headers=FR).get_data(as_text=True)
    assert [re.search(r'data-shipper="([^"]+)"', t).group(1) for t in tags_with(html, "shipment")] == [
        "Storefront", "Alpha Maison", "Beta Froid"
    ]
    response = client.post("/commande/livraison", data={f"mode-{shop.alpha.id}": "THD", "next": "payment",
                                                         "csrf_token": shopper.token})
    assert response.headers["Location"].endswith("/commande/paiement")

    assert shopper.pay_with("ok").headers["Location"].endswith("/commande/recapitulatif")
    response, html, key, total = shopper.review()
    assert response.status_code == 200
    assert tags_with(html, "place-order") and key and total
    assert amount_of(html, "cart-total") == [int(total)] == [1999 + 1200 + 1500 + 800 + 590 + 690]
    assert len(tags_with(html, "shipment")) == 3 and len(tags_with(html, "sold-by")) == 4
    assert "Visa •••• 4242" in html

    response = shopper.place(key, total)
    assert response.status_code == 302
    confirmation_url = response.headers["Location"]
    assert "/commande/suivi/" in confirmation_url

    [order] = orders(session)
    assert order.total == int(total) and order.email == "alex@example.com" and order.customer_id is None
    assert (order.payment_method, order.payment_code) == ("card", "CB")
    assert order.payment_reference in provider(app).charged()
    assert cart_lines(session) == {}

    page = client.get(confirmation_url, headers=FR)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert text_of(html, "order-number") == [order.number]
    assert tags_with(html, "order-status")[0].count('data-status="WAITING_ACCEPTANCE"') == 1
    assert len(tags_with(html, "shipment")) == 3 and len(tags_with(html, "delivery-promise")) == 3
    # The three sellers' orders wait for their acceptance, by a deadline; the retailer's does not.
    assert html.count("confirmation attendue au plus tard le") == 3
    assert text_of(html, "cart-count") == ["0"]

    # The confirmation was written with the order, and delivered to the SMTP server after commit.
    [message] = session.scalars(select(OutboxMessage)).all()
    assert message.to_address == "alex@example.com" and order.number in message.subject
    assert confirmation_url in message.text_body
    assert any(order.number in m["Subject"] for m in smtp_server.messages)


def test_the_guests_link_cannot_be_forged(client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
    url = shopper.place(key, total).headers["Location"]
    assert client.get(url + "x").status_code == 404
    assert client.get("/commande/suivi/" + "a" * 40).status_code == 404


# --- Bad input: a message, the cart intact, no order, no charge --------------------------------------


def test_an_address_outside_every_zone_is_refused(client, session, shop):
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    response = shopper.address(country="BE", postal_code="1000", city="Bruxelles")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert text_of(html, "error-postal_code")
    assert 'value="Bruxelles"' in html  # what was typed stays
    response = shopper.address(postal_code="7500")
    assert response.status_code == 422 and text_of(response.get_data(as_text=True), "error-postal_code")
    response = shopper.address(line1="5 place\x00 Bellecour", city="Ly\x00on", postal_code="\x00")
    assert response.status_code == 422
    response = shopper.address(email="not-an-email")
    assert response.status_code == 422 and text_of(response.get_data(as_text=True), "error-email")
    assert client.get("/commande/livraison").headers["Location"].endswith("/commande/adresse")
    assert cart_lines(session) == {"B-FRIDGE": 1}


def test_a_mode_not_offered_in_the_zone_is_refused(client, session, shop):
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    shopper.address()
    response = client.post("/commande/livraison", data={f"mode-{shop.beta.id}": "EHD", "next": "payment",
                                                        "csrf_token": shopper.token}, headers=FR)
    assert response.status_code == 422 and text_of(response.get_data(as_text=True), "cart-error")
    response = client.post("/commande/livraison", data={f"mode-{shop.beta.id}": "EHD",
                                                        "csrf_token": shopper.token}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and text_of(html, "cart-error")
    assert 'id="cart-totals"' in html and 'hx-swap-oob="true"' in html


def test_choosing_a_mode_with_htmx_returns_the_step_and_the_totals(client, shop):
    shopper = Checkout(client)
    shopper.add(shop.offers["first_party"])
    shopper.address()
    response = client.post("/commande/livraison", data={f"mode-{shop.retailer.id}": "EHD",
                                                        "csrf_token": shopper.token}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="delivery-step"' in html
    assert amount_of(html, "shipment-fee") == [990] and amount_of(html, "cart-total") == [1999 + 990]


def test_a_tampered_total_is_refused_without_charging(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
    charged = provider(app).charged()
    for tampered in ("1", "", "-5", "abc"):
        response = shopper.place(key, tampered)
        assert response.status_code == 409
        assert text_of(response.get_data(as_text=True), "cart-error")
    assert orders(session) == [] and provider(app).charged() == charged
    assert cart_lines(session) == {"B-FRIDGE": 1}
    assert shopper.place(key, total).status_code == 302
    assert [o.total for o in orders(session)] == [int(total)]


def test_a_double_click_or_replay_places_one_order(client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["first_party"])
    first = shopper.place(key, total)
    second = shopper.place(key, total)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(orders(session)) == 1
    assert session.scalar(select(Offer.stock).where(Offer.id == shop.offers["first_party"].id)) == 9


def test_a_declined_card_leaves_the_cart_as_it_was(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["first_party"], shop.offers["beta"],
                                                        card="declined")
    before = cart_lines(session)
    charged = provider(app).charged()
    response = shopper.place(key, total)
    assert response.status_code == 402
    html = response.get_data(as_text=True)
    assert text_of(html, "cart-error") and tags_with(html, "card-form")
    assert orders(session) == [] and cart_lines(session) == before
    assert provider(app).charged() == charged
    # Another card, and the same cart goes through.
    shopper.pay_with("ok")
    _response, _html, key, total = shopper.review()
    assert shopper.place(key, total).status_code == 302 and len(orders(session)) == 1


def test_a_card_needing_confirmation_orders_only_once_confirmed(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["alpha"], card="confirm")
    response = shopper.place(key, total)
    assert response.headers["Location"].endswith("/commande/paiement/confirmation")
    assert orders(session) == []
    page = client.get("/commande/paiement/confirmation", headers=FR).get_data(as_text=True)
    assert tags_with(page, "confirm-payment-button")

    response = client.post("/commande/paiement/confirmation", data={
        "action": "confirm", "idempotency_key": key, "csrf_token": shopper.token})
    assert response.status_code == 302 and "/commande/suivi/" in response.headers["Location"]
    [order] = orders(session)
    assert order.payment_reference in provider(app).charged()
    # Confirming again (a double click) shows the same order.
    again = client.post("/commande/paiement/confirmation", data={
        "action": "confirm", "idempotency_key": key, "csrf_token": shopper.token})
    assert again.headers["Location"] == response.headers["Location"] and len(orders(session)) == 1


def test_a_payment_not_confirmed_is_voided(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["alpha"], card="confirm")
    shopper.place(key, total)
    charged = provider(app).charged()
    response = client.post("/commande/paiement/confirmation", data={
        "action": "cancel", "idempotency_key": key, "csrf_token": shopper.token})
    assert response.headers["Location"].endswith("/commande/paiement")
    assert orders(session) == [] and provider(app).charged() == charged
    assert cart_lines(session) == {"A-DRY": 1}


@pytest.mark.parametrize("number, field", [
    ("4242 4242 4242 4241", "number"),  # fails the Luhn check
    ("1234", "number"),
    ("4111 1111 1111 1111", "number"),  # a real test number, but not one of the sandbox's
])
def test_bad_cards_are_refused_at_the_payment_step(client, session, shop, number, field):
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    shopper.address()
    response = shopper.pay_with(number)
    assert response.status_code == 422 and text_of(response.get_data(as_text=True), f"error-{field}")
    assert client.get("/commande/recapitulatif").headers["Location"].endswith("/commande/paiement")


def test_an_expired_card_or_bad_code_is_refused(client, shop):
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    shopper.address()
    data = {"holder": "A", "number": CARDS["ok"], "csrf_token": shopper.token}
    response = client.post("/commande/paiement", data={**data, "expiry": "01/20", "cvc": "123"})
    assert response.status_code == 422 and text_of(response.get_data(as_text=True), "error-expiry")
    response = client.post("/commande/paiement", data={**data, "expiry": "12/30", "cvc": "12a"})
    assert response.status_code == 422 and text_of(response.get_data(as_text=True), "error-cvc")


def test_something_sold_out_before_placing_is_shown_not_charged(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["alpha_washer"], shop.offers["beta"])
    offer = session.get(Offer, shop.offers["alpha_washer"].id)
    offer.stock = 0
    session.commit()
    charged = provider(app).charged()
    response = shopper.place(key, total)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert text_of(html, "cart-notice") and not text_of(html, "order-number")
    assert orders(session) == [] and provider(app).charged() == charged
    assert cart_lines(session) == {"B-FRIDGE": 1}


def test_a_missing_csrf_token_places_nothing(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
    charged = provider(app).charged()
    response = client.post("/commande/valider", data={"idempotency_key": key, "expected_total": total},
                           headers=FR)
    assert response.status_code == 400
    assert text_of(response.get_data(as_text=True), "error-message")
    assert orders(session) == [] and provider(app).charged() == charged
    assert cart_lines(session) == {"B-FRIDGE": 1}


def test_a_session_that_expired_mid_checkout_says_so(app, client, session, shop):
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
    charged = provider(app).charged()

    # The session cookie is gone (expired, cleared): the old form's token no longer matches.
    client.delete_cookie("session")
    response = shopper.place(key, total)
    assert response.status_code == 400 and text_of(response.get_data(as_text=True), "error-message")

    # A fresh page and token in the new session: no cart here any more, and the page says why.
    fresh = Checkout(client)
    response = fresh.place(key, total)
    assert response.headers["Location"].endswith("/panier/")
    html = client.get("/panier/", headers=FR).get_data(as_text=True)
    assert "session" in html and tags_with(html, "cart-empty")
    assert client.get("/commande/recapitulatif").headers["Location"].endswith("/panier/")
    assert orders(session) == [] and provider(app).charged() == charged
    assert cart_lines(session) == {"B-FRIDGE": 1}  # still kept, for the session that owns it


def test_steps_send_the_shopper_back_to_what_is_missing(client, shop):
    assert client.get("/commande/adresse").headers["Location"].endswith("/panier/")
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    assert client.get("/commande/paiement").headers["Location"].endswith("/commande/adresse")
    shopper.address()
    assert client.get("/commande/recapitulatif").headers["Location"].endswith("/commande/paiement")
    assert client.get("/commande/livraison").status_code == 200


def test_a_bad_idempotency_key_is_refused(client, session, shop):
    shopper = Checkout(client)
    _response, _html, _key, total = shopper.up_to_review(shop.offers["beta"])
    for key in ("", "short", "x" * 65, "<script>alert(1)</script>xxxxxxxxxx"):
        response = shopper.place(key, total)
        assert response.headers["Location"].endswith("/commande/recapitulatif")
    assert orders(session) == []


def test_payment_codes_follow_the_configured_mapping(app, client, session, shop):
    previous = app.config["PAYMENT_CODES"]
    app.config["PAYMENT_CODES"] = {"card": "CARTE"}
    try:
        shopper = Checkout(client)
        _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
        shopper.place(key, total)
    finally:
        app.config["PAYMENT_CODES"] = previous
    assert [o.payment_code for o in orders(session)] == ["CARTE"]


# --- Signed-in customers -----------------------------------------------------------------------------


def test_a_customer_orders_from_the_address_book_and_sees_only_their_orders(app, client, session, shop):
    address = addresses.add_address(session, shop.customer, name="Camille Martin", line1="1 rue Haute",
                                    postal_code="20000", city="Ajaccio")
    log_in(client, shop.customer)
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    html = client.get("/commande/adresse", headers=FR).get_data(as_text=True)
    assert tags_with(html, "address-choice") and "error-email" not in html
    response = client.post("/commande/adresse", data={"address_id": address.id, "csrf_token": shopper.token})
    assert response.headers["Location"].endswith("/commande/livraison")
    # Corsica: Beta's only mode there is its THD at 12.90 €.
    assert shopper.pay_with("ok").status_code == 302
    _response, html, key, total = shopper.review()
    assert amount_of(html, "shipment-fee") == [1290]
    response = shopper.place(key, total)
    [order] = orders(session)
    assert response.headers["Location"].endswith(f"/commande/confirmation/{order.number}")
    assert order.customer_id == shop.customer.id and order.ship_city == "Ajaccio"

    html = client.get("/commande/mes-commandes", headers=FR).get_data(as_text=True)
    assert text_of(html, "order-number") == [order.number]
    assert tags_with(html, "order-status") and tags_with(html, "seller-order-status")
    assert client.get(f"/commande/mes-commandes/{order.number}").status_code == 200

    other = app.test_client()
    log_in(other, shop.other_customer)
    assert other.get(f"/commande/mes-commandes/{order.number}").status_code == 404
    assert other.get(f"/commande/confirmation/{order.number}").status_code == 404
    for odd in ("%00", "SF-%00", "<script>", "x" * 20):
        assert client.get(f"/commande/mes-commandes/{odd}").status_code == 404
    assert text_of(other.get("/commande/mes-commandes").get_data(as_text=True), "order-number") == []
    guest = app.test_client()
    assert guest.get("/commande/mes-commandes").headers["Location"].startswith("/compte/connexion")


def test_someone_elses_address_cannot_be_used(client, session, shop):
    theirs = addresses.add_address(session, shop.other_customer, name="D", line1="2 rue Basse",
                                   postal_code="75011", city="Paris")
    log_in(client, shop.customer)
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    for address_id in (theirs.id, "abc", "99999999999"):
        response = client.post("/commande/adresse", data={"address_id": address_id, "csrf_token": shopper.token},
                               headers=FR)
        assert response.status_code == 422 and text_of(response.get_data(as_text=True), "cart-error")


def test_my_orders_show_the_carrier_and_the_tracking_link(app, client, session, shop):
    log_in(client, shop.customer)
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["first_party"])
    shopper.place(key, total)
    carrier = tracking.create_carrier(session, "COLISSIMO", "Colissimo",
                                      "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}")
    shipment = session.scalars(select(Shipment)).one()
    shipment.carrier, shipment.tracking_number, shipment.status = carrier, "6A12345678901", ShipmentStatus.SHIPPED
    session.commit()

    html = client.get("/commande/mes-commandes", headers=FR).get_data(as_text=True)
    [link] = tags_with(html, "tracking-link")
    assert 'href="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"' in link
    assert text_of(html, "carrier") == ["Colissimo"]
    assert tags_with(html, "delivery-promise") and tags_with(html, "shipment")
    assert session.scalar(select(func.count()).select_from(CustomerOrder)) == 1


def test_card_numbers_tried_from_one_cart_are_rate_limited(app, client, session, shop):
    shopper = Checkout(client)
    shopper.add(shop.offers["beta"])
    assert shopper.address().status_code == 302
    statuses = [shopper.pay_with("4111 1111 1111 1111").status_code for _ in range(10)]
    assert statuses == [422] * 10  # not a sandbox card: said on the form each time
    blocked = shopper.pay_with("ok")
    assert blocked.status_code == 429
    assert text_of(blocked.get_data(as_text=True), "error-message")
    assert cart_lines(session) == {"B-FRIDGE": 1}
    # Another shopper (another cart) on the same network address pays as usual.
    other = Checkout(app.test_client())
    other.add(shop.offers["beta"])
    assert other.address().status_code == 302
    assert other.pay_with("ok").status_code == 302


def test_an_unconfirmed_account_is_asked_to_confirm_before_ordering(app, client, session, shop):
    """The rule is the service's (EMAIL_NOT_CONFIRMED); the page says so, keeps the cart and offers
    a new link. A guest with the same address orders as usual."""
    shop.customer.email_confirmed_at = None
    session.commit()
    log_in(client, shop.customer)
    shopper = Checkout(client)
    _response, _html, key, total = shopper.up_to_review(shop.offers["beta"])
    charged_before = set(provider(app).charged())
    response = shopper.place(key, total)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Confirmez d’abord votre adresse e-mail" in html
    assert tags_with(html, "checkout-resend-confirmation")
    assert orders(session) == [] and provider(app).charged() == charged_before
    assert cart_lines(session) == {shop.offers["beta"].sku: 1}

    resend = client.post("/compte/confirmation/renvoyer",
                         data={"email": shop.customer.email, "csrf_token": shopper.token})
    assert resend.status_code == 302
    assert [m.kind for m in session.scalars(select(OutboxMessage))] == ["confirm_email"]

    guest = Checkout(app.test_client())
    _response, _html, key, total = guest.up_to_review(shop.offers["beta"])
    assert guest.place(key, total).status_code == 302
