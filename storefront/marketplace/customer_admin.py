"""Customer accounts as customer service sees and runs them (/backoffice/customers).

:func:`search` finds customers by name, email or the number of one of their orders, with their
order count, last order and blocked state in two queries whatever the page size (a count and a
page, aggregates joined in SQL: no query per row). :func:`detail` is a customer's page.

:func:`block` keeps a customer out of the shop, with a reason, in the audit log: every session of
the account ends in the same transaction, logging in is refused (``accounts.authenticate``, once
the password is right: nobody learns more about an address than logging in already tells), and so
is ordering (``checkout``), for a browser that slipped between the two. :func:`unblock` undoes it,
with a reason too. Only staff holding the CUSTOMERS permission may do either.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import clock as shop_clock
from . import operator_audit, staff, user_sessions
from .errors import InvalidTransition, InvalidValue, NotAllowed, NotFound
from .models import CustomerBlock, CustomerOrder, Role, SellerOrder, Thread, User
from .paging import Page
from .refusals import Refusal
from .unit_of_work import atomic

MAX_REASON = 500
MAX_QUERY = 100
MAX_ID = 2**31 - 1
RECENT_ORDERS = 50  # the detail page's orders; the rest through the order list's search


class CustomerSort(enum.StrEnum):
    NAME = "name"
    EMAIL = "email"
    JOINED = "joined"
    ORDERS = "orders"
    LAST_ORDER = "last_order"


class CustomerStatus(enum.StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class CustomerRow:
    user: User
    orders: int
    last_order_at: datetime | None
    blocked: bool


class CustomerPage(Page[CustomerRow]):
    """Customers matching the back office's filters, one page of them."""


@dataclass(frozen=True)
class CustomerDetail:
    user: User
    block: CustomerBlock | None
    orders: list[CustomerOrder]  # newest first, at most RECENT_ORDERS, seller orders loaded
    order_count: int
    threads: list[Thread]  # latest activity first
    history: list  # the audit entries about this account, newest first

    @property
    def blocked(self) -> bool:
        return self.block is not None


def clean_query(raw: object) -> str:
    """What was typed in the search box, printable characters only, bounded."""
    if not isinstance(raw, str):
        return ""
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:MAX_QUERY]


