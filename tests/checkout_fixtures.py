"""A small shop to buy from, for the cart and checkout tests, built through the services.

Zones: mainland France (all of FR) and Corsica (FR 20…); no Belgian zone, so a Belgian address is
outside every zone. Shippers and their rates (cents, transit days):

    retailer   THD mainland 499 (+100 per extra item, free from 2 500), 2-3 days
               EHD mainland 990 (+200), 1 day, Saturdays too;  THD Corsica 990 (+200), 3-5 days
    Alpha      THD mainland 590 (+150, free from 5 000), 2-4;  RELAY mainland 390 (+100), 3-5
    Beta       THD mainland 690 (+0), 3-5;  THD Corsica 1 290 (+0), 4-6
    Gamma      no rates: its offers are stored and shipped by the retailer (OPERATOR)

Offers (stock, max per order):

    first_party  retailer, washer        1 999, stock 10, max 10, lead 1
    alpha        Alpha,   dryer          1 500, stock 5,  max 4,  lead 2
    alpha_washer Alpha,   washer (3P)    1 899, stock 1,  max 10, lead 1
    beta         Beta,    fridge           800, stock 3,  max 10, lead 3
    gamma        Gamma,   oven (OPERATOR) 1 200, stock 2,  max 10, lead 1
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storefront.marketplace import cart as cart_service
from storefront.marketplace import catalog, delivery, finance
from storefront.marketplace.models import Fulfillment, Offer, Product, Seller, User, Zone
from tests import factories

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday morning, before the cut-off, far from public holidays.
MORNING = datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
MAINLAND = cart_service.ShippingAddress(
    name="Camille Martin", line1="12 rue de la Paix", postal_code="75002", city="Paris"
)
CORSICA = cart_service.ShippingAddress(
    name="Camille Martin", line1="3 cours Napoléon", postal_code="20000", city="Ajaccio"
)


@dataclass
class Shop:
    retailer: Seller
    alpha: Seller
    beta: Seller
    gamma: Seller
    mainland: Zone
    corsica: Zone
    products: dict[str, Product]
    offers: dict[str, Offer]
    customer: User
    other_customer: User


def build_shop(session) -> Shop:
    retailer = factories.retailer(session)
    alpha = factories.seller(session, "Alpha Maison", code="alpha")
    beta = factories.seller(session, "Beta Froid", code="beta")
    gamma = factories.seller(session, "Gamma Cuisine", code="gamma")
    mainland = delivery.create_zone(session, "FR-MAIN", "France métropolitaine", rules=[("FR", "")])
    corsica = delivery.create_zone(session, "FR-COR", "Corse", rules=[("FR", "20")])
    delivery.create_mode(session, "THD", "Standard suivi", label_en="Tracked standard", position=1)
    delivery.create_mode(session, "EHD", "Express", saturday_delivery=True, position=2)
    delivery.create_mode(session, "RELAY", "Point relais", position=3)
    rate = delivery.set_rate
    rate(session, retailer, "THD", "FR-MAIN", fee=499, extra_item_fee=100, free_threshold=2500,
         transit_min=2, transit_max=3)
    rate(session, retailer, "EHD", "FR-MAIN", fee=990, extra_item_fee=200, transit_min=1, transit_max=1)
    rate(session, retailer, "THD", "FR-COR", fee=990, extra_item_fee=200, transit_min=3, transit_max=5)
    rate(session, alpha, "THD", "FR-MAIN", fee=590, extra_item_fee=150, free_threshold=5000,
         transit_min=2, transit_max=4)
    rate(session, alpha, "RELAY", "FR-MAIN", fee=390, extra_item_fee=100, transit_min=3, transit_max=5)
    rate(session, beta, "THD", "FR-MAIN", fee=690, transit_min=3, transit_max=5)
    rate(session, beta, "THD", "FR-COR", fee=1290, transit_min=4, transit_max=6)

    factories.category_tree(session)
    products = {
        name: factories.product(session, title=title)
        for name, title in [
            ("washer", "Lave-linge hublot 9 kg"),
            ("dryer", "Sèche-linge pompe à chaleur"),
            ("fridge", "Réfrigérateur combiné"),
            ("oven", "Four encastrable"),
        ]
    }
    offer = catalog.upsert_offer
    offers = {
        "first_party": offer(session, retailer, products["washer"], "W-1P", price=1999, stock=10,
                             lead_time_days=1, fulfillment=Fulfillment.OPERATOR),
        "alpha": offer(session, alpha, products["dryer"], "A-DRY", price=1500, stock=5,
                       max_per_order=4, lead_time_days=2),
        "alpha_washer": offer(session, alpha, products["washer"], "A-WASH", price=1899, stock=1,
                              lead_time_days=1),
        "beta": offer(session, beta, products["fridge"], "B-FRIDGE", price=800, stock=3,
                      lead_time_days=3),
        "gamma": offer(session, gamma, products["oven"], "G-OVEN", price=1200, stock=2,
                       lead_time_days=1, fulfillment=Fulfillment.OPERATOR),
    }
    finance.set_commission_rate(session, 1200)
    customer = factories.user(session, email="camille@example.com")
    other_customer = factories.user(session, email="dominique@example.com")
    session.commit()
    return Shop(retailer, alpha, beta, gamma, mainland, corsica, products, offers, customer,
                other_customer)


@pytest.fixture
def shop(session) -> Shop:
    return build_shop(session)


def guest_cart(session, *lines: tuple[Offer, int], address=MAINLAND, email="guest@example.com"):
    """A guest's cart holding ``lines`` (offer, quantity), with an address when given."""
    cart = cart_service.open_cart(session, token=cart_service.new_guest_token())
    for offer, quantity in lines:
        cart_service.add_item(session, cart, offer.id, quantity)
    if address is not None:
        cart_service.set_address(session, cart, address, email=email)
    return cart


# --- Web helpers ---------------------------------------------------------------------------------

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/panier/") -> str:
    """The CSRF token of the client's session, read from a page's meta tag."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF_META.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def tags_with(html: str, testid: str) -> list[str]:
    """The opening tags carrying ``data-testid="<testid>"``."""
    return re.findall(rf'<[^>]*data-testid="{re.escape(testid)}"[^>]*>', html)


def text_of(html: str, testid: str) -> list[str]:
    """The text inside each element with that test id (no nested elements of the same tag)."""
    found = re.findall(
        rf'<(\w+)[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</\1>', html, flags=re.S
    )
    return [re.sub(r"<[^>]+>", "", inner).strip() for _tag, inner in found]


def amount_of(html: str, testid: str) -> list[int]:
    return [int(value) for value in re.findall(
        rf'data-testid="{re.escape(testid)}"[^>]*data-amount="(\d+)"', html
    )]
