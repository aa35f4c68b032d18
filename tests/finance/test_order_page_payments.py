"""The customer's order page shows what was charged, what was refunded and when, in French and
English; and to that customer only."""

from __future__ import annotations

from storefront.marketplace import orders, tracking
from storefront.marketplace.models import ActorRole
from tests import order_fixtures
from tests.order_fixtures import Visitor, html_text, part_of, place

people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER


def _page(client, person, number, language="en"):
    visitor = Visitor(client).log_in(person)
    visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = visitor.get(f"/commande/mes-commandes/{number}")
    visitor.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    visitor.post("/compte/deconnexion")
    return response


def test_the_order_page_shows_charges_and_refunds(client, session, people):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    number = order.number
    page = html_text(_page(client, people.customer, number).get_data(as_text=True))
    assert "Nothing has been charged yet" in page

    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="CP12345678FR", actor_role=SELLER)
    charged = order.total
    orders.refund(session, part, amount=250, reason_code="DAMAGED", actor_role=SELLER)

    raw = _page(client, people.customer, number).get_data(as_text=True)
    assert f'data-kind="CHARGED" data-amount="{charged}"' in raw
    assert 'data-kind="REFUNDED" data-amount="250"' in raw
    english = html_text(raw)
    assert "Charged" in english and "Refunded" in english and "€2.50" in english
    french = html_text(_page(client, people.customer, number, "fr").get_data(as_text=True))
    assert "Débité" in french and "Remboursé" in french and "2,50" in french

    # Another customer sees no such order.
    assert _page(client, people.other_customer, number).status_code == 404


def test_a_refund_the_provider_has_not_made_yet_shows_as_in_progress(client, session, people, app):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    part = part_of(order, shop.alpha)
    orders.accept(session, part, actor_role=SELLER)
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="CP12345679FR", actor_role=SELLER)
    provider = app.extensions["payment_provider"]
    provider.outage(1)
    try:
        orders.refund(session, part, amount=300, reason_code="DAMAGED", actor_role=SELLER)
    finally:
        provider.outage(0)
    raw = _page(client, people.customer, order.number).get_data(as_text=True)
    assert 'data-kind="REFUND_PENDING" data-amount="300"' in raw
    assert "Refund in progress" in html_text(raw)
