"""Billing periods: the operator's cycle (``billing_cycle`` preference: monthly, or twice a month
from the 1st to the 15th and from the 16th to the end of the month), cut at midnight in the
shop's time zone.

Periods are made as time goes (:func:`ensure_periods`): each starts where the previous one
ended, so a change of cycle applies from the next period and never leaves a gap nor an overlap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import preferences
from .models import BillingCycle, BillingPeriod, LedgerEntry, PeriodState
from .unit_of_work import atomic


def cycle(session: Session) -> BillingCycle:
    return BillingCycle(preferences.get(session, "billing_cycle"))


def period_start(day: date, of: BillingCycle) -> date:
    """The first day of the period of ``of`` holding ``day``."""
    if of == BillingCycle.TWICE_MONTHLY and day.day >= 16:
        return day.replace(day=16)
    return day.replace(day=1)


def next_start(start: date, of: BillingCycle) -> date:
    """The first day of the period after the one starting on ``start``."""
    if of == BillingCycle.TWICE_MONTHLY and start.day < 16:
        return start.replace(day=16)
    return (start.replace(day=1) + timedelta(days=32)).replace(day=1)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    """The moment ``day`` begins in the shop's time zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@atomic
def ensure_periods(session: Session, now: datetime) -> list[BillingPeriod]:
    """Make the periods up to the one holding ``now``, from the end of the last one (or, for the
    first, from the period of the oldest ledger entry). Returns the periods made."""
    tz = shop_clock.of(session).tz
    last = session.scalar(select(BillingPeriod).order_by(BillingPeriod.starts_at.desc()).limit(1))
    of = cycle(session)
    if last is not None:
        start = last.ends_at.astimezone(tz).date()
    else:
        oldest = session.scalar(select(func.min(LedgerEntry.created_at)))
        if oldest is None:
            return []
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        start = period_start(oldest.astimezone(tz).date(), of)
    made = []
    while midnight(start, tz) <= now:
        end = next_start(start, of)
        period = BillingPeriod(
            cycle=of, starts_at=midnight(start, tz), ends_at=midnight(end, tz),
            first_day=start, last_day=end - timedelta(days=1), state=PeriodState.OPEN,
        )
        session.add(period)
        made.append(period)
        start = end
    session.flush()
    return made


def ended_open_periods(session: Session, now: datetime) -> list[BillingPeriod]:
    """The open periods that have ended, oldest first (the order they close in)."""
    return list(session.scalars(
        select(BillingPeriod)
        .where(BillingPeriod.state == PeriodState.OPEN, BillingPeriod.ends_at <= now)
        .order_by(BillingPeriod.starts_at)
    ))


__all__ = ["cycle", "ended_open_periods", "ensure_periods", "midnight", "next_start", "period_start"]
