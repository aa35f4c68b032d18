"""One clock and one time zone: at a frozen moment near the 14:00 cut-off, the product page, the
cart, the checkout's delivery step and the placed order (confirmation page and database) promise
the same dates, computed in the shop's time zone (``SHOP_TIMEZONE``).

Each test runs an app of its own, created with its ``FROZEN_TIME`` (and zone), on the test
database; the data is written through the test app's session.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.marketplace import clock as shop_clock
from storefront.marketplace.models import CustomerOrder, OutboxMessage
from tests import checkout_fixtures
from tests.checkout_fixtures import csrf_token, tags_with

shop = checkout_fixtures.shop

FR = {"Accept-Language": "fr"}
GUEST = {"email": "alex@example.com", "name": "Alex Durand", "line1": "5 place Bellecour", "line2": "",
         "postal_code": "69002", "city": "Lyon", "country": "FR", "phone": ""}

# Friday 4 December 2026; Paris is UTC+1 in winter, London UTC+0.
BEFORE_CUTOFF = datetime(2026, 12, 4, 12, 59, tzinfo=UTC)  # 13:59 in Paris
AFTER_CUTOFF = datetime(2026, 12, 4, 13, 1, tzinfo=UTC)  # 14:01 in Paris
# Beta Froid: lead time 3 business days, THD mainland 3 to 5 days.
# (ship by, earliest, latest)
LEAVES_FRIDAY = (date(2026, 12, 9), date(2026, 12, 14), date(2026, 12, 16))
LEAVES_MONDAY = (date(2026, 12, 10), date(2026, 12, 15), date(2026, 12, 17))


@pytest.fixture
def shop_app(another_app):
    """``shop_app(**config)``: an application created with ``config`` on the test database."""
    return lambda **config: another_app(WTF_CSRF_ENABLED=True, **config)


def promises(html: str) -> set[tuple[str, str]]:
    """(earliest, latest) of every delivery promise on a page."""
    tags = tags_with(html, "delivery-promise")
    return {tuple(re.search(rf'data-{end}="([^"]+)"', tag).group(1) for end in ("earliest", "latest"))
            for tag in tags}


def window(dates) -> set[tuple[str, str]]:
    _ship_by, earliest, latest = dates
    return {(earliest.isoformat(), latest.isoformat())}


@pytest.mark.parametrize(
    ("frozen", "expected"),
    [(BEFORE_CUTOFF, LEAVES_FRIDAY), (AFTER_CUTOFF, LEAVES_MONDAY)],
    ids=["13:59", "14:01"],
)
def test_every_page_and_the_order_promise_the_same_dates(session, shop, shop_app, frozen, expected):
    app = shop_app(FROZEN_TIME=frozen)
    client = app.test_client()
    fridge = shop.offers["beta"]  # the fridge's only offer
    product = fridge.product

    product_page = client.get(f"/p/{product.id}/{product.slug}", headers=FR).get_data(as_text=True)
    assert promises(product_page) == window(expected)

    token = csrf_token(client)
    client.post("/panier/ajouter", data={"offer_id": fridge.id, "quantity": 1, "csrf_token": token})
    cart_page = client.get("/panier/", headers=FR).get_data(as_text=True)
    assert promises(cart_page) == window(expected)

    response = client.post("/commande/adresse", data={**GUEST, "csrf_token": token}, headers=FR)
    assert response.headers["Location"].endswith("/commande/livraison")
    delivery_step = client.get("/commande/livraison", headers=FR).get_data(as_text=True)
    assert promises(delivery_step) == window(expected)

    response = client.post("/commande/paiement", data={
        "holder": "Alex Durand", "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123",
        "csrf_token": token,
    }, headers=FR)
    assert response.headers["Location"].endswith("/commande/recapitulatif")
    review = client.get("/commande/recapitulatif", headers=FR).get_data(as_text=True)
    assert promises(review) == window(expected)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)
    total = re.search(r'name="expected_total" value="(\d+)"', review).group(1)
    response = client.post("/commande/valider", data={
        "idempotency_key": key, "expected_total": total, "csrf_token": token,
    }, headers=FR)
    assert response.status_code == 302

    confirmation = client.get(response.headers["Location"], headers=FR).get_data(as_text=True)
    assert promises(confirmation) == window(expected)

    session.expire_all()
    [order] = session.scalars(select(CustomerOrder)).all()
    [shipment] = order.shipments
    assert (shipment.ship_by, shipment.promised_min, shipment.promised_max) == expected
    # The order was placed at the frozen moment, and its acceptance deadline counts from it.
    assert order.created_at == frozen
    assert all(part.acceptance_deadline > frozen for part in order.seller_orders)
    # The confirmation email is dated on the shop's day.
    [message] = session.scalars(select(OutboxMessage)).all()
    assert "Envoyé le vendredi 4 décembre" in message.text_body


def test_the_cut_off_is_in_the_shops_time_zone(app, session, shop, shop_app):
    # 13:30 UTC on that Friday: 14:30 in Paris, after the cut-off; 13:30 in London, before it.
    frozen = datetime(2026, 12, 4, 13, 30, tzinfo=UTC)
    paris = shop_app(FROZEN_TIME=frozen)
    london = shop_app(FROZEN_TIME=frozen, SHOP_TIMEZONE="Europe/London")
    product = shop.offers["beta"].product
    url = f"/p/{product.id}/{product.slug}"

    def page(each):
        return each.test_client().get(url, headers=FR).get_data(as_text=True)

    assert promises(page(london)) == window(LEAVES_FRIDAY)
    assert promises(page(paris)) == window(LEAVES_MONDAY)
    # Each app keeps its own clock, whichever was created last.
    for each, zone in ((paris, "Europe/Paris"), (london, "Europe/London")):
        with each.app_context():
            assert shop_clock.of(db.session).tz.key == zone
            assert shop_clock.of(db.session).now() == frozen
    with app.app_context():
        assert shop_clock.of(db.session).tz.key == "Europe/Paris"
