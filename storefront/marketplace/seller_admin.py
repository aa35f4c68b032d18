"""What the back office reads of sellers: the list with each shop's activity, one shop's page
(its accounts, its commission overrides) and the state changes it offers.

Counts come from aggregate subqueries joined to the page of sellers, so the list costs the same
two queries for 5 shops or 5,000. A late order is what ``orders`` calls late (accepted, with a
shipment that should have left before today): one definition for the seller portal, the order
list's filter and this page. State changes themselves are ``sellers.suspend_seller`` and co.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .api_clients import acting_user
from .errors import NotAllowed
from .models import (
    Category,
    CommissionRate,
    Seller,
    SellerOrder,
    SellerState,
    Thread,
    ThreadStatus,
    User,
    UserSession,
)
from .orders.lifecycle import S
from .orders.queries import _late as late_orders  # the one definition of a late order
from .sellers import open_order_count

SORTS = ("name", "state", "rating", "orders", "late", "threads")
MAX_SEARCH = 80


class SellerAction(enum.StrEnum):
    SUSPEND = "suspend"
    REOPEN = "reopen"
    CLOSE = "close"


@dataclass(frozen=True)
class SellerRow:
    seller: Seller
    orders: int
    open_threads: int
    late: int  # accepted orders that should have shipped before today


@dataclass(frozen=True)
class SellerPage:
    rows: list[SellerRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)


def search(
    session: Session,
    *,
    today: date,
    state: SellerState | None = None,
    q: str = "",
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> SellerPage:
    """Sellers (the retailer's own shop included) filtered by state and by a part of their name
    or code, sorted by ``sort`` (one of :data:`SORTS`), with their counts; a page past the last
    shows the last."""
    counts = _counts(today)
    query = _filtered(state, q)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    per_page = max(per_page, 1)
    page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))
    order = _sort_key(sort if sort in SORTS else "name", counts)
    order = [order.desc() if descending else order.asc(), Seller.name.asc(), Seller.id.asc()]
    rows = session.execute(
        _with_counts(query, counts).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return SellerPage([SellerRow(*row) for row in rows], total, page, per_page)


def summary(session: Session, seller: Seller, *, today: date) -> SellerRow:
    """One shop's counts, as its row of the list shows them."""
    counts = _counts(today)
    row = session.execute(_with_counts(select(Seller).where(Seller.id == seller.id), counts)).one()
    return SellerRow(*row)


def _counts(today: date):
    orders = (
        select(SellerOrder.seller_id, func.count(SellerOrder.id).label("n"))
        .group_by(SellerOrder.seller_id).subquery("order_counts")
    )
    threads = (
        select(Thread.seller_id, func.count(Thread.id).label("n"))
        .where(Thread.status == ThreadStatus.OPEN)
        .group_by(Thread.seller_id).subquery("thread_counts")
    )
    late = (
        select(SellerOrder.seller_id, func.count(SellerOrder.id).label("n"))
        .where(SellerOrder.state == S.SHIPPING, late_orders(today))
        .group_by(SellerOrder.seller_id).subquery("late_counts")
    )
    return {"orders": orders, "threads": threads, "late": late}


def _with_counts(query, counts):
    orders, threads, late = counts["orders"], counts["threads"], counts["late"]
    return (
        query.add_columns(
            func.coalesce(orders.c.n, 0), func.coalesce(threads.c.n, 0), func.coalesce(late.c.n, 0)
        )
        .outerjoin(orders, orders.c.seller_id == Seller.id)
        .outerjoin(threads, threads.c.seller_id == Seller.id)
        .outerjoin(late, late.c.seller_id == Seller.id)
    )


def _filtered(state: SellerState | None, q: str):
    query = select(Seller)
    if state is not None:
        query = query.where(Seller.state == SellerState(state))
    text = " ".join("".join(ch for ch in (q or "") if ch.isprintable()).split())[:MAX_SEARCH].lower()
    if text:
        query = query.where(
            func.lower(Seller.name).contains(text, autoescape=True)
            | func.lower(Seller.code).startswith(text, autoescape=True)
        )
    return query


def _sort_key(sort: str, counts):
    if sort == "rating":
        # Shops without a rating come last going down, first going up (like a grade of 0).
        return case((Seller.rating_count > 0, Seller.rating_sum * 1.0 / Seller.rating_count), else_=0)
    if sort in ("orders", "late"):
        return func.coalesce(counts[sort].c.n, 0)
    if sort == "threads":
        return func.coalesce(counts["threads"].c.n, 0)
    if sort == "state":
        return Seller.state
    return func.lower(Seller.name)


# --- one shop's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SellerUser:
    user: User
    last_login: datetime | None  # the last time the person logged in, while the session is kept
    admin: bool  # the seller's admin (seller_portal.is_seller_admin)


def users(session: Session, seller: Seller) -> list[SellerUser]:
    """The shop's accounts, active first, with their last log-in when a session remembers it."""
    last = (
        select(UserSession.user_id, func.max(UserSession.created_at).label("at"))
        .group_by(UserSession.user_id).subquery()
    )
    rows = session.execute(
        select(User, last.c.at)
        .outerjoin(last, last.c.user_id == User.id)
        .where(User.seller_id == seller.id)
        .order_by(User.active.desc(), User.id)
    ).all()
    admin_id = admin_of(session, seller)
    return [SellerUser(user, at, user.id == admin_id) for user, at in rows]


def admin_of(session: Session, seller: Seller) -> int | None:
    """The id of the seller's admin account (its first active one), None when it has none."""
    try:
        return acting_user(session, seller.id).id
    except NotAllowed:
        return None


@dataclass(frozen=True)
class CommissionOverride:
    category: Category | None  # None: every category
    rate_bp: int


def commission_overrides(session: Session, seller: Seller) -> list[CommissionOverride]:
    """The commission rates set for this seller only (read-only here: the commissions page
    changes them), the all-categories one first."""
    rows = session.execute(
        select(CommissionRate.rate_bp, Category)
        .outerjoin(Category, Category.id == CommissionRate.category_id)
        .where(CommissionRate.seller_id == seller.id)
        .order_by(CommissionRate.category_id.is_not(None), Category.label, CommissionRate.id)
    ).all()
    return [CommissionOverride(category, rate) for rate, category in rows]


def available_actions(seller: Seller) -> tuple[SellerAction, ...]:
    """What the operator may do to the shop now (the retailer's own shop: nothing)."""
    if seller.is_operator or seller.state == SellerState.CLOSED:
        return ()
    if seller.state == SellerState.SUSPENDED:
        return (SellerAction.REOPEN, SellerAction.CLOSE)
    return (SellerAction.SUSPEND, SellerAction.CLOSE)


def open_orders(session: Session, seller: Seller) -> int:
    """Orders still under way (what keeps a shop from closing)."""
    return open_order_count(session, seller)
