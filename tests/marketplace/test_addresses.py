"""Address book service: validation against the delivery zones, defaults, ownership (no HTTP)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.marketplace import addresses, delivery
from storefront.marketplace.errors import InvalidValue, NotDeliverable, NotFound
from storefront.marketplace.models import Address
from tests import factories


@pytest.fixture
def zones(session):
    """All of France (Corsica apart, to check prefixes), and no Belgium: Belgian addresses are
    outside every zone."""
    delivery.create_zone(session, "FR-MAIN", "France métropolitaine", rules=[("FR", "")])
    delivery.create_zone(session, "FR-COR", "Corse", rules=[("FR", "20")])


@pytest.fixture
def alice(session, zones):
    return factories.user(session, email="alice@example.com")


@pytest.fixture
def bob(session, zones):
    return factories.user(session, email="bob@example.com")


def home(**changes) -> dict:
    fields = {
        "label": "Maison",
        "name": "Alice Martin",
        "line1": "12 rue de la Paix",
        "line2": "",
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "phone": "01 23 45 67 89",
    }
    return fields | changes


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Address))


def test_the_first_address_is_the_default(session, alice):
    first = addresses.add_address(session, alice, **home())
    second = addresses.add_address(session, alice, **home(label="Bureau", postal_code="69001", city="Lyon"))
    assert first.is_default and not second.is_default
    assert addresses.default_address(session, alice) == first
    assert addresses.addresses_of(session, alice) == [first, second]


def test_values_are_cleaned(session, alice):
    address = addresses.add_address(
        session, alice, **home(postal_code=" 75 002 ", country="fr", name="  Alice   Martin ",
                               city="Paris\t", line2="  ")
    )
    assert (address.postal_code, address.country, address.name, address.city, address.line2) == (
        "75002", "FR", "Alice Martin", "Paris", ""
    )


def test_a_corsican_address_is_in_its_zone(session, alice):
    address = addresses.add_address(session, alice, **home(postal_code="20000", city="Ajaccio"))
    assert address.postal_code == "20000"


def test_making_another_address_the_default_leaves_one_default(session, alice):
    first = addresses.add_address(session, alice, **home())
    second = addresses.add_address(session, alice, **home(city="Lyon", postal_code="69001"),
                                   make_default=True)
    third = addresses.add_address(session, alice, **home(city="Lille", postal_code="59000"))
    assert [a.is_default for a in (first, second, third)] == [False, True, False]
    addresses.set_default_address(session, alice, third.id)
    session.expire_all()
    assert [a.id for a in addresses.addresses_of(session, alice) if a.is_default] == [third.id]
    assert addresses.addresses_of(session, alice)[0] == third  # the default comes first


def test_the_default_stays_on_one_users_book(session, alice, bob):
    mine = addresses.add_address(session, alice, **home())
    theirs = addresses.add_address(session, bob, **home(name="Bob"))
    addresses.add_address(session, bob, **home(name="Bob", city="Lyon", postal_code="69001"),
                          make_default=True)
    session.expire_all()
    assert mine.is_default and not theirs.is_default


def test_malformed_postal_code_names_the_field_and_saves_nothing(session, alice):
    for postal_code in ("7500", "750011", "75O01", "", "1000"):
        with pytest.raises(InvalidValue) as caught:
            addresses.add_address(session, alice, **home(postal_code=postal_code))
        assert caught.value.details["field"] == "postal_code"
    assert count(session) == 0


def test_an_address_outside_every_zone_is_refused(session, alice):
    with pytest.raises(NotDeliverable) as caught:
        addresses.add_address(session, alice, **home(country="BE", postal_code="1000",
                                                     city="Bruxelles"))
    assert caught.value.details["field"] == "postal_code"
    assert "1000" in caught.value.message
    assert count(session) == 0


def test_only_france_and_belgium(session, alice):
    with pytest.raises(InvalidValue) as caught:
        addresses.add_address(session, alice, **home(country="DE", postal_code="10115"))
    assert caught.value.details["field"] == "country"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 121),
        ("line1", ""),
        ("line2", "x" * 201),
        ("city", ""),
        ("label", "x" * 61),
        ("name", "Alice\x00Martin"),
        ("city", "Paris\x07"),
        ("phone", "01 23"),
        ("phone", "call me maybe"),
        ("phone", "0" * 16),
        ("name", None),
        ("city", 75),
    ],
)
def test_each_field_is_checked(session, alice, field, value):
    with pytest.raises(InvalidValue) as caught:
        addresses.add_address(session, alice, **home(**{field: value}))
    assert caught.value.details["field"] == field
    assert count(session) == 0


def test_phone_is_optional_and_lenient_on_format(session, alice):
    assert addresses.add_address(session, alice, **home(phone="")).phone == ""
    assert addresses.add_address(session, alice, **home(phone="+33 (0)6.12-34-56-78")).phone


def test_update_replaces_the_fields_and_keeps_the_default(session, alice):
    first = addresses.add_address(session, alice, **home())
    second = addresses.add_address(session, alice, **home(city="Lyon", postal_code="69001"))
    addresses.update_address(session, alice, first.id, **home(line1="1 place Bellecour",
                                                              postal_code="69002", city="Lyon"))
    session.expire_all()
    assert (first.line1, first.postal_code, first.is_default) == ("1 place Bellecour", "69002", True)
    addresses.update_address(session, alice, second.id, **home(), make_default=True)
    session.expire_all()
    assert second.is_default and not first.is_default


def test_a_refused_update_changes_nothing(session, alice):
    address = addresses.add_address(session, alice, **home())
    with pytest.raises(InvalidValue):
        addresses.update_address(session, alice, address.id, **home(city="Lyon", postal_code="6900"))
    session.expire_all()
    assert (address.city, address.postal_code) == ("Paris", "75002")


def test_deleting_the_default_hands_it_to_the_oldest_left(session, alice):
    first = addresses.add_address(session, alice, **home())
    second = addresses.add_address(session, alice, **home(city="Lyon", postal_code="69001"))
    third = addresses.add_address(session, alice, **home(city="Lille", postal_code="59000"))
    addresses.set_default_address(session, alice, third.id)
    addresses.delete_address(session, alice, third.id)
    session.expire_all()
    assert [a.id for a in addresses.addresses_of(session, alice)] == [first.id, second.id]
    assert first.is_default
    addresses.delete_address(session, alice, second.id)
    addresses.delete_address(session, alice, first.id)
    assert addresses.addresses_of(session, alice) == []


def test_nobody_reaches_someone_elses_address(session, alice, bob):
    address = addresses.add_address(session, alice, **home())
    with pytest.raises(NotFound):
        addresses.get_address(session, bob, address.id)
    with pytest.raises(NotFound):
        addresses.update_address(session, bob, address.id, **home(name="Bob"))
    with pytest.raises(NotFound):
        addresses.set_default_address(session, bob, address.id)
    with pytest.raises(NotFound):
        addresses.delete_address(session, bob, address.id)
    with pytest.raises(NotFound):
        addresses.get_address(session, alice, address.id + 1000)
    session.expire_all()
    assert address.name == "Alice Martin" and count(session) == 1
    assert addresses.addresses_of(session, bob) == []


def test_an_address_book_has_a_limit(session, alice, monkeypatch):
    monkeypatch.setattr(addresses, "MAX_ADDRESSES", 2)
    addresses.add_address(session, alice, **home())
    addresses.add_address(session, alice, **home())
    with pytest.raises(addresses.AddressBookFull):
        addresses.add_address(session, alice, **home())
    assert count(session) == 2
