import pytest
from sqlalchemy import func, select

from storefront.marketplace import sellers
from storefront.marketplace.errors import InvalidTransition, InvalidValue, NotFound
from storefront.marketplace.models import Seller, SellerRating, SellerState
from tests import factories


def test_retailer_is_unique_and_found(session):
    retailer = factories.retailer(session)
    assert sellers.operator_seller(session) == retailer
    with pytest.raises(InvalidValue, match="only one"):
        sellers.create_seller(session, "other", "Autre", is_operator=True)


def test_slugs_are_unique(session):
    a = factories.seller(session, "Le Coin Déco")
    b = factories.seller(session, "Le Coin Déco")
    assert (a.slug, b.slug) == ("le-coin-deco", "le-coin-deco-2")
    assert sellers.get_seller(session, slug="le-coin-deco-2") == b
    with pytest.raises(NotFound):
        sellers.get_seller(session, slug="nope")


def test_rating_average(session):
    shop = factories.seller(session)
    assert shop.rating is None
    for grade in (5, 4, 4):
        sellers.rate_seller(session, shop, grade)
    assert (shop.rating_count, shop.rating) == (3, 4.3)


@pytest.mark.parametrize("grade", [0, 6, 4.5, True, "5"])
def test_bad_grades_write_nothing(session, grade):
    shop = factories.seller(session)
    with pytest.raises(InvalidValue):
        sellers.rate_seller(session, shop, grade)
    assert session.scalar(select(func.count(SellerRating.id))) == 0
    assert session.get(Seller, shop.id).rating_count == 0


def test_suspend_and_reopen(session):
    shop = factories.seller(session)
    with pytest.raises(InvalidValue):
        sellers.suspend_seller(session, shop, "  ")
    sellers.suspend_seller(session, shop, "Retards répétés")
    assert shop.state == SellerState.SUSPENDED
    with pytest.raises(InvalidTransition):
        sellers.suspend_seller(session, shop, "encore")
    sellers.reopen_seller(session, shop)
    assert shop.state == SellerState.OPEN and shop.suspended_reason == ""
    with pytest.raises(InvalidTransition, match="cannot be suspended"):
        sellers.suspend_seller(session, factories.retailer(session), "no")


def test_negative_lead_time_refused(session):
    with pytest.raises(InvalidValue):
        sellers.create_seller(session, "x", "X", default_lead_time_days=-1)
    assert session.scalar(select(func.count(Seller.id))) == 0
