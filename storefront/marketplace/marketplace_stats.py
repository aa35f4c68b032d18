"""The marketplace at a glance, for the back office's home: figures of a period (the last 7, 30 or
90 days), per seller and over time, computed by a fixed number of aggregate queries whatever the
number of orders or sellers.

Definitions (each figure of the home links to the list that shows the same orders):

- a period is whole days of the shop's calendar, today included; an order belongs to the day it
  was placed (``SellerOrder.created_at``);
- **GMV**: the sum of the amounts of the order lines (unit price × quantity not cancelled, so
  refused and cancelled units are out), shipping fees excluded, in cents;
- **orders**: seller orders placed (one per seller of a checkout, what the order list lists);
- **acceptance rate**: of the period's seller orders no longer waiting for the seller's
  decision, the share the seller accepted (an order transition to SHIPPING);
- **late shipments**: the order list's definition (``orders.search_seller_orders(late_on=)``):
  accepted orders, not shipped, one of whose shipments should have left before today;
- **refusals / cancellations**: the period's seller orders now REFUSED / CANCELED;
- **response time**: from a customer's message (the first of a row of them) to the next message
  of the seller or customer service in the same conversation, averaged over the period's
  customer messages that got an answer;
- **unanswered**: open conversations whose latest message the seller can see is not the
  seller's (the seller dashboard's "unanswered messages", ``discussions.awaiting_reply``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from .models import (
    ActorRole,
    Message,
    OrderLine,
    OrderTransition,
    Seller,
    SellerOrder,
    SellerOrderState,
    Thread,
    ThreadStatus,
)
from .orders.queries import _late as late_on  # the order list's own definition of "late"

PERIODS = (7, 30, 90)  # days the home offers
DEFAULT_PERIOD = 30
WEEKLY_FROM = 60  # periods this long or longer are charted per week, shorter ones per day
S = SellerOrderState


@dataclass(frozen=True)
class Period:
    days: int
    first_day: date
    last_day: date  # today
    start: datetime  # midnight of first_day in the shop's time zone
    end: datetime  # midnight after last_day

    @property
    def step(self) -> int:
        """Days per point of the charts: 1, or 7 for long periods."""
        return 7 if self.days >= WEEKLY_FROM else 1


@dataclass
class Figures:
    gmv: int = 0  # cents
    orders: int = 0
    accepted: int = 0
    decided: int = 0
    late: int = 0
    refused: int = 0
    canceled: int = 0
    answered: int = 0  # customer messages answered
    response_seconds: int = 0  # their total response time
    unanswered: int = 0  # open conversations waiting for the seller (now)

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted / decided, between 0 and 1; None when nothing was decided."""
        return self.accepted / self.decided if self.decided else None

    @property
    def response_time(self) -> timedelta | None:
        """The average response time, None when no message was answered."""
        return timedelta(seconds=self.response_seconds / self.answered) if self.answered else None

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class SellerFigures:
    seller_id: int
    code: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class Point:
    """One point of the charts: the orders placed from ``first_day`` to ``last_day``."""

    first_day: date
    last_day: date
    gmv: int
    orders: int


@dataclass(frozen=True)
class Overview:
    period: Period
    totals: Figures
    sellers: list[SellerFigures]  # every seller with orders or waiting conversations, by GMV
    series: list[Point] = field(default_factory=list)
    currency: str = "EUR"

    def ranked_by_late(self, limit: int = 5) -> list[SellerFigures]:
        """Sellers with late shipments, the most first."""
        ranked = sorted((s for s in self.sellers if s.figures.late), key=lambda s: (-s.figures.late, s.name))
        return ranked[:limit]

    def ranked_by_unanswered(self, limit: int = 5) -> list[SellerFigures]:
        """Sellers with conversations waiting for them, the most first."""
        ranked = sorted(
            (s for s in self.sellers if s.figures.unanswered), key=lambda s: (-s.figures.unanswered, s.name)
        )
        return ranked[:limit]


def period(session: Session, days: int = DEFAULT_PERIOD, *, now: datetime | None = None) -> Period:
    """The last ``days`` days of the shop's calendar, today included (``days`` one of PERIODS)."""
    days = days if days in PERIODS else DEFAULT_PERIOD
    clock = shop_clock.of(session)
    today = clock.local_date(now or clock.now())
    first = today - timedelta(days=days - 1)
    return Period(days, first, today, _midnight(clock, first), _midnight(clock, today + timedelta(days=1)))


def _midnight(clock, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.tz)


def overview(session: Session, days: int = DEFAULT_PERIOD, *, now: datetime | None = None) -> Overview:
    """Every figure of the home for the last ``days`` days: four queries."""
    span = period(session, days, now=now)
    per_seller: dict[int, Figures] = defaultdict(Figures)
    names: dict[int, tuple[str, str]] = {}
    for row in session.execute(_order_figures(span)):
        per_seller[row.seller_id] = Figures(
            gmv=int(row.gmv or 0), orders=row.orders, accepted=int(row.accepted or 0),
            decided=int(row.decided or 0), late=int(row.late or 0), refused=int(row.refused or 0),
            canceled=int(row.canceled or 0),
        )
        names[row.seller_id] = (row.code, row.name)
    for seller_id, code, name, seconds in _answers(session, span):
        per_seller[seller_id].answered += 1
        per_seller[seller_id].response_seconds += seconds
        names[seller_id] = (code, name)
    for seller_id, code, name, count in session.execute(_unanswered()):
        per_seller[seller_id].unanswered = count
        names[seller_id] = (code, name)
    totals = Figures()
    for figures in per_seller.values():
        totals.add(figures)
    sellers = sorted(
        (SellerFigures(seller_id, *names[seller_id], figures) for seller_id, figures in per_seller.items()),
        key=lambda s: (-s.figures.gmv, -s.figures.orders, s.name),
    )
    return Overview(span, totals, sellers, _series(session, span))


