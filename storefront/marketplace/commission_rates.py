"""Commission rates as the back office manages them: dated, never rewritten.

A rate holds for a period of the shop's days, from ``valid_from`` (included) to ``valid_to``
(excluded, empty: until further notice), for one scope: the marketplace default, a category, a
seller for all its categories, or a seller in one category (lookup order in ``finance``).
:func:`schedule` adds a rate from a day on: the rate in force then (open-ended, started before)
is closed that day (and resumes after a rate given a last day), and any other overlap is
refused, so a scope never has two rates for one day.
A rate starts today at the earliest: the rate of each order line is copied onto it at checkout
(``checkout._write_lines``, with the order's day), and the past stays as it was charged.
Every change is written to the operator audit log with the values before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import operator_audit, staff
from .errors import Conflict, InvalidValue, NotFound
from .models import Category, CommissionRate, Seller, User
from .refusals import Refusal
from .staff import Permission
from .unit_of_work import atomic

MAX_BP = 10_000  # 100 %
_PERCENT = re.compile(r"^\s*([0-9]{1,3})(?:[.,]([0-9]{1,2}))?\s*%?\s*$", re.ASCII)


def parse_percent(text: str) -> int:
    """``"12,5"``, ``"12.5"``, ``"12,5 %"`` → 1250 basis points; 0 to 100 with at most two
    decimals (a basis point is the finest a rate goes)."""
    match = _PERCENT.match(text or "")
    if not match:
        raise InvalidValue(f"not a percentage: {text[:20]!r}", reason=Refusal.COMMISSION_RATE)
    try:
        bp = int(Decimal(f"{match.group(1)}.{match.group(2) or '0'}") * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        raise InvalidValue("not a percentage", reason=Refusal.COMMISSION_RATE) from None
    if not 0 <= bp <= MAX_BP:
        raise InvalidValue(f"a commission rate is 0 to 100 %, not {text[:20]!r}", reason=Refusal.COMMISSION_RATE)
    return bp


@dataclass(frozen=True)
class RateRow:
    """One rate for the back office's table, with where it stands today."""

    rate: CommissionRate
    category: Category | None
    seller: Seller | None
    status: str  # "past", "current" or "future"
    can_withdraw: bool

    @property
    def last_day(self) -> date | None:
        """The last day the rate holds (``valid_to`` is the first day it no longer does)."""
        return self.rate.valid_to - timedelta(days=1) if self.rate.valid_to else None


def rates(session: Session, *, seller: Seller | None = None, today: date | None = None) -> list[RateRow]:
    """Rates of the shop (``seller`` None: the default and the categories') or of one seller's
    overrides, by scope then start day, newest first."""
    today = today or shop_clock.of(session).today()
    query = (
        select(CommissionRate, Category)
        .outerjoin(Category, CommissionRate.category_id == Category.id)
        .where(CommissionRate.seller_id == seller.id if seller else CommissionRate.seller_id.is_(None))
        .order_by(CommissionRate.category_id.is_not(None), Category.path, CommissionRate.valid_from.desc())
    )
    rows = []
    for rate, category in session.execute(query):
        status = _status(rate, today)
        rows.append(RateRow(rate, category, seller, status, can_withdraw=status == "future"))
    return rows


def _status(rate: CommissionRate, today: date) -> str:
    if rate.valid_from > today:
        return "future"
    if rate.valid_to is not None and rate.valid_to <= today:
        return "past"
    return "current"


@atomic
def schedule(
    session: Session,
    actor: User,
    rate_bp: int,
    *,
    valid_from: date,
    valid_to: date | None = None,
    category: Category | None = None,
    seller: Seller | None = None,
) -> CommissionRate:
    """Add a rate for the scope (``category`` and/or ``seller``, neither: the default) from
    ``valid_from`` (today or later) to ``valid_to`` (excluded, None: open-ended). The open-ended
    rate in force before is closed on ``valid_from``; any other overlap is refused."""
    staff.require(actor, Permission.COMMISSIONS)
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or not 0 <= rate_bp <= MAX_BP:
        raise InvalidValue(f"a commission rate is 0 to 10,000 basis points, not {rate_bp!r}",
                           reason=Refusal.COMMISSION_RATE)
    if seller is not None and seller.is_operator:
        raise InvalidValue("the retailer pays no commission on its own sales", reason=Refusal.RETAILER_COMMISSION)
    today = shop_clock.of(session).today()
    if valid_from < today:
        raise InvalidValue("a rate starts today or later: orders already placed keep theirs",
                           reason=Refusal.RATE_IN_PAST)
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidValue("a rate ends after it starts", reason=Refusal.RATE_PERIOD)
    scope = _scope(session, category, seller)
    previous = None
    for other in scope:
        if not _overlaps(other, valid_from, valid_to):
            continue
        if other.valid_to is None and other.valid_from < valid_from and previous is None:
            previous = other  # the rate in force: it ends where the new one starts
            continue
        raise Conflict(
            f"a rate of this scope already holds from {other.valid_from.isoformat()}",
            reason=Refusal.RATE_OVERLAP, valid_from=other.valid_from,
        )
    if previous is not None:
        before = operator_audit.snapshot(previous, ["valid_to"])
        previous.valid_to = valid_from
        operator_audit.record(session, actor, "commission.close", previous, before=before,
                              after={"valid_to": valid_from}, summary=_describe(category, seller))
    rate = CommissionRate(
        category_id=category.id if category else None, seller_id=seller.id if seller else None,
        rate_bp=rate_bp, valid_from=valid_from, valid_to=valid_to,
    )
    session.add(rate)
    if previous is not None and valid_to is not None:
        # A rate for a while (a promotion): the one it interrupts resumes afterwards, rather than
        # leaving the scope without a rate (the default with none would charge nothing).
        resumed = CommissionRate(category_id=rate.category_id, seller_id=rate.seller_id,
                                 rate_bp=previous.rate_bp, valid_from=valid_to)
        session.add(resumed)
        session.flush()
        operator_audit.record(session, actor, "commission.resume", resumed, before=None,
                              after={"rate_bp": resumed.rate_bp, "valid_from": valid_to},
                              summary=_describe(category, seller))
    session.flush()
    operator_audit.record(
        session, actor, "commission.schedule", rate, before=None,
        after={"rate_bp": rate_bp, "valid_from": valid_from, "valid_to": valid_to,
               "category": category.code if category else None, "seller": seller.code if seller else None},
        summary=_describe(category, seller),
    )
    return rate


