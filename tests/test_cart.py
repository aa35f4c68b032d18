"""The cart through the Flask client: plain forms and htmx, the header count out of band, the
shipments by shipper, delivery choices, corrections, and bad input that never breaks the cart."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.marketplace import catalog
from storefront.marketplace.models import Cart, CartLine
from tests import checkout_fixtures
from tests.checkout_fixtures import amount_of, csrf_token, tags_with, text_of

shop = checkout_fixtures.shop  # the fixture, for this module's tests

FR = {"Accept-Language": "fr"}
HTMX = {"HX-Request": "true"}


def add(client, offer, quantity="1", token=None, headers=None, **extra):
    data = {"offer_id": str(offer.id if hasattr(offer, "id") else offer), "quantity": quantity,
            "csrf_token": token or csrf_token(client), **extra}
    return client.post("/panier/ajouter", data=data, headers=headers or {})


def lines(session) -> dict[str, int]:
    session.expire_all()
    return {line.offer.sku: line.quantity for line in session.scalars(select(CartLine))}


def cart_page(client) -> str:
    return client.get("/panier/", headers=FR).get_data(as_text=True)


# --- Adding, changing, removing ------------------------------------------------------------------


def test_adding_without_javascript_redirects_to_the_cart(client, session, shop):
    response = add(client, shop.offers["first_party"], "2")
    assert response.status_code == 302 and response.headers["Location"].endswith("/panier/")
    html = cart_page(client)
    assert len(tags_with(html, "cart-line")) == 1
    assert text_of(html, "cart-count") == ["2"]
    assert lines(session) == {"W-1P": 2}
    # The guest's cart is found again by the token in their session only.
    [cart] = session.scalars(select(Cart)).all()
    assert cart.user_id is None and cart.token


def test_adding_with_htmx_swaps_the_header_count_out_of_band(client, session, shop):
    token = csrf_token(client)
    response = add(client, shop.offers["beta"], "2", token=token, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [count] = re.findall(r'<span id="cart-count"[^>]*>', html)
    assert 'hx-swap-oob="true"' in count and 'data-testid="cart-count"' in count
    assert text_of(html, "cart-count") == ["2"]
    assert 'id="cart-status"' in html and "Vary" in response.headers
    response = add(client, shop.offers["alpha"], "1", token=token, headers=HTMX)
    assert text_of(response.get_data(as_text=True), "cart-count") == ["3"]


def test_every_page_shows_the_count(client, shop):
    add(client, shop.offers["first_party"], "3")
    product = shop.products["washer"]
    html = client.get(f"/p/{product.id}/{product.slug}", headers=FR).get_data(as_text=True)
    assert text_of(html, "cart-count") == ["3"]


def test_quantities_change_and_lines_go(client, session, shop):
    token = csrf_token(client)
    add(client, shop.offers["first_party"], "1", token=token)
    add(client, shop.offers["beta"], "1", token=token)
    offer = shop.offers["first_party"]

    response = client.post("/panier/quantite", data={"offer_id": offer.id, "quantity": "3", "csrf_token": token},
                           headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="cart"' in html and "<html" not in html
    assert 'hx-swap-oob="true"' in html and text_of(html, "cart-count") == ["4"]
    assert amount_of(html, "cart-subtotal") == [3 * 1999 + 800]

    response = client.post("/panier/retirer", data={"offer_id": offer.id, "csrf_token": token})
    assert response.status_code == 302
    assert lines(session) == {"B-FRIDGE": 1}


# --- Shipments, sold by, delivery choices --------------------------------------------------------


def test_the_cart_is_split_into_shipments_by_shipper(client, shop):
    token = csrf_token(client)
    for name in ("first_party", "gamma", "alpha", "beta"):
        add(client, shop.offers[name], "1", token=token)
    html = cart_page(client)
    shipments = tags_with(html, "shipment")
    assert [re.search(r'data-shipper="([^"]+)"', tag).group(1) for tag in shipments] == [
        "Storefront", "Alpha Maison", "Beta Froid"
    ]
    assert len(tags_with(html, "cart-line")) == 4
    sold_by = text_of(html, "sold-by")
    assert len(sold_by) == 4 and any("Gamma Cuisine" in s for s in sold_by)
    # Each shipment lists its shipper's modes, each with its promise; one fee per shipment.
    assert re.findall(r'data-testid="delivery-mode"\s+data-mode="(\w+)"', html) == ["THD", "EHD", "THD", "RELAY", "THD"]
    assert len(tags_with(html, "delivery-promise")) == 5
    assert amount_of(html, "shipment-fee") == [0, 390, 690]  # retailer free from 25 €, Alpha relay
    assert amount_of(html, "cart-total") == [1999 + 1200 + 1500 + 800 + 390 + 690]


def test_choosing_a_mode_with_htmx_updates_the_totals(client, shop):
    token = csrf_token(client)
    add(client, shop.offers["alpha"], "1", token=token)
    response = client.post("/panier/livraison", data={f"mode-{shop.alpha.id}": "THD", "csrf_token": token},
                           headers=HTMX)
    html = response.get_data(as_text=True)
    assert amount_of(html, "shipment-fee") == [590]
    assert amount_of(html, "cart-total") == [1500 + 590]
    assert re.search(r'data-mode="THD" data-fee="590" data-chosen="true"', html)


def test_a_mode_the_shipper_does_not_offer_is_refused_with_a_message(client, shop):
    token = csrf_token(client)
    add(client, shop.offers["beta"], "1", token=token)
    response = client.post("/panier/livraison", data={f"mode-{shop.beta.id}": "EHD", "csrf_token": token},
                           headers=FR)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert text_of(html, "cart-error") and amount_of(html, "shipment-fee") == [690]
    response = client.post("/panier/livraison", data={"mode-abc": "THD", "csrf_token": token})
    assert response.status_code == 404 and text_of(response.get_data(as_text=True), "cart-error")


def test_one_unit_is_promised_the_product_pages_dates(client, shop):
    offer = shop.offers["first_party"]
    product = shop.products["washer"]
    page = client.get(f"/p/{product.id}/{product.slug}?offre={offer.id}", headers={**FR, **HTMX})
    product_dates = re.findall(
        r'data-mode="(\w+)">.*?data-earliest="([\d-]+)" data-latest="([\d-]+)"', page.get_data(as_text=True), re.S
    )
    add(client, offer, "1")
    cart_dates = re.findall(
        r'data-testid="delivery-mode"\s+data-mode="(\w+)".*?data-earliest="([\d-]+)" data-latest="([\d-]+)"',
        cart_page(client), re.S,
    )
    assert product_dates and sorted(cart_dates) == sorted(product_dates)


# --- Corrections ---------------------------------------------------------------------------------


def test_price_changes_shortages_and_inactive_offers_are_shown_and_corrected(client, session, shop):
    token = csrf_token(client)
    add(client, shop.offers["first_party"], "1", token=token)
    add(client, shop.offers["alpha"], "4", token=token)
    add(client, shop.offers["beta"], "1", token=token)
    offer = shop.offers["first_party"]
    catalog.upsert_offer(session, shop.retailer, offer.product, offer.sku, price=1899, stock=10,
                         fulfillment="OPERATOR")
    catalog.set_stock(session, shop.offers["alpha"], 2)
    catalog.deactivate_offer(session, shop.offers["beta"])

    html = cart_page(client)
    notices = text_of(html, "cart-notice")
    assert len(notices) == 3
    assert any("19,99" in n and "18,99" in n for n in notices)
    assert lines(session) == {"W-1P": 1, "A-DRY": 2}
    assert text_of(html, "cart-count") == ["3"]
    assert text_of(cart_page(client), "cart-notice") == []  # said once


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "abc", "", "99999999999", "1e2"])
def test_bad_quantities_leave_the_cart_intact(client, session, shop, quantity):
    token = csrf_token(client)
    add(client, shop.offers["beta"], "1", token=token)
    response = add(client, shop.offers["beta"], quantity, token=token, headers=FR)
    assert response.status_code == 422
    assert text_of(response.get_data(as_text=True), "cart-error")
    response = client.post("/panier/quantite", data={"offer_id": shop.offers["beta"].id, "quantity": quantity,
                                                     "csrf_token": token}, headers=HTMX)
    assert response.status_code == 200 and text_of(response.get_data(as_text=True), "cart-error")
    assert lines(session) == {"B-FRIDGE": 1}


def test_quantities_above_stock_or_the_maximum_are_refused(client, session, shop):
    token = csrf_token(client)
    response = add(client, shop.offers["beta"], "4", token=token, headers=FR)  # stock 3
    assert response.status_code == 409
    assert "3" in text_of(response.get_data(as_text=True), "cart-error")[0]
    response = add(client, shop.offers["alpha"], "5", token=token, headers=FR)  # at most 4
    assert response.status_code == 422
    assert "4" in text_of(response.get_data(as_text=True), "cart-error")[0]
    response = add(client, shop.offers["alpha"], "5", token=token, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "cart-status--error" in html
    assert lines(session) == {}


def test_unknown_inactive_or_mismatched_offers_are_refused(client, session, shop):
    token = csrf_token(client)
    catalog.deactivate_offer(session, shop.offers["beta"])
    for offer_id, extra, status in [
        (shop.offers["beta"].id, {}, 422),
        ("999999", {}, 404),
        ("abc", {}, 404),
        ("", {}, 404),
        (shop.offers["alpha"].id, {"product_id": str(shop.products["washer"].id)}, 422),
    ]:
        response = add(client, offer_id, "1", token=token, headers=FR, **extra)
        assert response.status_code == status, offer_id
        assert text_of(response.get_data(as_text=True), "cart-error")
    assert lines(session) == {}


def test_a_tampered_price_is_ignored(client, session, shop):
    add(client, shop.offers["beta"], "1", price="1", price_seen="1", total="1")
    [line] = session.scalars(select(CartLine)).all()
    assert line.price_seen == 800
    assert amount_of(cart_page(client), "cart-subtotal") == [800]


def test_a_missing_or_wrong_csrf_token_changes_nothing(client, session, shop):
    add(client, shop.offers["beta"], "1")
    for token in (None, "wrong"):
        data = {"offer_id": shop.offers["beta"].id, "quantity": "2"}
        if token:
            data["csrf_token"] = token
        response = client.post("/panier/ajouter", data=data, headers=FR)
        assert response.status_code == 400
        assert text_of(response.get_data(as_text=True), "error-message")
        response = client.post("/panier/retirer", data=data, headers=HTMX)
        assert response.status_code == 400
    assert lines(session) == {"B-FRIDGE": 1}


def test_changing_a_cart_without_one_says_so(client, shop):
    token = csrf_token(client)
    response = client.post("/panier/quantite", data={"offer_id": shop.offers["beta"].id, "quantity": "1",
                                                     "csrf_token": token}, headers=FR)
    assert response.status_code == 404 and text_of(response.get_data(as_text=True), "cart-error")
    assert tags_with(response.get_data(as_text=True), "cart-empty")


# --- Login merges the guest's cart ---------------------------------------------------------------


def log_in(client, email, token):
    return client.post("/compte/connexion", data={"email": email, "password": "correct horse battery",
                                                  "csrf_token": token})


def test_logging_in_merges_the_guest_cart_capped_by_stock(app, client, session, shop):
    # The account already holds 2 fridges (stock 3) from an earlier visit.
    earlier = app.test_client()
    log_in(earlier, shop.customer.email, csrf_token(earlier))
    add(earlier, shop.offers["beta"], "2")

    token = csrf_token(client)
    add(client, shop.offers["beta"], "2", token=token)
    add(client, shop.offers["alpha"], "1", token=token)
    response = log_in(client, shop.customer.email, token)
    assert response.status_code == 302

    session.expire_all()
    [cart] = session.scalars(select(Cart)).all()
    assert cart.user_id == shop.customer.id
    assert lines(session) == {"B-FRIDGE": 3, "A-DRY": 1}
    assert text_of(cart_page(client), "cart-count") == ["4"]


# --- The shared page cache -----------------------------------------------------------------------


@pytest.fixture
def page_cache(app):
    from cachetools import TTLCache

    app.config["PAGE_CACHE_SECONDS"] = 60
    app.extensions["page_cache"] = TTLCache(maxsize=100, ttl=60)
    yield
    app.config["PAGE_CACHE_SECONDS"] = 0
    app.extensions["page_cache"] = TTLCache(maxsize=100, ttl=1)


def test_pages_from_the_shared_cache_load_each_visitors_count(app, client, shop, page_cache):
    add(client, shop.offers["first_party"], "2", headers=HTMX)
    product = shop.products["washer"]
    url = f"/p/{product.id}/{product.slug}"
    stranger = app.test_client()
    for visitor in (client, stranger, client):
        html = visitor.get(url, headers=FR).get_data(as_text=True)
        [count] = tags_with(html, "cart-count")
        assert 'hx-get="/panier/compte"' in count and 'hx-trigger="load"' in count
    response = client.get("/panier/compte")
    assert text_of(response.get_data(as_text=True), "cart-count") == ["2"]
    assert "no-store" in response.headers["Cache-Control"]
    assert text_of(stranger.get("/panier/compte").get_data(as_text=True), "cart-count") == ["0"]
