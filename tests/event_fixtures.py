"""A shop with products to put on event shelves, for the event category tests.

Built on the checkout's small shop (tests/checkout_fixtures.py: zones, modes, rates, the
retailer, Alpha, Beta and Gamma), plus one offer per product so the buy box is never in doubt:

    product      category (tree)             brand   seller    price   strike   off  condition    ships
    washer       washers (home>appliances)   Lumo    Alpha     1 000   2 000    50%  NEW          Alpha
    dryer        appliances                  Lumo    Beta      5 000   6 000    17%  NEW          Beta
    fridge       fridges (home>appliances)   Frigo   retailer  3 000   -         -   NEW          retailer
    mower        garden                      Verdo   Gamma    20 000  25 000    20%  REFURBISHED  retailer (OPERATOR)
    used         washers                     Lumo    Beta        800   -         -   USED         Beta
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storefront.marketplace import catalog, event_categories, listing, reference
from storefront.marketplace.models import Condition, Fulfillment, Product
from tests import factories
from tests.checkout_fixtures import Shop, build_shop


@dataclass
class EventShop:
    shop: Shop
    products: dict[str, Product]
    offers: dict


def build_event_shop(session, shop: Shop | None = None) -> EventShop:
    shop = shop or build_shop(session)
    reference.create_category(session, "fridges", "Réfrigérateurs", parent_code="appliances")
    reference.create_category(session, "garden", "Jardin", label_en="Garden")

    def product(key, title, category, brand):
        attributes = {"colour": "WHITE"} if category == "washers" else {}
        return factories.product(session, category_code=category, title=title, brand_name=brand,
                                 attributes=attributes)

    products = {
        "washer": product("washer", "Lave-linge Lumo 8 kg", "washers", "Lumo"),
        "dryer": product("dryer", "Sèche-linge Lumo", "appliances", "Lumo"),
        "fridge": product("fridge", "Réfrigérateur Frigo", "fridges", "Frigo"),
        "mower": product("mower", "Tondeuse Verdo", "garden", "Verdo"),
        "used": product("used", "Lave-linge Lumo d'occasion", "washers", "Lumo"),
    }
    offer = catalog.upsert_offer
    offers = {
        "washer": offer(session, shop.alpha, products["washer"], "EV-WASH", price=1000, origin_price=2000,
                        stock=5, confirmed=True),
        "dryer": offer(session, shop.beta, products["dryer"], "EV-DRY", price=5000, origin_price=6000, stock=5),
        "fridge": offer(session, shop.retailer, products["fridge"], "EV-FRIDGE", price=3000, stock=5,
                        fulfillment=Fulfillment.OPERATOR),
        "mower": offer(session, shop.gamma, products["mower"], "EV-MOW", price=20000, origin_price=25000,
                       stock=2, condition=Condition.REFURBISHED, fulfillment=Fulfillment.OPERATOR),
        "used": offer(session, shop.beta, products["used"], "EV-USED", price=800, stock=1,
                      condition=Condition.USED),
    }
    listing.refresh(session)
    session.commit()
    return EventShop(shop, products, offers)


def rules(**kwargs) -> event_categories.EventRules:
    """Rules of an event live since yesterday until tomorrow, with ``kwargs`` on top."""
    now = datetime.now(UTC)
    values = {
        "name": "Black Friday", "slug": "black-friday",
        "starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=1),
    }
    return event_categories.EventRules(**{**values, **kwargs})
