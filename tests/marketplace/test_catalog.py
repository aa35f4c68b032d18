import pytest
from sqlalchemy import func, select

from storefront.marketplace import catalog, sellers
from storefront.marketplace.errors import InvalidValue, NotFound
from storefront.marketplace.models import (
    Brand,
    Condition,
    Fulfillment,
    Offer,
    OfferState,
    Product,
    ProductAttributeValue,
)
from tests import factories


@pytest.mark.parametrize(
    ("gtin", "valid"),
    [("3760123456789", False), ("4006381333931", True), ("96385074", True), ("036000291452", True),
     ("400638133393", False), ("40063813339AB", False), ("", False)],
)
def test_gtin_check_digit(gtin, valid):
    assert catalog.gtin_is_valid(gtin) is valid


def test_product_with_typed_attributes(session):
    factories.category_tree(session)
    product = factories.product(
        session, brand_name="Bosch", attributes={"colour": "BLACK", "capacity_kg": 8.5, "silent": True},
        images=["/media/placeholder/a.svg"],
    )
    values = {v.attribute.code: v for v in product.attribute_values}
    assert values["colour"].item.code == "BLACK"
    assert values["capacity_kg"].number_value == 8.5
    assert values["silent"].number_value == 1.0
    assert product.brand.name == "Bosch" and product.slug == "lave-linge-hublot-9-kg"
    assert [i.url for i in product.images] == ["/media/placeholder/a.svg"]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"capacity_kg": 9}, "required attribute"),
        ({"colour": "PINK"}, "not a value of colour"),
        ({"colour": "WHITE", "capacity_kg": "lourd"}, "takes a number"),
        ({"colour": "WHITE", "silent": "oui"}, "yes or no"),
        ({"colour": "WHITE", "wattage": 3}, "do not apply"),
    ],
)
def test_bad_attributes_write_nothing(session, attributes, message):
    factories.category_tree(session)
    session.commit()
    with pytest.raises(InvalidValue, match=message):
        factories.product(session, attributes=attributes, brand_name="NewBrand")
    assert session.scalar(select(func.count(Product.id))) == 0
    assert session.scalar(select(func.count(ProductAttributeValue.id))) == 0
    assert session.scalar(select(func.count(Brand.id))) == 0


def test_unknown_category_and_bad_gtin(session):
    factories.category_tree(session)
    with pytest.raises(NotFound, match="unknown category"):
        factories.product(session, category_code="nope", attributes={})
    with pytest.raises(InvalidValue, match="not a valid GTIN"):
        factories.product(session, gtin="1234567890123")


def _offer(session, seller, product, **kwargs):
    values = {"price": 39900, "stock": 5} | kwargs
    return catalog.upsert_offer(session, seller, product, values.pop("sku", "SKU-1"), **values)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"price": -1}, "price cannot be negative"),
        ({"price": 12.5}, "whole number of cents"),
        ({"stock": -3}, "stock cannot be negative"),
        ({"origin_price": 100}, "cannot be below the price"),
        ({"lead_time_days": -1}, "lead time cannot be negative"),
        ({"lead_time_days": 61}, "lead time is at most 60 days"),  # the portal's bound, for the API too
        ({"stock": 1_000_001}, "stock is at most 1 000 000"),
        ({"max_per_order": 0}, "at least 1"),
        ({"condition": "BROKEN"}, "BROKEN"),
        ({"sku": ""}, "SKU"),
    ],
)
def test_offer_validation_writes_nothing(session, kwargs, message):
    factories.category_tree(session)
    shop, product = factories.seller(session), factories.product(session)
    session.commit()
    with pytest.raises(InvalidValue, match=message):
        _offer(session, shop, product, **kwargs)
    assert session.scalar(select(func.count(Offer.id))) == 0


def test_offer_upsert_by_sku(session):
    factories.category_tree(session)
    shop, product = factories.seller(session), factories.product(session)
    first = _offer(session, shop, product, origin_price=49900)
    again = _offer(session, shop, product, price=35900, stock=2)
    assert first.id == again.id and again.price == 35900 and again.origin_price is None
    assert _offer(session, shop, product, origin_price=49900).discount_percent == 20
    other = factories.product(session)
    with pytest.raises(InvalidValue, match="already sells another product"):
        _offer(session, shop, other)
    with pytest.raises(InvalidValue, match="already has a NEW offer"):
        _offer(session, shop, product, sku="SKU-2")
    used = _offer(session, shop, product, sku="SKU-2", condition=Condition.USED)
    assert used.condition == Condition.USED


def test_lead_time_defaults_to_the_sellers(session):
    factories.category_tree(session)
    shop = factories.seller(session, default_lead_time_days=3)
    assert _offer(session, shop, factories.product(session)).lead_time_days == 3


def test_retailer_offers_ship_from_the_warehouse(session):
    factories.category_tree(session)
    retailer, product = factories.retailer(session), factories.product(session)
    with pytest.raises(InvalidValue, match="warehouse"):
        _offer(session, retailer, product, fulfillment=Fulfillment.SELLER)
    assert _offer(session, retailer, product, fulfillment=Fulfillment.OPERATOR).is_first_party


def test_offers_for_hides_inactive_and_suspended(session, count_queries):
    factories.category_tree(session)
    product = factories.product(session)
    a, b, c = (factories.seller(session, f"Vendeur {n}") for n in "abc")
    cheap = _offer(session, a, product, price=100)
    _offer(session, b, product, price=200)
    gone = _offer(session, c, product, price=50)
    catalog.deactivate_offer(session, gone)
    sellers.suspend_seller(session, b, "Retards")
    ids = product.id, cheap.id, gone.id
    session.expunge_all()
    with count_queries() as statements:
        offers = catalog.offers_for(session, session.get(Product, ids[0]))
        names = [o.seller.name for o in offers]
    assert [o.id for o in offers] == [ids[1]] and names == ["Vendeur a"]
    assert len(statements) <= 3  # product, offers, their sellers: not one query per offer
    assert session.get(Offer, ids[2]).state == OfferState.INACTIVE


def test_suspended_seller_cannot_activate_offers(session):
    factories.category_tree(session)
    shop = factories.seller(session)
    sellers.suspend_seller(session, shop, "Fraude")
    with pytest.raises(InvalidValue, match="suspended"):
        _offer(session, shop, factories.product(session))
