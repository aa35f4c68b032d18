"""The shop's clock: what time it is, and in which time zone the shop's days begin and end.

One :class:`ShopClock` per shop, built by ``create_app`` from ``SHOP_TIMEZONE`` and
``FROZEN_TIME`` (tests and demos freeze it, so that a promise is an exact date). Everything that
depends on the shop's date or time of day reads it: the delivery promise and its cut-off, the
acceptance deadline and its sweep, "today" in the portals and shipping dates, the emails' date,
the pages' dates. Services whose events do not depend on the date (a message, a refund) stamp
them with the real time.

Why a clock per database rather than a module setting: tests build several apps in one process,
with different settings, and a module setting would be silently overridden by the last one.
Services already hold a ``Session``; :func:`of` finds the clock installed for its engine (each
app has its own engine), as ``reference_cache`` keeps its copies. Pure functions that have no
session (``delivery.promise``, ``buybox.Ranker``) take the time zone as an argument.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .errors import InvalidValue


def _not_frozen() -> datetime | None:
    return None


@dataclass(frozen=True, slots=True)
class ShopClock:
    """The shop's time zone, and the moment it is (the real time unless frozen).

    ``frozen_at`` is asked at every reading, so that a running app can be frozen and thawed
    (tests do it through the app's ``FROZEN_TIME`` setting).
    """

    tz: ZoneInfo
    frozen_at: Callable[[], datetime | None] = _not_frozen

    @classmethod
    def in_zone(cls, timezone: str | ZoneInfo, frozen: datetime | None = None) -> ShopClock:
        """A clock in ``timezone`` (an IANA name), stopped at ``frozen`` when given."""
        if frozen is not None:
            check_moment(frozen, "the frozen time")
        return cls(zone(timezone), (lambda: frozen) if frozen is not None else _not_frozen)

    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        frozen = self.frozen_at()
        if frozen is None:
            return datetime.now(UTC)
        return check_moment(frozen, "the frozen time")

    def today(self) -> date:
        return self.local_date(self.now())

    def local_date(self, moment: datetime) -> date:
        """The shop's date at ``moment`` (an aware datetime)."""
        return check_moment(moment, "a moment").astimezone(self.tz).date()


def zone(timezone: str | ZoneInfo) -> ZoneInfo:
    """``timezone`` as a ``ZoneInfo``; raises :class:`InvalidValue` for an unknown name."""
    if isinstance(timezone, ZoneInfo):
        return timezone
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidValue(f"unknown timezone {timezone!r}") from None


def check_moment(moment: datetime, what: str) -> datetime:
    if not isinstance(moment, datetime):
        raise InvalidValue(f"{what} must be a datetime, not {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time could be UTC or the shop's time: an hour or two off moves the cut-off.
        raise InvalidValue(f"{what} must be timezone-aware")
    return moment


# --- One clock per database ----------------------------------------------------------------------

_clocks: weakref.WeakKeyDictionary[Engine, ShopClock] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def install(engine: Engine, clock: ShopClock) -> None:
    """Make ``clock`` the clock of the shop whose database is ``engine`` (``create_app`` does)."""
    with _lock:
        _clocks[engine] = clock


def of(session: Session) -> ShopClock:
    """The clock of the shop ``session`` works for."""
    bind = session.get_bind()
    clock = _clocks.get(getattr(bind, "engine", bind))
    if clock is None:
        raise RuntimeError(
            "this database has no shop clock: create_app installs one (storefront.clock)"
        )
    return clock
