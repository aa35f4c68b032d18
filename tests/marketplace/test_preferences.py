import pytest

from storefront.marketplace import preferences
from storefront.marketplace.errors import InvalidValue


def test_defaults_then_stored_values(session, count_queries):
    assert preferences.get(session, "show_sold_by") is True
    preferences.set(session, "show_sold_by", False)
    preferences.set(session, "relations_model", "MEDIATED")
    with count_queries() as statements:
        values = preferences.get_all(session)
    assert len(statements) == 1
    assert values["show_sold_by"] is False and values["relations_model"] == "MEDIATED"
    assert values["show_seller_rating"] is True


@pytest.mark.parametrize(
    ("key", "value"),
    [("nope", 1), ("show_sold_by", "yes"), ("relations_model", "CHAOS"), ("acceptance_delay_hours", -4),
     ("acceptance_delay_hours", True)],
)
def test_bad_values(session, key, value):
    with pytest.raises(InvalidValue):
        preferences.set(session, key, value)
