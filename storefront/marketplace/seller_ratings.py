"""Seller ratings: once a seller order is delivered its customer rates the seller (1 to 5 stars
and an optional comment), once; the seller answers publicly, once; the operator hides a rating
with a reason (and may show it again).

``Seller.rating_sum``/``rating_count`` add up the visible ratings only, and change in SQL
(``x = x + 1``) in the transaction of the rating, the hiding or the showing again, so two writes
at once never lose one. Comments, answers and reasons are plain text: stored as typed (trimmed),
escaped wherever a page shows them. Which grade shoppers read is ``sellers.public_rating``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from . import operator_audit, sellers, webhooks
from .errors import Conflict, InvalidTransition, InvalidValue, NotFound
from .models import CustomerOrder, Seller, SellerOrder, SellerRating, User, utcnow
from .orders.lifecycle import DELIVERED
from .paging import Page, page_of
from .refusals import Refusal
from .unit_of_work import atomic

MAX_COMMENT = 2000
MAX_ANSWER = 2000
MAX_HIDE_REASON = 300  # SellerRating.hidden_reason
GRADES = (1, 2, 3, 4, 5)


# -- the customer's side --------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSlot:
    """One seller order of a customer order as its rating form sees it: its rating if given,
    ``can_rate`` while it is delivered and not rated yet."""

    seller_order: SellerOrder
    rating: SellerRating | None

    @property
    def can_rate(self) -> bool:
        return self.rating is None and self.seller_order.state in DELIVERED


def slots_for(session: Session, order: CustomerOrder) -> list[RatingSlot]:
    """The seller orders of ``order`` that are delivered or rated, with their ratings (one query)."""
    ids = [so.id for so in order.seller_orders]
    ratings = {
        rating.seller_order_id: rating
        for rating in session.scalars(select(SellerRating).where(SellerRating.seller_order_id.in_(ids)))
    } if ids else {}
    return [
        RatingSlot(so, ratings.get(so.id))
        for so in order.seller_orders
        if so.state in DELIVERED or so.id in ratings
    ]


def seller_order_of(session: Session, customer_id: int, order_number: str, seller_order_number: str) -> SellerOrder:
    """The customer's seller order by the two numbers; another customer's looks like none."""
    found = session.scalar(
        select(SellerOrder)
        .join(CustomerOrder, SellerOrder.customer_order_id == CustomerOrder.id)
        .where(SellerOrder.number == seller_order_number, CustomerOrder.number == order_number,
               CustomerOrder.customer_id == customer_id)
        .options(joinedload(SellerOrder.seller))
    ) if _plain_text(order_number) and _plain_text(seller_order_number) else None
    if found is None:
        raise NotFound(f"no order {seller_order_number!r}")
    return found


def rating_of(session: Session, seller_order: SellerOrder) -> SellerRating | None:
    return session.scalar(select(SellerRating).where(SellerRating.seller_order_id == seller_order.id))


@atomic
def rate(
    session: Session, seller_order: SellerOrder, customer: User, grade: Any, comment: str = "",
) -> SellerRating:
    """The customer of ``seller_order`` rates its seller: once, after delivery. Every refusal
    changes nothing: another customer's order (NotFound), not delivered, already rated, a grade
    not 1 to 5, a comment too long."""
    if seller_order.customer_order.customer_id != customer.id:
        raise NotFound(f"no order {seller_order.number!r}")
    grade = _grade(grade)
    comment = _text(comment, "comment", MAX_COMMENT)
    if seller_order.state not in DELIVERED:
        raise InvalidTransition("a seller order is rated once delivered",
                                reason=Refusal.RATING_NOT_DELIVERED, state=seller_order.state.value)
    if rating_of(session, seller_order) is not None:
        raise Conflict("this seller order is rated already", reason=Refusal.ALREADY_RATED)
    try:
        # A savepoint: a rating written at the same moment (another tab) trips the unique
        # constraint here, and the refusal leaves the rest of the transaction usable.
        with session.begin_nested():
            rating = sellers.rate_seller(session, seller_order.seller, grade, comment=comment,
                                         customer=customer, seller_order=seller_order)
    except IntegrityError:
        raise Conflict("this seller order is rated already", reason=Refusal.ALREADY_RATED) from None
    webhooks.record_event(session, "rating.created", rating.seller_id, lambda: event_data(rating))
    return rating


# -- the seller's side ----------------------------------------------------------------------------


def rating_for_seller(session: Session, rating_id: int, seller_id: int | None) -> SellerRating:
    """One rating of the seller (None: the operator, every seller's); another seller's is
    NotFound, as a rating that does not exist."""
    rating = session.get(SellerRating, rating_id) if 0 < rating_id < 2**31 else None
    if rating is None or (seller_id is not None and rating.seller_id != seller_id):
        raise NotFound(f"no rating {rating_id}")
    return rating


@atomic
def answer(session: Session, rating: SellerRating, seller_id: int, text: str, *,
           now: datetime | None = None) -> SellerRating:
    """The seller's public answer, once (an UPDATE on ``answered_at IS NULL``: two answers at
    once, one wins and the other is refused)."""
    if rating.seller_id != seller_id:
        raise NotFound(f"no rating {rating.id}")
    if rating.answered_at is not None:
        raise Conflict("this rating is answered already", reason=Refusal.ALREADY_ANSWERED)
    text = _text(text, "answer", MAX_ANSWER)
    if not text:
        raise InvalidValue("write an answer", reason=Refusal.RATING_ANSWER_EMPTY, field="answer")
    now = now or utcnow()
    done = session.execute(
        update(SellerRating)
        .where(SellerRating.id == rating.id, SellerRating.answered_at.is_(None))
        .values(answer=text, answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise Conflict("this rating is answered already", reason=Refusal.ALREADY_ANSWERED)
    session.refresh(rating)
    webhooks.record_event(session, "rating.answered", rating.seller_id, lambda: event_data(rating))
    return rating


def seller_page(session: Session, seller_id: int, *, page: int = 1, per_page: int = 20,
                unanswered: bool = False) -> Page[SellerRating]:
    """The seller's ratings, newest first, hidden ones included (the portal says so)."""
    query = (select(SellerRating).where(SellerRating.seller_id == seller_id)
             .options(joinedload(SellerRating.seller_order), joinedload(SellerRating.customer))
             .order_by(SellerRating.id.desc()))
    if unanswered:
        query = query.where(SellerRating.answered_at.is_(None))
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([row[0] for row in rows], total, page, per_page)


