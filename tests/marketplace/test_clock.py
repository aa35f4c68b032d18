"""The shop's clock (no HTTP): its time zone, its frozen time, and one clock per database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storefront.marketplace import clock as shop_clock
from storefront.marketplace import orders
from storefront.marketplace.clock import ShopClock
from storefront.marketplace.errors import InvalidValue

# 23:30 UTC on Thursday 3 December 2026 is already Friday in Paris (UTC+1), not yet in London.
LATE_EVENING = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)


def test_the_shops_date_is_taken_in_its_time_zone():
    assert ShopClock.in_zone("Europe/Paris").local_date(LATE_EVENING) == date(2026, 12, 4)
    assert ShopClock.in_zone("Europe/London").local_date(LATE_EVENING) == date(2026, 12, 3)


def test_a_frozen_clock_stays_at_its_moment():
    clock = ShopClock.in_zone("Europe/Paris", LATE_EVENING)
    assert clock.now() == LATE_EVENING and clock.today() == date(2026, 12, 4)


def test_a_running_clock_follows_the_real_time():
    clock = ShopClock.in_zone("Europe/Paris")
    before = datetime.now(UTC)
    now = clock.now()
    assert before <= now <= datetime.now(UTC) + timedelta(seconds=1) and now.tzinfo is not None


@pytest.mark.parametrize(
    ("timezone", "frozen", "message"),
    [
        ("Mars/Olympus", None, "unknown timezone"),
        ("", None, "unknown timezone"),
        ("Europe/Paris", datetime(2026, 12, 4, 12, 0), "timezone-aware"),
        ("Europe/Paris", "2026-12-04", "must be a datetime"),
    ],
)
def test_bad_clocks_are_refused(timezone, frozen, message):
    with pytest.raises(InvalidValue, match=message):
        ShopClock.in_zone(timezone, frozen)


def test_naive_moments_have_no_shop_date():
    with pytest.raises(InvalidValue, match="timezone-aware"):
        ShopClock.in_zone("Europe/Paris").local_date(datetime(2026, 12, 3, 23, 30))


def test_services_find_the_clock_of_their_database(app, session):
    clock = shop_clock.of(session)
    assert clock is app.extensions["shop_clock"]
    assert clock.tz.key == app.config["SHOP_TIMEZONE"]
    assert orders.today_in_shop(session, LATE_EVENING) == clock.local_date(LATE_EVENING)


def test_the_apps_frozen_time_is_read_when_asked(app, session):
    clock = shop_clock.of(session)
    app.config["FROZEN_TIME"] = LATE_EVENING
    try:
        assert clock.now() == LATE_EVENING
        assert orders.today_in_shop(session) == date(2026, 12, 4)
    finally:
        app.config.pop("FROZEN_TIME", None)
    assert clock.now() != LATE_EVENING
