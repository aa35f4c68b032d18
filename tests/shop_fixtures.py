"""A small but complete shop for catalog tests: zones, modes, rates, sellers, products, offers.

Built through the services (so it also exercises them), then the listing is refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest

from storefront.marketplace import catalog, delivery, listing, sellers
from storefront.marketplace.models import Condition, Fulfillment, Seller
from tests import factories

# A Tuesday morning in Paris, before every cut-off: promises are easy to read.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class MiniShop:
    retailer: Seller
    martin: Seller  # ships mainland France only, fast
    occaz: Seller  # ships everywhere in France and Belgium, slower
    washer: object  # 1P + 2 3P offers
    dryer: object  # 3P only
    fridge: object  # 1P only
    offers: dict


def _rated(seller, total, count):
    seller.rating_sum, seller.rating_count = total, count
    return seller


def build(session) -> MiniShop:
    for code, label, kwargs in [
        ("THD", "Livraison à domicile", {"position": 1}),
        ("EHD", "Livraison express", {"position": 2, "saturday_delivery": True}),
        ("RELAY", "Point relais", {"position": 3}),
        ("FDHD", "Livraison programmée", {"position": 4, "min_weight_grams": 30_000}),
    ]:
        delivery.create_mode(session, code, label, label_en=label, **kwargs)
    delivery.create_zone(session, "FR-MAIN", "France métropolitaine", rules=[("FR", "")])
    delivery.create_zone(session, "FR-COR", "Corse", rules=[("FR", "20")])
    delivery.create_zone(session, "FR-DOM", "Outre-mer", rules=[("FR", "971"), ("FR", "972")])
    delivery.create_zone(session, "BE", "Belgique", rules=[("BE", "")])

    retailer = _rated(factories.retailer(session), 45, 10)  # 4.5
    martin = _rated(sellers.create_seller(session, "martin", "Maison Martin", city="Lyon", cutoff_time=time(12)), 48, 10)
    occaz = _rated(sellers.create_seller(session, "occaz", "Tech Occaz", city="Lille"), 39, 10)
    for zone, fee, tmin, tmax in [("FR-MAIN", 499, 1, 2), ("FR-COR", 990, 3, 5), ("FR-DOM", 1990, 5, 10), ("BE", 1290, 2, 4)]:
        delivery.set_rate(session, retailer, "THD", zone, fee=fee, extra_item_fee=200, free_threshold=100_000, transit_min=tmin, transit_max=tmax)
    delivery.set_rate(session, retailer, "EHD", "FR-MAIN", fee=1290, transit_min=1, transit_max=1)
    delivery.set_rate(session, retailer, "FDHD", "FR-MAIN", fee=4990, transit_min=3, transit_max=6)
    delivery.set_rate(session, martin, "THD", "FR-MAIN", fee=0, transit_min=1, transit_max=2)
    delivery.set_rate(session, martin, "EHD", "FR-MAIN", fee=990, transit_min=1, transit_max=1)
    for zone, fee, tmin, tmax in [("FR-MAIN", 690, 2, 4), ("FR-COR", 990, 4, 6), ("FR-DOM", 2490, 8, 15), ("BE", 890, 3, 5)]:
        delivery.set_rate(session, occaz, "RELAY", zone, fee=fee, transit_min=tmin, transit_max=tmax)

    factories.category_tree(session)
    washer = factories.product(session, title="Lave-linge hublot Bosch Série 6 9 kg", brand_name="Bosch",
                               description="Un lave-linge silencieux, classe énergétique A.",
                               attributes={"colour": "WHITE", "capacity_kg": 9})
    dryer = factories.product(session, title="Sèche-linge pompe à chaleur Miele", brand_name="Miele",
                              attributes={"colour": "WHITE", "capacity_kg": 8})
    fridge = factories.product(session, category_code="appliances", title="Réfrigérateur américain Samsung",
                               brand_name="Samsung", attributes={"colour": "BLACK"}, weight_grams=95_000)
    offers = {
        "washer_1p": catalog.upsert_offer(session, retailer, washer, "1P-WASH", price=54900, origin_price=64900,
                                          stock=10, lead_time_days=0, fulfillment=Fulfillment.OPERATOR),
        "washer_martin": catalog.upsert_offer(session, martin, washer, "MM-WASH", price=55900, stock=2, lead_time_days=1),
        "washer_occaz": catalog.upsert_offer(session, occaz, washer, "TO-WASH", price=39900, stock=1,
                                             condition=Condition.REFURBISHED, lead_time_days=2),
        "dryer_martin": catalog.upsert_offer(session, martin, dryer, "MM-DRY", price=69900, stock=3),
        "dryer_occaz_fbo": catalog.upsert_offer(session, occaz, dryer, "TO-DRY", price=71900, stock=5,
                                                fulfillment=Fulfillment.OPERATOR),
        "fridge_1p": catalog.upsert_offer(session, retailer, fridge, "1P-FRIDGE", price=129900, stock=4,
                                          fulfillment=Fulfillment.OPERATOR, lead_time_days=2),
    }
    listing.refresh(session, now=NOW)
    session.commit()
    return MiniShop(retailer, martin, occaz, washer, dryer, fridge, offers)


@pytest.fixture
def mini_shop(session) -> MiniShop:
    return build(session)