def api_page(session: Session, seller_id: int | None, *, before_id: int | None = None,
             limit: int = 50) -> list[SellerRating]:
    """Newest first by id, ``limit`` before ``before_id`` (the API's cursor); a seller's own
    (``seller_id``) or, for the operator (None), every seller's."""
    query = (select(SellerRating).options(joinedload(SellerRating.seller_order), joinedload(SellerRating.customer))
             .order_by(SellerRating.id.desc()).limit(limit))
    if seller_id is not None:
        query = query.where(SellerRating.seller_id == seller_id)
    if before_id is not None:
        query = query.where(SellerRating.id < before_id)
    return list(session.scalars(query))


# -- shoppers' side -------------------------------------------------------------------------------


def visible_page(session: Session, seller: Seller, *, page: int = 1, per_page: int = 10) -> Page[SellerRating]:
    """The seller's visible ratings, newest first (the seller page)."""
    query = (select(SellerRating)
             .where(SellerRating.seller_id == seller.id, SellerRating.hidden_at.is_(None))
             .options(joinedload(SellerRating.customer))
             .order_by(SellerRating.id.desc()))
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([row[0] for row in rows], total, page, per_page)


def author_name(rating: SellerRating) -> str:
    """How a rating's author is named in public: ``Camille M.``, never an address."""
    from .discussions import customer_name

    return customer_name(rating.customer)


# -- the operator's moderation ------------------------------------------------------------------


def search(session: Session, *, seller_code: str = "", grade: int | None = None,
           hidden: bool | None = None, page: int = 1, per_page: int = 50) -> Page[SellerRating]:
    """Every rating, newest first, filtered by seller (code), grade and hidden or not."""
    query = (select(SellerRating)
             .options(joinedload(SellerRating.seller), joinedload(SellerRating.seller_order),
                      joinedload(SellerRating.customer))
             .order_by(SellerRating.id.desc()))
    if seller_code:
        query = query.join(Seller, SellerRating.seller_id == Seller.id).where(Seller.code == seller_code)
    if grade in GRADES:
        query = query.where(SellerRating.grade == grade)
    if hidden is not None:
        query = query.where(SellerRating.hidden_at.is_not(None) if hidden else SellerRating.hidden_at.is_(None))
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([row[0] for row in rows], total, page, per_page)