def search(
    session: Session,
    *,
    query: str = "",
    status: CustomerStatus | None = None,
    sort: CustomerSort = CustomerSort.JOINED,
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> CustomerPage:
    """Customer accounts matching ``query`` (part of the name or email, or the start of the number
    of one of their orders or seller orders), filtered by ``status``, sorted, one page."""
    stats = (
        select(
            CustomerOrder.customer_id.label("customer_id"),
            func.count(CustomerOrder.id).label("orders"),
            func.max(CustomerOrder.created_at).label("last_order_at"),
        )
        .where(CustomerOrder.customer_id.is_not(None))
        .group_by(CustomerOrder.customer_id)
        .subquery()
    )
    orders = func.coalesce(stats.c.orders, 0)
    statement = (
        select(User, orders, stats.c.last_order_at, CustomerBlock.id)
        .outerjoin(stats, stats.c.customer_id == User.id)
        .outerjoin(CustomerBlock, CustomerBlock.user_id == User.id)
        .where(User.role == Role.CUSTOMER)
    )
    text = clean_query(query)
    if text:
        pattern = f"%{_escaped(text.lower())}%"
        number = text.upper()
        statement = statement.where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
                exists().where(
                    CustomerOrder.customer_id == User.id,
                    or_(
                        CustomerOrder.number.startswith(number, autoescape=True),
                        # a seller order's number too (the customer's with "-A", "-B"…)
                        CustomerOrder.id.in_(
                            select(SellerOrder.customer_order_id).where(
                                SellerOrder.number.startswith(number, autoescape=True)
                            )
                        ),
                    ),
                ),
            )
        )
    if status == CustomerStatus.BLOCKED:
        statement = statement.where(CustomerBlock.id.is_not(None))
    elif status == CustomerStatus.ACTIVE:
        statement = statement.where(CustomerBlock.id.is_(None))
    total = session.scalar(select(func.count()).select_from(statement.with_only_columns(User.id).subquery()))
    column = {
        CustomerSort.NAME: func.lower(User.name),
        CustomerSort.EMAIL: User.email,
        CustomerSort.JOINED: User.created_at,
        CustomerSort.ORDERS: orders,
        CustomerSort.LAST_ORDER: stats.c.last_order_at,
    }[CustomerSort(sort)]
    order = column.desc() if descending else column.asc()
    if sort == CustomerSort.LAST_ORDER:  # customers who never ordered last, either way
        order = (stats.c.last_order_at.is_(None), order)
    else:
        order = (order,)
    page = max(page, 1)
    rows = session.execute(
        statement.order_by(*order, User.id.desc() if descending else User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [CustomerRow(user, count, last, block_id is not None) for user, count, last, block_id in rows]
    return CustomerPage(items, total or 0, page, per_page)


def _escaped(text: str) -> str:
    """``text`` matched literally by LIKE: % and _ are not wildcards here."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_customer(session: Session, user_id: int) -> User:
    """The customer account ``user_id``; NotFound for another kind of account or none."""
    user = session.get(User, user_id) if isinstance(user_id, int) and 0 < user_id <= MAX_ID else None
    if user is None or user.role != Role.CUSTOMER:
        raise NotFound(f"no customer {user_id!r}")
    return user


def block_of(session: Session, user: User) -> CustomerBlock | None:
    return session.scalar(
        select(CustomerBlock).where(CustomerBlock.user_id == user.id).options(joinedload(CustomerBlock.blocked_by))
    )


def is_blocked(session: Session, user: User) -> bool:
    return session.scalar(select(exists().where(CustomerBlock.user_id == user.id))) or False


def require_not_blocked(session: Session, user: User) -> None:
    """NotAllowed (``ACCOUNT_BLOCKED``) when customer service has blocked ``user``."""
    if user.role == Role.CUSTOMER and is_blocked(session, user):
        raise NotAllowed("this account is blocked; contact customer service", reason=Refusal.ACCOUNT_BLOCKED)


def detail(session: Session, user: User) -> CustomerDetail:
    """A customer's page: the account, its block, its latest orders with their seller orders,
    its conversations, and what the back office did to it (a fixed number of queries)."""
    orders = session.scalars(
        select(CustomerOrder)
        .where(CustomerOrder.customer_id == user.id)
        .options(selectinload(CustomerOrder.seller_orders).joinedload(SellerOrder.seller))
        .order_by(CustomerOrder.created_at.desc(), CustomerOrder.id.desc())
        .limit(RECENT_ORDERS)
    ).all()
    count = session.scalar(select(func.count(CustomerOrder.id)).where(CustomerOrder.customer_id == user.id))
    threads = session.scalars(
        select(Thread)
        .where(Thread.customer_id == user.id)
        .options(joinedload(Thread.topic))
        .order_by(Thread.last_message_at.desc(), Thread.id.desc())
        .limit(RECENT_ORDERS)
    ).all()
    history = operator_audit.search(session, target_kind=User.__tablename__, target_id=str(user.id), per_page=20)
    return CustomerDetail(
        user=user,
        block=block_of(session, user),
        orders=list(orders),
        order_count=count or 0,
        threads=list(threads),
        history=history.entries,
    )


def _clean_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if not text:
        raise InvalidValue("give the reason", reason=Refusal.BLOCK_REASON_MISSING, field="reason")
    if len(text) > MAX_REASON:
        raise InvalidValue(f"the reason is at most {MAX_REASON} characters", reason=Refusal.BLOCK_REASON_TOO_LONG,
                           field="reason")
    return text


@atomic
def block(session: Session, actor: User, customer: User, reason: str, *, now: datetime | None = None) -> CustomerBlock:
    """Block ``customer``: their sessions end now, and they can neither log in nor order until
    unblocked. Recorded in the audit log with the reason."""
    staff.require(actor, staff.Permission.CUSTOMERS)
    if customer.role != Role.CUSTOMER:
        raise NotFound(f"no customer {customer.id}")
    reason = _clean_reason(reason)
    if block_of(session, customer) is not None:
        raise InvalidTransition("this customer is already blocked", reason=Refusal.ALREADY_BLOCKED)
    now = now or shop_clock.of(session).now()
    entry = CustomerBlock(user_id=customer.id, reason=reason, blocked_at=now, blocked_by_id=actor.id)
    session.add(entry)
    session.flush()
    user_sessions.close_all_sessions(session, customer)
    operator_audit.record(
        session, actor, "customer.block", customer, before={"blocked": False},
        after={"blocked": True, "reason": reason}, summary=customer.email,
    )
    return entry


@atomic
def unblock(session: Session, actor: User, customer: User, reason: str) -> None:
    """Let ``customer`` log in and order again; the reason goes to the audit log."""
    staff.require(actor, staff.Permission.CUSTOMERS)
    if customer.role != Role.CUSTOMER:
        raise NotFound(f"no customer {customer.id}")
    reason = _clean_reason(reason)
    current = block_of(session, customer)
    if current is None:
        raise InvalidTransition("this customer is not blocked", reason=Refusal.NOT_BLOCKED)
    before = {"blocked": True, "reason": current.reason}
    session.delete(current)
    session.flush()
    operator_audit.record(
        session, actor, "customer.unblock", customer, before=before,
        after={"blocked": False, "reason": reason}, summary=customer.email,
    )


def blocked_ids(session: Session, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` are blocked, in one query (for lists that show the state)."""
    if not user_ids:
        return set()
    return set(session.scalars(select(CustomerBlock.user_id).where(CustomerBlock.user_id.in_(user_ids))))

