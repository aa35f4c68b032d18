"""Business and delivery days in France: weekends and French public holidays are not worked.

Shippers hand parcels over on business days (Monday to Friday, not a public holiday); carriers
deliver on business days and, for some modes, on Saturdays. The delivery promise counts both.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays

from .errors import InvalidValue

SATURDAY = 5
SUNDAY = 6


class BusinessCalendar:
    """French working calendar, with the public holidays of each year computed once and cached.

    ``subdiv`` selects a subdivision of the ``holidays`` package (for example ``"57"`` for
    Moselle, which adds Good Friday and St Stephen's Day); the default is the national calendar.
    """

    def __init__(self, subdiv: str | None = None):
        self.subdiv = subdiv
        # Product pages ask for many dates at once; building a year's holidays every time is slow.
        self._holidays_by_year: dict[int, frozenset[date]] = {}

    def holidays_in(self, year: int) -> frozenset[date]:
        cached = self._holidays_by_year.get(year)
        if cached is None:
            cached = frozenset(holidays.France(years=year, subdiv=self.subdiv))
            self._holidays_by_year[year] = cached
        return cached

    def is_holiday(self, d: date) -> bool:
        d = _as_date(d)
        return d in self.holidays_in(d.year)

    def is_business_day(self, d: date) -> bool:
        """Monday to Friday and not a public holiday: a day on which shippers hand parcels over."""
        d = _as_date(d)
        return d.weekday() < SATURDAY and not self.is_holiday(d)

    def is_delivery_day(self, d: date, saturday: bool = False) -> bool:
        """A day on which carriers deliver: business days, and non-holiday Saturdays for modes
        that deliver on Saturdays. Never Sundays."""
        d = _as_date(d)
        if d.weekday() == SATURDAY:
            return saturday and not self.is_holiday(d)
        return self.is_business_day(d)

    def add_business_days(self, d: date, n: int) -> date:
        """The ``n``-th business day after ``d`` (``d`` itself when ``n`` is 0)."""
        return self._add(d, n, self.is_business_day)

    def add_delivery_days(self, d: date, n: int, saturday: bool = False) -> date:
        """The ``n``-th delivery day after ``d`` (``d`` itself when ``n`` is 0)."""
        return self._add(d, n, lambda day: self.is_delivery_day(day, saturday))

    def next_business_day_on_or_after(self, d: date) -> date:
        d = _as_date(d)
        while not self.is_business_day(d):
            d += timedelta(days=1)
        return d

    def _add(self, d: date, n: int, counts) -> date:
        d = _as_date(d)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidValue(f"a number of days must be a whole number, 0 or more, not {n!r}")
        while n:
            d += timedelta(days=1)
            if counts(d):
                n -= 1
        return d


def _as_date(d: date) -> date:
    # A datetime is a date too, but never equal to one: holiday look-ups would silently miss.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise InvalidValue(f"expected a date, not {d!r}")
    return d


FRENCH_CALENDAR = BusinessCalendar()