MODERATION_FIELDS = ("hidden_at", "hidden_reason", "hidden_by_id")


@atomic
def hide(session: Session, rating: SellerRating, reason: str, *, actor: User | None,
         now: datetime | None = None) -> SellerRating:
    """Hide a rating (with a reason): it leaves the seller page and the seller's grade (sum and
    count, in SQL); the seller still sees it, marked hidden. Audited."""
    reason = " ".join(_text(reason, "reason", MAX_HIDE_REASON, code=Refusal.RATING_HIDE_REASON).split())
    if not reason:
        raise InvalidValue("say why the rating is hidden", reason=Refusal.RATING_HIDE_REASON, field="reason")
    before = operator_audit.snapshot(rating, MODERATION_FIELDS)
    now = now or utcnow()
    done = session.execute(
        update(SellerRating)
        .where(SellerRating.id == rating.id, SellerRating.hidden_at.is_(None))
        .values(hidden_at=now, hidden_reason=reason, hidden_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition("this rating is hidden already", reason=Refusal.RATING_ALREADY_HIDDEN)
    _count(session, rating, -1)
    return _moderated(session, rating, actor, "rating.hide", before)


@atomic
def unhide(session: Session, rating: SellerRating, *, actor: User | None) -> SellerRating:
    """Show a hidden rating again: back on the seller page and in the grade. Audited."""
    before = operator_audit.snapshot(rating, MODERATION_FIELDS)
    done = session.execute(
        update(SellerRating)
        .where(SellerRating.id == rating.id, SellerRating.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_reason="", hidden_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition("this rating is not hidden", reason=Refusal.RATING_NOT_HIDDEN)
    _count(session, rating, +1)
    return _moderated(session, rating, actor, "rating.unhide", before)


def _count(session: Session, rating: SellerRating, sign: int) -> None:
    session.execute(
        update(Seller).where(Seller.id == rating.seller_id)
        .values(rating_sum=Seller.rating_sum + sign * rating.grade, rating_count=Seller.rating_count + sign)
        .execution_options(synchronize_session=False)
    )


def _moderated(session: Session, rating: SellerRating, actor: User | None, action: str, before: dict) -> SellerRating:
    session.refresh(rating)
    session.refresh(rating.seller, ["rating_sum", "rating_count"])
    before, after = operator_audit.changes(before, operator_audit.snapshot(rating, MODERATION_FIELDS))
    operator_audit.record(session, actor, action, rating, before=before, after=after,
                          summary=f"{rating.seller.code} · {rating.grade}/5")
    return rating


# -- shapes ---------------------------------------------------------------------------------------


def rating_data(rating: SellerRating) -> dict[str, Any]:
    """A rating as the API and the webhooks give it to its seller: no customer address."""
    return {
        "id": rating.id,
        "seller_id": rating.seller_id,
        "order_id": rating.seller_order.number if rating.seller_order is not None else None,
        "grade": rating.grade,
        "comment": rating.comment,
        "author": author_name(rating),
        "created_at": webhooks.rfc3339(rating.created_at),
        "answer": rating.answer or None,
        "answered_at": webhooks.rfc3339(rating.answered_at),
        "hidden": rating.hidden_at is not None,
        "hidden_reason": rating.hidden_reason or None,
    }


def event_data(rating: SellerRating) -> dict[str, Any]:
    """A webhook's payload: no personal data nor text (as for messages, the comment and the
    answer are read through the API)."""
    return {
        "rating_id": rating.id,
        "seller_id": rating.seller_id,
        "order_number": rating.seller_order.number if rating.seller_order is not None else None,
        "grade": rating.grade,
        "answered": rating.answered_at is not None,
        "created_at": webhooks.rfc3339(rating.created_at),
        "answered_at": webhooks.rfc3339(rating.answered_at),
    }


def _grade(value: Any) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in GRADES:
        raise InvalidValue(f"a grade is a whole number from 1 to 5, not {value!r}",
                           reason=Refusal.RATING_GRADE, field="grade")
    return value


def _text(value: Any, field: str, limit: int, *, code: Refusal = Refusal.RATING_TEXT_TOO_LONG) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidValue(f"{field} is text", reason=code, field=field, limit=limit)
    text = value.replace("\x00", "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InvalidValue(f"{field} is at most {limit} characters", reason=code, field=field, limit=limit)
    return text


def _plain_text(value: str) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 40 and "\x00" not in value
