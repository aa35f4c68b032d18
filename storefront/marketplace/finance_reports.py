"""The operator's finance reports: GMV and commission over time, by seller or by category,
computed from the sellers' ledger (storefront/marketplace/ledger.py) in two aggregate queries
whatever the number of entries, sellers or days.

Definitions (amounts in cents, in the shop's currency):

- **GMV**: what customers paid for goods, net of what went back to them: the ``CAPTURE``
  entries plus the ``REFUND`` entries *of order lines* (``order_line_id`` set; a refund is
  negative in the ledger). Shipping is out: ``SHIPPING_FEE`` entries and the refunds of shipping
  (``REFUND`` without a line). Captured money only: an order placed but not yet captured counts
  on the day it is captured (the home's GMV counts orders when they are placed).
- **commission**: what the marketplace kept, net of what it gave back: ``COMMISSION`` plus
  ``COMMISSION_REFUND`` entries, sign turned (the ledger writes them from the seller's point of
  view). The commission on shipping (entries without a line) is included; the VAT of commission
  invoices (``COMMISSION_VAT``), adjustments and payouts are not commission.
- an entry belongs to the shop's day (``SHOP_TIMEZONE``) of its ``created_at``; a **period** is
  whole days from ``first_day`` to ``last_day``, both included, at most :data:`MAX_DAYS`; it is
  cut into buckets of a day, an ISO week (Monday to Sunday) or a calendar month, the first and
  last clipped to the period;
- **by seller**: the :data:`TOP` sellers with the most GMV over the period, then "others";
- **by category**: the top-level category of the product of the entry's order line (the root of
  its ``path``), the :data:`TOP` first then "others"; the commission on shipping has no line,
  hence no category, and makes a group of its own (:data:`SHIPPING`).

The sums of a report's cells are the ledger's sums over the period, to the cent (tested).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.orm import Session, aliased

from . import clock as shop_clock
from .errors import InvalidValue
from .models import Category, LedgerEntry, LedgerKind, OrderLine, Product, Seller
from .refusals import Refusal

K = LedgerKind
MAX_DAYS = 731  # two years (a leap year included)
DEFAULT_DAYS = 90
TOP = 8  # groups shown by name; the rest are "others"
OTHERS = "others"  # the key of the group of every seller or category past the TOP
SHIPPING = "shipping"  # the key of the commission on shipping, in the report by category
CURRENCY = "EUR"  # the only currency the ledger holds so far

GMV_KINDS = (K.CAPTURE, K.REFUND)
COMMISSION_KINDS = (K.COMMISSION, K.COMMISSION_REFUND)


class Bucket(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Dimension(enum.StrEnum):
    SELLER = "seller"
    CATEGORY = "category"


@dataclass(frozen=True)
class Asked:
    """A valid request: the period (whole days of the shop's calendar), bucket and dimension."""

    first_day: date
    last_day: date
    bucket: Bucket = Bucket.WEEK
    dimension: Dimension = Dimension.SELLER


@dataclass(frozen=True)
class Slot:
    """One bucket of the period: from ``first_day`` to ``last_day`` included."""

    first_day: date
    last_day: date


@dataclass(frozen=True)
class Group:
    """A seller, a top-level category, "others" or the shipping; its figures per slot."""

    key: str  # a seller's or category's code, OTHERS or SHIPPING
    name: str  # the seller's name or the category's label (empty for OTHERS and SHIPPING)
    name_en: str
    gmv: tuple[int, ...]
    commission: tuple[int, ...]

    @property
    def gmv_total(self) -> int:
        return sum(self.gmv)

    @property
    def commission_total(self) -> int:
        return sum(self.commission)

    def label_for(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Report:
    asked: Asked
    slots: list[Slot]
    groups: list[Group]  # the TOP by GMV, then OTHERS, then SHIPPING (those with figures)
    currency: str = CURRENCY

    def gmv_of(self, index: int) -> int:
        return sum(group.gmv[index] for group in self.groups)

    def commission_of(self, index: int) -> int:
        return sum(group.commission[index] for group in self.groups)

    @property
    def gmv_total(self) -> int:
        return sum(group.gmv_total for group in self.groups)

    @property
    def commission_total(self) -> int:
        return sum(group.commission_total for group in self.groups)

    def groups_at(self, index: int) -> list[Group]:
        """The groups with a figure in the ``index``-th slot."""
        return [group for group in self.groups if group.gmv[index] or group.commission[index]]

    def cells(self):
        """(slot, group, gmv, commission) of every slot and group with a figure, slot by slot."""
        for index, slot in enumerate(self.slots):
            for group in self.groups_at(index):
                yield slot, group, group.gmv[index], group.commission[index]


# -- what was asked -------------------------------------------------------------------------------


def default_asked(today: date) -> Asked:
    """The last :data:`DEFAULT_DAYS` days, today included, per week, by seller."""
    return Asked(today - timedelta(days=DEFAULT_DAYS - 1), today)


def read_asked(first: str | None, last: str | None, bucket: str | None, dimension: str | None,
               *, today: date) -> Asked:
    """What a person typed, checked: raises :class:`InvalidValue` naming the field (``since``,
    ``until``, ``bucket`` or ``dimension``) and a reason; an empty field takes its default."""
    default = default_asked(today)
    since = _day(first, "since", default.first_day)
    until = _day(last, "until", default.last_day)
    if until < since:
        raise InvalidValue(f"the period ends ({until}) before it starts ({since})", field="until",
                           reason=Refusal.REPORT_PERIOD)
    if (until - since).days + 1 > MAX_DAYS:
        raise InvalidValue(f"a report covers at most {MAX_DAYS} days", field="until",
                           reason=Refusal.REPORT_TOO_LONG, days=MAX_DAYS)
    return Asked(since, until, _choice(Bucket, bucket, "bucket", Bucket.WEEK),
                 _choice(Dimension, dimension, "dimension", Dimension.SELLER))


def _day(text: str | None, field: str, default: date) -> date:
    raw = (text or "").strip()
    if not raw:
        return default
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None or value.year < 2000 or value.year > 2999:
        raise InvalidValue(f"{field} is a date (2026-12-01), not {raw[:40]!r}", field=field,
                           reason=Refusal.REPORT_DATE)
    return value


def _choice(kind, text: str | None, field: str, default):
    raw = (text or "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise InvalidValue(f"{field} is one of {', '.join(kind)}", field=field,
                           reason=Refusal.REPORT_CHOICE) from None


# -- the slots and the SQL that puts an entry in one ----------------------------------------------


def slot_start(day: date, bucket: Bucket) -> date:
    """The first day of the bucket holding ``day`` (a Monday for weeks, the 1st for months)."""
    if bucket == Bucket.WEEK:
        return day - timedelta(days=day.weekday())
    if bucket == Bucket.MONTH:
        return day.replace(day=1)
    return day


def _next_start(start: date, bucket: Bucket) -> date:
    if bucket == Bucket.WEEK:
        return start + timedelta(days=7)
    if bucket == Bucket.MONTH:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def slots_of(asked: Asked) -> list[Slot]:
    slots, start = [], slot_start(asked.first_day, asked.bucket)
    while start <= asked.last_day:
        following = _next_start(start, asked.bucket)
        slots.append(Slot(max(start, asked.first_day), min(following - timedelta(days=1), asked.last_day)))
        start = following
    return slots


def bucket_start(session: Session, column, bucket: Bucket, tz: ZoneInfo, start: datetime, end: datetime):
    """SQL for the first day (``YYYY-MM-DD`` text) of the bucket of the shop's calendar holding
    the moment in ``column``, for moments from ``start`` to ``end``.

    PostgreSQL knows the time zones: the moment at the shop's zone, truncated. SQLite knows
    none: the moment (stored as UTC text) is moved by the zone's offset, which changes only at
    the zone's transitions between ``start`` and ``end`` (two a year in Paris), given as a CASE;
    then its date is truncated to the Monday or the 1st."""
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(tz.key, column)
        unit = {Bucket.DAY: "day", Bucket.WEEK: "week", Bucket.MONTH: "month"}[bucket]
        return func.to_char(func.date_trunc(unit, local), "YYYY-MM-DD")
    segments = _offsets(tz, start, end)
    shift = case(
        *((column < until, f"{minutes:+d} minutes") for until, minutes in segments[:-1]),
        else_=f"{segments[-1][1]:+d} minutes",
    ) if len(segments) > 1 else literal(f"{segments[0][1]:+d} minutes")
    if bucket == Bucket.WEEK:
        return func.date(column, shift, "-6 days", "weekday 1")  # the Monday on or before
    if bucket == Bucket.MONTH:
        return func.strftime("%Y-%m-01", column, shift)
    return cast(func.date(column, shift), String)


def _offsets(tz: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(until, minutes east of UTC) of each stretch of constant offset from ``start`` to ``end``:
    found a day at a time, each change then pinned to the quarter of an hour (every zone's
    transitions fall on one)."""

    def minutes(moment: datetime) -> int:
        return int(moment.astimezone(tz).utcoffset().total_seconds() // 60)

    segments: list[tuple[datetime, int]] = []
    moment, current = start.astimezone(UTC), minutes(start)
    while moment < end:
        step = min(moment + timedelta(days=1), end)
        if minutes(step) != current:
            while minutes(moment + timedelta(minutes=15)) == current:
                moment += timedelta(minutes=15)
            step = moment + timedelta(minutes=15)
            segments.append((step, current))
            current = minutes(step)
        moment = step
    segments.append((end, current))
    return segments


# -- the report ---------------------------------------------------------------------------------


def report(session: Session, asked: Asked) -> Report:
    """GMV and commission of ``asked``'s period per bucket and group: two queries (the ranking of
    sellers or categories, then the figures per bucket of the ranked ones and the rest)."""
    clock = shop_clock.of(session)
    start = datetime.combine(asked.first_day, time.min, tzinfo=clock.tz)
    end = datetime.combine(asked.last_day + timedelta(days=1), time.min, tzinfo=clock.tz)
    key, names = _key(asked.dimension)
    gmv, commission = _amounts()
    in_period = (
        LedgerEntry.created_at >= start, LedgerEntry.created_at < end, LedgerEntry.currency == CURRENCY,
        LedgerEntry.kind.in_([*GMV_KINDS, *COMMISSION_KINDS]),
    )

    ranking = (
        select(key.label("key"), *names, func.sum(gmv).label("gmv"), func.sum(commission).label("commission"))
        .select_from(LedgerEntry)
    )
    ranking = _joined(ranking, asked.dimension).where(*in_period, key.is_not(None)).group_by(key, *names)
    ranking = ranking.order_by(func.sum(gmv).desc(), func.sum(commission).desc(), names[1]).limit(TOP)
    top = [(row.key, row.code, row.name, getattr(row, "name_en", "") or "") for row in session.execute(ranking)]

    top_ids = [row[0] for row in top]
    grouped = case(
        (key.is_(None), literal(SHIPPING)),
        *(((key.in_(top_ids), cast(key, String)),) if top_ids else ()),
        else_=literal(OTHERS),
    )
    first = bucket_start(session, LedgerEntry.created_at, asked.bucket, clock.tz, start, end)
    per_slot = (
        select(first.label("first"), grouped.label("grouped"), func.sum(gmv), func.sum(commission))
        .select_from(LedgerEntry)
    )
    per_slot = _joined(per_slot, asked.dimension).where(*in_period).group_by(first, grouped)

    slots = slots_of(asked)
    index = {slot_start(slot.first_day, asked.bucket): number for number, slot in enumerate(slots)}
    figures: dict[str, tuple[list[int], list[int]]] = {}
    for first_day, group_key, gmv_sum, commission_sum in session.execute(per_slot):
        position = index[slot_start(date.fromisoformat(str(first_day)[:10]), asked.bucket)]
        pair = figures.setdefault(str(group_key), ([0] * len(slots), [0] * len(slots)))
        pair[0][position] += int(gmv_sum or 0)
        pair[1][position] += int(commission_sum or 0)

    groups = []
    for row_key, code, name, name_en in top:
        found = figures.get(str(row_key))
        if found:
            groups.append(Group(code, name, name_en, tuple(found[0]), tuple(found[1])))
    for special in (OTHERS, SHIPPING):
        found = figures.get(special)
        if found and (any(found[0]) or any(found[1])):
            groups.append(Group(special, "", "", tuple(found[0]), tuple(found[1])))
    return Report(asked, slots, groups)


def ledger_totals(session: Session, asked: Asked) -> tuple[int, int]:
    """(GMV, commission) of the period straight from the ledger, without any join: what a
    report's cells add up to."""
    clock = shop_clock.of(session)
    start = datetime.combine(asked.first_day, time.min, tzinfo=clock.tz)
    end = datetime.combine(asked.last_day + timedelta(days=1), time.min, tzinfo=clock.tz)
    gmv, commission = _amounts()
    row = session.execute(
        select(func.coalesce(func.sum(gmv), 0), func.coalesce(func.sum(commission), 0)).where(
            LedgerEntry.created_at >= start, LedgerEntry.created_at < end, LedgerEntry.currency == CURRENCY)
    ).one()
    return int(row[0]), int(row[1])


def _amounts():
    """The GMV and the commission of one entry (0 when it is neither)."""
    gmv = case(
        (LedgerEntry.kind == K.CAPTURE, LedgerEntry.amount),
        ((LedgerEntry.kind == K.REFUND) & LedgerEntry.order_line_id.is_not(None), LedgerEntry.amount),
        else_=0,
    )
    commission = case((LedgerEntry.kind.in_(COMMISSION_KINDS), -LedgerEntry.amount), else_=0)
    return gmv, commission


_top_category = aliased(Category, name="top_category")
_line_category = aliased(Category, name="line_category")


def _key(dimension: Dimension):
    """The column an entry is grouped by (None: no seller or category) and the group's names."""
    if dimension == Dimension.SELLER:
        return LedgerEntry.seller_id, [Seller.code.label("code"), Seller.name.label("name")]
    return _top_category.id, [_top_category.code.label("code"), _top_category.label.label("name"),
                              _top_category.label_en.label("name_en")]


def _joined(query, dimension: Dimension):
    if dimension == Dimension.SELLER:
        return query.join(Seller, Seller.id == LedgerEntry.seller_id)
    # The line's product's category, then the root whose path begins the category's path
    # (paths are /1/4/17/: the root of 17 is the category whose path is /1/).
    return (
        query.outerjoin(OrderLine, OrderLine.id == LedgerEntry.order_line_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(_line_category, _line_category.id == Product.category_id)
        .outerjoin(_top_category, (_top_category.parent_id.is_(None))
                   & _line_category.path.startswith(_top_category.path, autoescape=False))
    )


__all__ = [
    "DEFAULT_DAYS", "MAX_DAYS", "OTHERS", "SHIPPING", "TOP", "Asked", "Bucket", "Dimension", "Group",
    "Report", "Slot", "bucket_start", "default_asked", "ledger_totals", "read_asked", "report",
    "slot_start", "slots_of",
]