def _line_amounts():
    """GMV per seller order: unit price × units not cancelled, of every line."""
    return (
        select(
            OrderLine.seller_order_id.label("seller_order_id"),
            func.sum(OrderLine.unit_price * (OrderLine.quantity - OrderLine.quantity_canceled)).label("amount"),
        )
        .group_by(OrderLine.seller_order_id)
        .subquery()
    )


def _order_figures(span: Period):
    amounts = _line_amounts()
    accepted = SellerOrder.id.in_(
        select(OrderTransition.seller_order_id).where(
            OrderTransition.from_state == S.WAITING_ACCEPTANCE.value, OrderTransition.to_state == S.SHIPPING.value
        )
    )

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    return (
        select(
            Seller.id.label("seller_id"),
            Seller.code,
            Seller.name,
            func.count(SellerOrder.id).label("orders"),
            func.sum(func.coalesce(amounts.c.amount, 0)).label("gmv"),
            count(accepted).label("accepted"),
            count(SellerOrder.state != S.WAITING_ACCEPTANCE).label("decided"),
            count(and_(SellerOrder.state == S.SHIPPING, late_on(span.last_day))).label("late"),
            count(SellerOrder.state == S.REFUSED).label("refused"),
            count(SellerOrder.state == S.CANCELED).label("canceled"),
        )
        .join(Seller, Seller.id == SellerOrder.seller_id)
        .outerjoin(amounts, amounts.c.seller_order_id == SellerOrder.id)
        .where(SellerOrder.created_at >= span.start, SellerOrder.created_at < span.end)
        .group_by(Seller.id, Seller.code, Seller.name)
    )


def _series(session: Session, span: Period) -> list[Point]:
    """GMV and orders per day (or week) of the period: one query, the buckets in a CASE."""
    clock = shop_clock.of(session)
    firsts = [span.first_day + timedelta(days=offset) for offset in range(0, span.days, span.step)]
    bounds = [_midnight(clock, day) for day in firsts[1:]]
    bucket = case(
        *((SellerOrder.created_at < bound, index) for index, bound in enumerate(bounds)), else_=len(bounds)
    ) if bounds else literal_column("0")
    amounts = _line_amounts()
    rows = session.execute(
        select(
            bucket.label("bucket"),
            func.count(SellerOrder.id),
            func.sum(func.coalesce(amounts.c.amount, 0)),
        )
        .outerjoin(amounts, amounts.c.seller_order_id == SellerOrder.id)
        .where(SellerOrder.created_at >= span.start, SellerOrder.created_at < span.end)
        .group_by(bucket)
    ).all()
    found = {int(index): (int(orders), int(gmv or 0)) for index, orders, gmv in rows}
    points = []
    for index, first in enumerate(firsts):
        last = min(first + timedelta(days=span.step - 1), span.last_day)
        orders, gmv = found.get(index, (0, 0))
        points.append(Point(first, last, gmv, orders))
    return points


def _answers(session: Session, span: Period) -> list[tuple[int, str, str, int]]:
    """(seller id, code, name, seconds) of each customer message of the period that was answered:
    the first customer message of a row of them, to the next message from the other side."""
    previous = func.lag(Message.author_role).over(partition_by=Message.thread_id, order_by=Message.id)
    # Only the conversations with a message in the period (the window needs their earlier ones).
    active = select(Message.thread_id).where(Message.created_at >= span.start, Message.created_at < span.end)
    ordered = (
        select(Message.id, Message.thread_id, Message.author_role, Message.created_at, previous.label("previous_role"))
        .where(Message.thread_id.in_(active))
        .subquery()
    )
    reply = Message.__table__.alias("reply")
    answered_at = (
        select(func.min(reply.c.created_at))
        .where(
            reply.c.thread_id == ordered.c.thread_id,
            reply.c.id > ordered.c.id,
            reply.c.author_role != ActorRole.CUSTOMER.value,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Seller.id, Seller.code, Seller.name, ordered.c.created_at, answered_at.label("answered_at"))
        .join(Thread, Thread.id == ordered.c.thread_id)
        .join(Seller, Seller.id == Thread.seller_id)
        .where(
            ordered.c.author_role == ActorRole.CUSTOMER.value,
            (ordered.c.previous_role.is_(None)) | (ordered.c.previous_role != ActorRole.CUSTOMER.value),
            ordered.c.created_at >= span.start,
            ordered.c.created_at < span.end,
        )
    ).all()
    answers = []
    for seller_id, code, name, asked, answered in rows:
        if answered is None:
            continue
        asked, answered = _aware(asked), _aware(answered)
        answers.append((seller_id, code, name, max(int((answered - asked).total_seconds()), 0)))
    return answers


def _aware(moment) -> datetime:
    """The raw column of a subquery comes back as stored: on SQLite, naive UTC text or datetime."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _unanswered():
    """Per seller, open conversations whose latest message the seller sees is not the seller's."""
    latest = (
        select(Message.thread_id, func.max(Message.id).label("last_id"))
        .where(Message.visible_to_seller.is_(True))
        .group_by(Message.thread_id)
        .subquery()
    )
    return (
        select(Seller.id, Seller.code, Seller.name, func.count(Thread.id))
        .join(Thread, Thread.seller_id == Seller.id)
        .join(latest, latest.c.thread_id == Thread.id)
        .join(Message, Message.id == latest.c.last_id)
        .where(Thread.status == ThreadStatus.OPEN, Message.author_role != ActorRole.SELLER)
        .group_by(Seller.id, Seller.code, Seller.name)
    )