@atomic
def end(session: Session, actor: User, rate_id: int, on: date) -> CommissionRate:
    """Stop the rate ``rate_id`` on ``on`` (excluded; today or later, after it starts): the scope
    then falls back to the next broader rate (a seller's override to the category's…)."""
    staff.require(actor, Permission.COMMISSIONS)
    rate = _get(session, rate_id)
    today = shop_clock.of(session).today()
    if on < today:
        raise InvalidValue("a rate ends today or later", reason=Refusal.RATE_IN_PAST)
    if on <= rate.valid_from or (rate.valid_to is not None and rate.valid_to <= today):
        raise InvalidValue("a rate ends after it starts", reason=Refusal.RATE_PERIOD)
    category, seller = _owners(session, rate)
    for other in _scope(session, category, seller):
        if other.id != rate.id and other.valid_from > rate.valid_from and other.valid_from < on:
            raise Conflict("a later rate of this scope starts before that day", reason=Refusal.RATE_OVERLAP,
                           valid_from=other.valid_from)
    before = operator_audit.snapshot(rate, ["valid_to"])
    rate.valid_to = on
    operator_audit.record(session, actor, "commission.end", rate, before=before, after={"valid_to": on},
                          summary=_describe(category, seller))
    return rate


@atomic
def withdraw(session: Session, actor: User, rate_id: int) -> None:
    """Delete a rate that has not started yet; the rate it had closed covers its days again."""
    staff.require(actor, Permission.COMMISSIONS)
    rate = _get(session, rate_id)
    if rate.valid_from <= shop_clock.of(session).today():
        raise InvalidValue("a rate in force or past stays: end it instead", reason=Refusal.RATE_STARTED)
    before = operator_audit.snapshot(rate, ["rate_bp", "valid_from", "valid_to"])
    category, seller = _owners(session, rate)
    scope = _scope(session, category, seller)
    reopened = next((other for other in scope if other.valid_to == rate.valid_from), None)
    operator_audit.record(session, actor, "commission.withdraw", rate, before=before, after=None,
                          summary=_describe(category, seller))
    if reopened is not None:
        previous = operator_audit.snapshot(reopened, ["valid_to"])
        reopened.valid_to = rate.valid_to  # it covers the withdrawn one's days again
        operator_audit.record(session, actor, "commission.reopen", reopened, before=previous,
                              after={"valid_to": reopened.valid_to})
    session.delete(rate)
    session.flush()


def _owners(session: Session, rate: CommissionRate) -> tuple[Category | None, Seller | None]:
    return (session.get(Category, rate.category_id) if rate.category_id else None,
            session.get(Seller, rate.seller_id) if rate.seller_id else None)


def _get(session: Session, rate_id: int) -> CommissionRate:
    rate = session.get(CommissionRate, rate_id) if 0 < rate_id < 2**31 else None
    if rate is None:
        raise NotFound(f"no commission rate {rate_id}")
    return rate


def _scope(session: Session, category: Category | None, seller: Seller | None) -> list[CommissionRate]:
    return list(session.scalars(
        select(CommissionRate).where(
            CommissionRate.category_id == category.id if category else CommissionRate.category_id.is_(None),
            CommissionRate.seller_id == seller.id if seller else CommissionRate.seller_id.is_(None),
        ).order_by(CommissionRate.valid_from)
    ))


def _overlaps(rate: CommissionRate, start: date, stop: date | None) -> bool:
    return (stop is None or rate.valid_from < stop) and (rate.valid_to is None or rate.valid_to > start)


def _describe(category: Category | None, seller: Seller | None) -> str:
    """The scope in codes (the audit log shows it as is, in any language): "alpha · washers",
    "alpha", "washers", or "*" for the default."""
    return " · ".join(part for part in (seller and seller.code, category and category.code) if part) or "*"


def overrides_count(session: Session, seller: Seller) -> int:
    """How many rates a seller has (its page links to them)."""
    return len(session.scalars(select(CommissionRate.id).where(CommissionRate.seller_id == seller.id)).all())


__all__ = ["RateRow", "end", "overrides_count", "parse_percent", "rates", "schedule", "withdraw"]
