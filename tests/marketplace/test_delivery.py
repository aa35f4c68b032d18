"""Delivery service: zones, rates, shipping fees and the delivery promise (no HTTP).

Dates are concrete 2026 dates so that every expectation can be checked against a calendar:
2026-07-14 (Tuesday), 2026-11-11 (Wednesday), 2026-12-25 and 2027-01-01 (Fridays) are holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storefront.marketplace import delivery
from storefront.marketplace.business_calendar import FRENCH_CALENDAR, BusinessCalendar
from storefront.marketplace.delivery import FeeLine, Promise
from storefront.marketplace.errors import InvalidValue, NotDeliverable, NotFound
from storefront.marketplace.models import DeliveryMode, Seller, ShippingRate, Zone, ZoneRule

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def make_seller(session, code: str, **fields) -> Seller:
    seller = Seller(code=code, slug=code.lower(), name=code.title(), **fields)
    session.add(seller)
    session.flush()
    return seller


@pytest.fixture
def zones(session):
    """The demo zones of the design: mainland France, Corsica, overseas departments, Belgium."""
    return {
        "FR-MAIN": delivery.create_zone(
            session,
            "FR-MAIN",
            "France métropolitaine",
            label_en="Mainland France",
            rules=[("FR", "")],
        ),
        "FR-COR": delivery.create_zone(session, "FR-COR", "Corse", rules=[("FR", "20")]),
        "FR-DOM": delivery.create_zone(
            session,
            "FR-DOM",
            "Outre-mer",
            rules=[("FR", p) for p in ("971", "972", "973", "974", "975", "976")],
        ),
        "BE": delivery.create_zone(session, "BE", "Belgique", rules=[("be", "")]),
    }


@pytest.fixture
def modes(session):
    # Created out of position order, so that sorting by position is really tested.
    return {
        "RELAY": delivery.create_mode(session, "RELAY", "Point relais", position=3),
        "THD": delivery.create_mode(session, "THD", "Standard suivi", position=1),
        "EHD": delivery.create_mode(session, "EHD", "Express", saturday_delivery=True, position=2),
        "FDHD": delivery.create_mode(
            session, "FDHD", "Livraison sur rendez-vous", min_weight_grams=30_000, position=4
        ),
    }


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- Business calendar ---------------------------------------------------------------------------


def test_calendar_knows_french_holidays_and_weekends():
    cal = BusinessCalendar()
    assert cal.is_holiday(date(2026, 7, 14))
    assert cal.is_holiday(date(2026, 12, 25))
    assert not cal.is_holiday(date(2026, 12, 26))  # St Stephen's Day is only in Alsace-Moselle
    assert not cal.is_business_day(date(2026, 7, 14))
    assert not cal.is_business_day(date(2026, 12, 5))  # Saturday
    assert cal.is_business_day(date(2026, 12, 4))  # Friday
    assert not cal.is_delivery_day(date(2026, 12, 5))
    assert cal.is_delivery_day(date(2026, 12, 5), saturday=True)
    assert not cal.is_delivery_day(date(2026, 12, 6), saturday=True)  # never on Sundays
    assert not cal.is_delivery_day(date(2026, 8, 15), saturday=True)  # a Saturday, but a holiday


def test_calendar_adds_days():
    cal = FRENCH_CALENDAR
    assert cal.add_business_days(date(2026, 7, 10), 0) == date(2026, 7, 10)
    assert cal.add_business_days(date(2026, 7, 10), 1) == date(2026, 7, 13)
    assert cal.add_business_days(date(2026, 7, 13), 1) == date(2026, 7, 15)
    assert cal.add_delivery_days(date(2026, 7, 10), 1) == date(2026, 7, 13)
    assert cal.add_delivery_days(date(2026, 7, 10), 1, saturday=True) == date(2026, 7, 11)
    assert cal.next_business_day_on_or_after(date(2026, 12, 24)) == date(2026, 12, 24)
    assert cal.next_business_day_on_or_after(date(2026, 12, 25)) == date(2026, 12, 28)
    with pytest.raises(InvalidValue):
        cal.add_business_days(date(2026, 7, 10), -1)
    with pytest.raises(InvalidValue):
        cal.is_holiday(datetime(2026, 12, 25, 10, 0))


def test_alsace_moselle_calendar_has_its_own_holidays():
    moselle = BusinessCalendar(subdiv="57")
    assert moselle.is_holiday(date(2026, 12, 26))
    assert moselle.is_holiday(date(2026, 4, 3))  # Good Friday


# --- Promise -------------------------------------------------------------------------------------


def test_friday_after_cutoff_starts_on_monday():
    result = delivery.promise(
        paris(2026, 12, 4, 15, 30), lead_time_days=0, transit_min=1, transit_max=3, tz=PARIS
    )
    assert result == Promise(
        ship_by=date(2026, 12, 7), earliest=date(2026, 12, 8), latest=date(2026, 12, 10)
    )


def test_friday_before_cutoff_ships_the_same_day():
    result = delivery.promise(
        paris(2026, 12, 4, 10, 0), lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS
    )
    assert result == Promise(
        ship_by=date(2026, 12, 4), earliest=date(2026, 12, 7), latest=date(2026, 12, 8)
    )


def test_exactly_at_cutoff_is_too_late():
    result = delivery.promise(
        paris(2026, 12, 3, 14, 0), lead_time_days=0, transit_min=1, transit_max=1, tz=PARIS
    )
    assert result.ship_by == date(2026, 12, 4)


def test_saturday_delivery_mode_delivers_on_saturday():
    ordered_at = paris(2026, 12, 4, 10, 0)
    with_saturday = delivery.promise(
        ordered_at, lead_time_days=0, transit_min=1, transit_max=2, saturday_delivery=True, tz=PARIS
    )
    without = delivery.promise(ordered_at, lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS)
    assert with_saturday == Promise(date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 7))
    assert without == Promise(date(2026, 12, 4), date(2026, 12, 7), date(2026, 12, 8))


def test_saturday_delivery_never_ships_on_saturday():
    # Shippers hand parcels over on business days only, whatever the mode.
    result = delivery.promise(
        paris(2026, 12, 5, 9, 0),
        lead_time_days=0,
        transit_min=1,
        transit_max=1,
        saturday_delivery=True,
        tz=PARIS,
    )
    assert result == Promise(date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 8))


def test_week_of_14_july():
    # Monday 13 July after cut-off: the 14th is a holiday, so the order starts on Wednesday.
    after_cutoff = delivery.promise(
        paris(2026, 7, 13, 16, 0), lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS
    )
    assert after_cutoff == Promise(date(2026, 7, 15), date(2026, 7, 16), date(2026, 7, 17))
    # Before cut-off with one day of lead time: Monday + 1 business day skips the 14th.
    lead_time = delivery.promise(
        paris(2026, 7, 13, 10, 0), lead_time_days=1, transit_min=2, transit_max=3, tz=PARIS
    )
    assert lead_time == Promise(date(2026, 7, 15), date(2026, 7, 17), date(2026, 7, 20))
    # Ordered on the holiday itself, in the morning.
    on_holiday = delivery.promise(
        paris(2026, 7, 14, 9, 0), lead_time_days=0, transit_min=0, transit_max=1, tz=PARIS
    )
    assert on_holiday == Promise(date(2026, 7, 15), date(2026, 7, 15), date(2026, 7, 16))
    # Shipped on Friday the 10th: transit cannot land on the 14th.
    over_holiday = delivery.promise(
        paris(2026, 7, 10, 9, 0), lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS
    )
    assert over_holiday == Promise(date(2026, 7, 10), date(2026, 7, 13), date(2026, 7, 15))


def test_christmas_and_new_year():
    # Thursday 24 December after cut-off: 25th holiday, then the weekend; starts Monday 28th.
    result = delivery.promise(
        paris(2026, 12, 24, 15, 0), lead_time_days=1, transit_min=1, transit_max=3, tz=PARIS
    )
    # Ships Tuesday 29th; 1 January is a Friday holiday, then the weekend.
    assert result == Promise(date(2026, 12, 29), date(2026, 12, 30), date(2027, 1, 4))


def test_christmas_eve_before_cutoff_with_saturday_delivery():
    ordered_at = paris(2026, 12, 24, 10, 0)
    with_saturday = delivery.promise(
        ordered_at, lead_time_days=0, transit_min=1, transit_max=1, saturday_delivery=True, tz=PARIS
    )
    without = delivery.promise(ordered_at, lead_time_days=0, transit_min=1, transit_max=1, tz=PARIS)
    assert with_saturday == Promise(date(2026, 12, 24), date(2026, 12, 26), date(2026, 12, 26))
    assert without == Promise(date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 28))


def test_overseas_long_transit():
    # Wednesday 4 November, one day of lead time: ships Thursday 5th. 11 November is a holiday.
    result = delivery.promise(
        paris(2026, 11, 4, 10, 0), lead_time_days=1, transit_min=5, transit_max=10, tz=PARIS
    )
    assert result == Promise(date(2026, 11, 5), date(2026, 11, 13), date(2026, 11, 20))


def test_lead_time_counts_business_days_over_the_weekend():
    # Thursday 5 March before cut-off, three days to ship: Friday 6, Monday 9, Tuesday 10.
    result = delivery.promise(
        paris(2026, 3, 5, 10, 0), lead_time_days=3, transit_min=2, transit_max=4, tz=PARIS
    )
    assert result == Promise(date(2026, 3, 10), date(2026, 3, 12), date(2026, 3, 16))


@pytest.mark.parametrize(
    ("ordered_at", "ship_by"),
    [
        # Winter: Paris is UTC+1, so the 14:00 cut-off is 13:00 UTC.
        (datetime(2026, 1, 15, 12, 59, tzinfo=UTC), date(2026, 1, 15)),
        (datetime(2026, 1, 15, 13, 0, tzinfo=UTC), date(2026, 1, 16)),
        # Summer: Paris is UTC+2, so the cut-off is 12:00 UTC.
        (datetime(2026, 6, 18, 11, 59, tzinfo=UTC), date(2026, 6, 18)),
        (datetime(2026, 6, 18, 12, 30, tzinfo=UTC), date(2026, 6, 19)),
        # Another offset, same instant as 13:30 in Paris (winter).
        (datetime(2026, 1, 15, 7, 30, tzinfo=timezone(timedelta(hours=-5))), date(2026, 1, 15)),
        # Late Thursday evening in UTC is already Friday in Paris, before cut-off.
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), date(2026, 1, 16)),
    ],
)
def test_cutoff_is_in_paris_time(ordered_at, ship_by):
    result = delivery.promise(ordered_at, lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS)
    assert result.ship_by == ship_by


def test_cutoff_is_the_one_given():
    ordered_at = paris(2026, 12, 3, 12, 30)
    assert delivery.promise(
        ordered_at, lead_time_days=0, transit_min=1, transit_max=1, cutoff=time(12, 0), tz=PARIS
    ).ship_by == date(2026, 12, 4)
    assert delivery.promise(
        ordered_at, lead_time_days=0, transit_min=1, transit_max=1, tz=PARIS
    ).ship_by == date(2026, 12, 3)


def test_naive_datetime_is_refused():
    with pytest.raises(InvalidValue, match="timezone-aware"):
        delivery.promise(
            datetime(2026, 12, 4, 10, 0), lead_time_days=0, transit_min=1, transit_max=2, tz=PARIS
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead_time_days": -1, "transit_min": 1, "transit_max": 2},
        {"lead_time_days": 0, "transit_min": -1, "transit_max": 2},
        {"lead_time_days": 0, "transit_min": 3, "transit_max": 2},
        {"lead_time_days": 1.5, "transit_min": 1, "transit_max": 2},
        {"lead_time_days": 0, "transit_min": 1, "transit_max": 2, "tz": "Mars/Olympus"},
    ],
)
def test_bad_promise_arguments_are_refused(kwargs):
    with pytest.raises(InvalidValue):
        delivery.promise(paris(2026, 12, 4, 10, 0), **{"tz": PARIS, **kwargs})


# --- Zones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "postal_code", "zone_code"),
    [
        ("FR", "75001", "FR-MAIN"),
        ("fr", " 75 001 ", "FR-MAIN"),
        ("FR", "20000", "FR-COR"),
        ("FR", "20200", "FR-COR"),
        ("FR", "97110", "FR-DOM"),
        ("FR", "97600", "FR-DOM"),
        ("FR", "97000", "FR-MAIN"),  # 970.. is no overseas department: the country rule applies
        ("BE", "1000", "BE"),
    ],
)
def test_zone_for_longest_prefix_wins(session, zones, country, postal_code, zone_code):
    assert delivery.zone_for(session, country, postal_code).code == zone_code


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [
        ("FR", "7500"),
        ("FR", "750011"),
        ("FR", "75O01"),
        ("FR", ""),
        ("BE", "10000"),
        ("BE", "B-1000"),
        ("DE", "1"),
        ("DE", "10115!"),
        ("FRA", "75001"),
        ("", "75001"),
    ],
)
def test_zone_for_refuses_malformed_addresses(session, zones, country, postal_code):
    with pytest.raises(InvalidValue):
        delivery.zone_for(session, country, postal_code)


def test_zone_for_unknown_country_is_not_deliverable(session, zones):
    with pytest.raises(NotDeliverable):
        delivery.zone_for(session, "DE", "10115")


def test_zone_for_other_country_format(session):
    delivery.create_zone(session, "UK", "Royaume-Uni", rules=[("GB", "")])
    assert delivery.zone_for(session, "GB", "SW1A 1AA").code == "UK"


def test_create_zone_refuses_a_prefix_of_another_zone(session, zones):
    before = count(session, Zone), count(session, ZoneRule)
    with pytest.raises(InvalidValue, match="FR 20… already belongs to zone FR-COR"):
        delivery.create_zone(session, "ISLANDS", "Îles", rules=[("FR", "20"), ("FR", "974")])
    with pytest.raises(InvalidValue, match="already exists"):
        delivery.create_zone(session, "BE", "Belgique bis", rules=[("LU", "")])
    with pytest.raises(InvalidValue, match="twice"):
        delivery.create_zone(session, "LUX", "Luxembourg", rules=[("LU", ""), ("lu", "")])
    with pytest.raises(InvalidValue):
        delivery.create_zone(session, "COR2", "Corse du Sud", rules=[("FR", "2A")])
    with pytest.raises(InvalidValue):
        delivery.create_zone(session, "EMPTY", "Vide", rules=[])
    assert (count(session, Zone), count(session, ZoneRule)) == before


def test_get_zone_and_mode(session, zones, modes):
    assert delivery.get_zone(session, "FR-COR") is zones["FR-COR"]
    assert delivery.get_mode(session, "EHD") is modes["EHD"]
    assert zones["FR-MAIN"].label_for("en") == "Mainland France"
    with pytest.raises(NotFound):
        delivery.get_zone(session, "MARS")
    with pytest.raises(NotFound):
        delivery.get_mode(session, "TELEPORT")


def test_create_mode_refuses_bad_values(session, modes):
    before = count(session, DeliveryMode)
    with pytest.raises(InvalidValue, match="already exists"):
        delivery.create_mode(session, "THD", "Encore")
    with pytest.raises(InvalidValue):
        delivery.create_mode(session, "HEAVY", "Lourd", min_weight_grams=-1)
    with pytest.raises(InvalidValue):
        delivery.create_mode(session, "NOLABEL", "  ")
    assert count(session, DeliveryMode) == before


# --- Rates ---------------------------------------------------------------------------------------


def test_set_rate_creates_then_updates(session, zones, modes):
    seller = make_seller(session, "ACME")
    rate = delivery.set_rate(
        session, seller, "THD", "FR-MAIN", fee=490, extra_item_fee=150, transit_min=2, transit_max=3
    )
    again = delivery.set_rate(
        session,
        seller.id,
        "THD",
        "FR-MAIN",
        fee=590,
        free_threshold=5000,
        transit_min=1,
        transit_max=2,
    )
    assert again is rate
    assert count(session, ShippingRate) == 1
    assert (rate.fee, rate.extra_item_fee, rate.free_threshold) == (590, 0, 5000)
    assert (rate.transit_min, rate.transit_max, rate.currency) == (1, 2, "EUR")
    assert rate.mode is modes["THD"] and rate.zone is zones["FR-MAIN"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"fee": -1}, InvalidValue),
        ({"fee": 4.9}, InvalidValue),
        ({"fee": "490"}, InvalidValue),
        ({"extra_item_fee": -10}, InvalidValue),
        ({"free_threshold": -1}, InvalidValue),
        ({"free_threshold": 50.0}, InvalidValue),
        ({"transit_min": -1}, InvalidValue),
        ({"transit_min": 4, "transit_max": 3}, InvalidValue),
        ({"currency": "EURO"}, InvalidValue),
        ({"mode_code": "TELEPORT"}, NotFound),
        ({"zone_code": "MARS"}, NotFound),
    ],
)
def test_set_rate_refusals_write_nothing(session, zones, modes, overrides, error):
    seller = make_seller(session, "ACME")
    delivery.set_rate(session, seller, "THD", "FR-MAIN", fee=490, transit_min=2, transit_max=3)
    session.commit()
    before = count(session, ShippingRate)
    arguments = {
        "mode_code": "THD",
        "zone_code": "FR-MAIN",
        "fee": 690,
        "transit_min": 1,
        "transit_max": 2,
    } | overrides
    mode_code, zone_code = arguments.pop("mode_code"), arguments.pop("zone_code")
    with pytest.raises(error):
        delivery.set_rate(session, seller, mode_code, zone_code, **arguments)
    # No rollback: a refusal must leave nothing pending that the next flush would write.
    assert count(session, ShippingRate) == before
    rate = session.scalars(select(ShippingRate)).one()
    assert (rate.fee, rate.transit_min, rate.transit_max) == (490, 2, 3)


def test_set_rate_unknown_seller_id(session, zones, modes):
    with pytest.raises(NotFound):
        delivery.set_rate(session, 4242, "THD", "FR-MAIN", fee=490, transit_min=1, transit_max=2)
    assert count(session, ShippingRate) == 0


def test_rates_for_many_shippers_in_one_query(session, zones, modes, count_queries):
    first, second, silent = (make_seller(session, code) for code in ("ONE", "TWO", "SILENT"))
    for seller in (first, second):
        for mode_code in ("RELAY", "EHD", "THD"):
            delivery.set_rate(
                session, seller, mode_code, "FR-MAIN", fee=490, transit_min=1, transit_max=2
            )
    delivery.set_rate(session, first, "THD", "BE", fee=990, transit_min=3, transit_max=5)
    session.commit()
    zone = delivery.get_zone(session, "FR-MAIN")
    ids = [first.id, second.id, silent.id]  # read before counting: the commit expired them
    with count_queries() as statements:
        rates = delivery.rates_for(session, ids, zone)
        codes = {shipper_id: [r.mode.code for r in found] for shipper_id, found in rates.items()}
    assert len(statements) == 1
    assert codes == {ids[0]: ["THD", "EHD", "RELAY"], ids[1]: ["THD", "EHD", "RELAY"], ids[2]: []}
    assert delivery.rates_for(session, [], zone) == {}


# --- Shipping fee --------------------------------------------------------------------------------


@pytest.fixture
def rate():
    return ShippingRate(fee=490, extra_item_fee=150, free_threshold=5000)


def test_fee_one_line_one_unit(rate):
    assert delivery.shipment_fee([1], rate, goods_total=2000) == 490


def test_fee_one_line_several_units(rate):
    assert delivery.shipment_fee([3], rate, goods_total=2000) == 490 + 2 * 150


def test_fee_several_lines(rate):
    lines = [SimpleNamespace(quantity=2), SimpleNamespace(quantity=1)]
    assert delivery.shipment_fee(lines, rate, goods_total=3000) == 490 + 2 * 150


def test_fee_free_threshold_reached_or_not(rate):
    assert delivery.shipment_fee([2], rate, goods_total=5000) == 0
    assert delivery.shipment_fee([2], rate, goods_total=4999) == 640


def test_fee_without_threshold_is_never_free():
    rate = ShippingRate(fee=990, extra_item_fee=0, free_threshold=None)
    assert delivery.shipment_fee([5], rate, goods_total=10_000_000) == 990


def test_fee_per_line_fees(rate):
    # The line with the highest unit fee pays it once; every other unit pays its extra fee.
    lines = [FeeLine(1, unit_fee=500, extra_item_fee=200), FeeLine(2, 900, 100)]
    assert delivery.shipment_fee(lines, rate, goods_total=1000) == 900 + 100 + 200


def test_fee_refuses_bad_lines(rate):
    for lines in ([], [0], [SimpleNamespace(quantity=-1)], ["2"], [FeeLine(1, -5, 0)]):
        with pytest.raises(InvalidValue):
            delivery.shipment_fee(lines, rate, goods_total=1000)
    with pytest.raises(InvalidValue):
        delivery.shipment_fee([1], rate, goods_total=10.5)


# --- Delivery options ----------------------------------------------------------------------------


@pytest.fixture
def shipper(session, zones, modes):
    seller = make_seller(session, "ACME", cutoff_time=time(12, 0))
    delivery.set_rate(
        session, seller, "THD", "FR-MAIN", fee=490, extra_item_fee=150, transit_min=2, transit_max=3
    )
    delivery.set_rate(
        session,
        seller,
        "EHD",
        "FR-MAIN",
        fee=990,
        extra_item_fee=300,
        free_threshold=20000,
        transit_min=1,
        transit_max=1,
    )
    delivery.set_rate(session, seller, "RELAY", "FR-MAIN", fee=290, transit_min=3, transit_max=5)
    delivery.set_rate(session, seller, "FDHD", "FR-MAIN", fee=4900, transit_min=5, transit_max=8)
    delivery.set_rate(session, seller, "THD", "FR-DOM", fee=1990, transit_min=5, transit_max=10)
    session.commit()
    return seller


def test_delivery_options(session, shipper, zones):
    options = delivery.delivery_options(
        session,
        shipper,
        zones["FR-MAIN"],
        ordered_at=paris(2026, 12, 4, 11, 0),  # Friday, before the shipper's 12:00 cut-off
        lead_time_days=0,
        quantities_or_lines=[2],
        goods_total=3000,
        weight_grams=2000,
    )
    assert [(o.mode.code, o.fee) for o in options] == [
        ("THD", 490 + 150),
        ("EHD", 990 + 300),
        ("RELAY", 290),
    ]
    thd, ehd, relay = (o.promise for o in options)
    assert thd == Promise(date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 9))
    assert ehd == Promise(date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 5))
    assert relay == Promise(date(2026, 12, 4), date(2026, 12, 9), date(2026, 12, 11))
    assert options[0].rate.shipper_id == shipper.id


def test_delivery_options_use_the_shipper_cutoff(session, shipper, zones):
    options = delivery.delivery_options(
        session,
        shipper,
        zones["FR-MAIN"],
        ordered_at=paris(2026, 12, 4, 13, 0),  # before 14:00, but after this shipper's 12:00
        lead_time_days=1,
        quantities_or_lines=[1],
        goods_total=25000,
    )
    assert [o.mode.code for o in options] == ["THD", "EHD", "RELAY"]
    assert {o.promise.ship_by for o in options} == {date(2026, 12, 8)}
    assert [o.fee for o in options] == [490, 0, 290]  # express is free above 200 €


def test_heavy_goods_get_scheduled_delivery_too(session, shipper, zones):
    options = delivery.delivery_options(
        session,
        shipper,
        zones["FR-MAIN"],
        ordered_at=paris(2026, 12, 4, 11, 0),
        lead_time_days=2,
        quantities_or_lines=[1],
        goods_total=89900,
        weight_grams=45_000,
    )
    assert [o.mode.code for o in options] == ["THD", "EHD", "RELAY", "FDHD"]
    assert options[-1].promise == Promise(date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 18))


def test_overseas_options_and_undelivered_zone(session, shipper, zones):
    common = {
        "ordered_at": paris(2026, 11, 4, 10, 0),
        "lead_time_days": 1,
        "quantities_or_lines": [1],
        "goods_total": 1500,
    }
    (overseas,) = delivery.delivery_options(session, shipper, zones["FR-DOM"], **common)
    assert overseas.fee == 1990
    assert overseas.promise == Promise(date(2026, 11, 5), date(2026, 11, 13), date(2026, 11, 20))
    assert delivery.delivery_options(session, shipper, zones["BE"], **common) == []


def test_options_from_preloaded_rates_run_no_query(session, shipper, zones, count_queries):
    other = make_seller(session, "OTHER")
    delivery.set_rate(session, other, "RELAY", "FR-MAIN", fee=390, transit_min=2, transit_max=4)
    session.commit()
    rates = delivery.rates_for(session, [shipper.id, other.id], zones["FR-MAIN"])
    with count_queries() as statements:
        by_shipper = {
            seller.code: delivery.delivery_options_from_rates(
                rates[seller.id],
                seller,
                ordered_at=paris(2026, 12, 4, 11, 0),
                lead_time_days=0,
                quantities_or_lines=[1],
                goods_total=1000,
                tz=PARIS,
            )
            for seller in (shipper, other)
        }
    assert statements == []
    assert [o.mode.code for o in by_shipper["ACME"]] == ["THD", "EHD", "RELAY"]
    assert [(o.mode.code, o.fee) for o in by_shipper["OTHER"]] == [("RELAY", 390)]
    # Rates of one shipper are not mistaken for another's.
    with pytest.raises(InvalidValue):
        delivery.delivery_options_from_rates(
            rates[other.id],
            shipper,
            ordered_at=paris(2026, 12, 4, 11, 0),
            lead_time_days=0,
            quantities_or_lines=[1],
            goods_total=1000,
            tz=PARIS,
        )
