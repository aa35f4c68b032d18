import pytest

from storefront.marketplace import finance
from storefront.marketplace.errors import InvalidValue, NotFound
from tests import factories


def test_lookup_order(session):
    home, appliances, washers = factories.category_tree(session)
    shop, other = factories.seller(session), factories.seller(session)
    with pytest.raises(NotFound, match="default rate"):
        finance.commission_rate_for(session, shop, washers)
    finance.set_commission_rate(session, 1500)
    assert finance.commission_rate_for(session, shop, washers) == 1500
    finance.set_commission_rate(session, 1200, category_code="home")
    assert finance.commission_rate_for(session, shop, washers) == 1200
    finance.set_commission_rate(session, 800, category_code="appliances")
    assert finance.commission_rate_for(session, shop, washers) == 800
    assert finance.commission_rate_for(session, shop, home) == 1200
    finance.set_commission_rate(session, 1000, seller=shop)
    assert finance.commission_rate_for(session, shop, washers) == 1000  # seller override first
    finance.set_commission_rate(session, 500, seller=shop, category_code="washers")
    assert finance.commission_rate_for(session, shop, washers) == 500
    assert finance.commission_rate_for(session, shop, appliances) == 1000
    assert finance.commission_rate_for(session, other, washers) == 800
    assert finance.commission_rate_for(session, factories.retailer(session), washers) == 0


def test_set_rate_updates_in_place(session):
    factories.category_tree(session)
    first = finance.set_commission_rate(session, 1500, category_code="home")
    assert finance.set_commission_rate(session, 1400, category_code="home").id == first.id


@pytest.mark.parametrize("rate", [-1, 10_001, 12.5, True])
def test_bad_rates(session, rate):
    with pytest.raises(InvalidValue):
        finance.set_commission_rate(session, rate)


def test_commission_rounds_half_up():
    assert finance.commission_for(39900, 1500) == 5985
    assert finance.commission_for(333, 1500) == 50  # 49.95 → 50
    assert finance.commission_for(0, 1500) == 0
