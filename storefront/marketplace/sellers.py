"""Sellers domain: shops on the marketplace, their state and their rating."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import operator_audit, reference_cache, token_revocations
from .errors import InvalidTransition, InvalidValue, NotFound
from .models import Offer, Seller, SellerOrder, SellerOrderState, SellerRating, SellerState, User
from .refusals import Refusal
from .text import slugify
from .unit_of_work import atomic


@atomic
def create_seller(
    session: Session,
    code: str,
    name: str,
    *,
    is_operator: bool = False,
    legal_name: str = "",
    city: str = "",
    country: str = "FR",
    description: str = "",
    return_policy: str = "",
    default_lead_time_days: int = 1,
    cutoff_time: time = time(14, 0),
    state: SellerState = SellerState.OPEN,
) -> Seller:
    code = (code or "").strip()
    if not code or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise InvalidValue(f"seller code {code!r} must be letters, digits, '-' or '_'")
    if not name.strip():
        raise InvalidValue("a seller needs a name")
    if default_lead_time_days < 0:
        raise InvalidValue("a lead time cannot be negative")
    if session.scalar(select(Seller.id).where(Seller.code == code)) is not None:
        raise InvalidValue(f"seller {code} already exists")
    if is_operator and operator_seller(session, required=False) is not None:
        raise InvalidValue("the retailer's own seller already exists; there is only one")
    seller = Seller(
        code=code,
        slug=_unique_slug(session, slugify(name)),
        name=name.strip(),
        is_operator=is_operator,
        legal_name=legal_name or name.strip(),
        city=city,
        country=country.upper(),
        description=description,
        return_policy=return_policy,
        default_lead_time_days=default_lead_time_days,
        cutoff_time=cutoff_time,
        state=SellerState(state),
    )
    session.add(seller)
    session.flush()
    return seller


def get_seller(session: Session, *, slug: str | None = None, code: str | None = None) -> Seller:
    if (slug is None) == (code is None):
        raise InvalidValue("look a seller up by slug or by code")
    column, value = (Seller.slug, slug) if slug is not None else (Seller.code, code)
    seller = session.scalar(select(Seller).where(column == value))
    if seller is None:
        raise NotFound(f"unknown seller {value!r}")
    return seller


def list_sellers(
    session: Session, *, seller_id: int | None = None, state: SellerState | None = None,
    after_id: int | None = None, limit: int = 50,
) -> list[Seller]:
    """Sellers by id, ``limit`` after ``after_id`` (keyset pages for the API); ``seller_id``
    keeps that one only (what a seller's own client may list)."""
    query = select(Seller).order_by(Seller.id).limit(limit)
    if seller_id is not None:
        query = query.where(Seller.id == seller_id)
    if state is not None:
        query = query.where(Seller.state == SellerState(state))
    if after_id is not None:
        query = query.where(Seller.id > after_id)
    return list(session.scalars(query))


# What a seller may change of its own shop: what shoppers read about it, and the lead time new
# offers take by default. Legal identity (legal name, SIRET, VAT, country), the code, the slug
# (its pages' address), the state and the cut-off time (every promise depends on it) stay the
# operator's.
PROFILE_LIMITS = {"name": 120, "city": 80, "logo_url": 300, "description": 5000, "return_policy": 5000}
PROFILE_FIELDS = (*PROFILE_LIMITS, "default_lead_time_days")
MAX_LEAD_TIME_DAYS = 60


@atomic
def update_profile(session: Session, seller: Seller, changes: Mapping[str, Any]) -> Seller:
    """Change the public profile fields in ``changes`` (see ``PROFILE_FIELDS``; None empties a
    text other than the name); every value is checked before any is set, so a refusal
    (``InvalidValue`` naming its ``field``) changes nothing."""
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidValue(f"{unknown[0]} is not a profile field a seller may change", field=unknown[0])
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "default_lead_time_days":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LEAD_TIME_DAYS:
                raise InvalidValue(f"a lead time is 0 to {MAX_LEAD_TIME_DAYS} business days", field=name)
            values[name] = value
            continue
        if value is None and name != "name":
            value = ""
        if not isinstance(value, str):
            raise InvalidValue(f"{name} is text", field=name)
        text = value.strip()
        if len(text) > PROFILE_LIMITS[name]:
            raise InvalidValue(f"{name} is at most {PROFILE_LIMITS[name]} characters", field=name)
        if name == "name" and not text:
            raise InvalidValue("a shop needs a name", field=name)
        if name == "logo_url" and text and not (text.startswith("https://") and len(text) > len("https://")
                                                 and not any(ch.isspace() for ch in text)):
            raise InvalidValue("a logo is an https:// address (or empty for none)", field=name)
        values[name] = text
    for name, value in values.items():
        setattr(seller, name, value)
    session.flush()
    return seller


def operator_seller(session: Session, *, required: bool = True) -> Seller | None:
    """The retailer itself, seller of the 1P offers (its id is kept by ``reference_cache``; the
    row itself is usually in the session already, with the 1P offers it sells)."""
    seller_id = reference_cache.cached(session, "operator_seller_id", _operator_id)
    seller = session.get(Seller, seller_id) if seller_id is not None else None
    if seller is None and required:
        raise NotFound("the retailer's own seller is not set up (`flask shop create-retailer`, or `flask seed-demo` for the demo)")
    return seller


def _operator_id(session: Session) -> int | None:
    return session.scalar(select(Seller.id).where(Seller.is_operator.is_(True)))


@dataclass(frozen=True)
class PublicRating:
    """What shoppers read of a seller's ratings: its grade out of 5 from ``minimum`` visible
    ratings on, None before (a "new seller")."""

    grade: float | None
    count: int

    @property
    def shown(self) -> bool:
        return self.grade is not None


def public_rating(seller: Seller, minimum: int) -> PublicRating:
    """The one rule of "show the grade or not", for every page (``minimum``: the operator's
    ``seller_rating_min_count`` preference). ``rating_sum``/``rating_count`` hold the visible
    ratings only (hidden ones are taken out by ``seller_ratings.hide``)."""
    count = seller.rating_count or 0
    if count < max(int(minimum), 1):
        return PublicRating(None, count)
    return PublicRating(Seller.average_rating(seller.rating_sum, count), count)


@atomic
def rate_seller(
    session: Session, seller: Seller, grade: int, *, comment: str = "", customer: User | None = None,
    seller_order: SellerOrder | None = None,
) -> SellerRating:
    """Record a grade from 1 to 5 and update the seller's average atomically.

    The sum and count are incremented in SQL, so two ratings at once don't lose one. The rules
    of a customer's rating of an order (delivered, once) are ``seller_ratings.rate``'s.
    """
    if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 5:
        raise InvalidValue(f"a rating is a whole number from 1 to 5, not {grade!r}",
                           reason=Refusal.RATING_GRADE, field="grade")
    rating = SellerRating(seller=seller, grade=grade, comment=comment.strip(),
                          customer_id=customer.id if customer else None,
                          seller_order_id=seller_order.id if seller_order is not None else None)
    session.add(rating)
    session.execute(
        update(Seller)
        .where(Seller.id == seller.id)
        .values(rating_sum=Seller.rating_sum + grade, rating_count=Seller.rating_count + 1)
    )
    session.flush()
    session.refresh(seller, ["rating_sum", "rating_count"])
    return rating


# Seller orders still under way: closing a shop waits until each is delivered or has ended
# (refused, cancelled). A delivered order may still be refunded: the shop stays a seller of
# record (its statements, its threads), closed shops are only gone from the shop front.
OPEN_ORDER_STATES = frozenset({
    SellerOrderState.WAITING_ACCEPTANCE, SellerOrderState.SHIPPING, SellerOrderState.SHIPPED,
    SellerOrderState.TO_COLLECT,
})
STATE_FIELDS = ("state", "suspended_reason")
MAX_REASON = 300  # Seller.suspended_reason


@atomic
def suspend_seller(session: Session, seller: Seller, reason: str, *, actor: User | None = None) -> Seller:
    """Suspended sellers' offers disappear from the shop at once (the listing of their products
    is rebuilt in this transaction; the web layer empties its page cache after the commit);
    their orders go on (in the seller portal: the API refuses the tokens of the shop's clients
    and gives them no new one). Recorded in the operator's audit log."""
    _not_the_retailer(seller, "suspended")
    if seller.state != SellerState.OPEN:
        raise InvalidTransition(f"only an open shop can be suspended (this one is {seller.state})",
                                reason=Refusal.SELLER_STATE, seller_state=seller.state.value)
    reason = _reason(reason)
    before = operator_audit.snapshot(seller, STATE_FIELDS)
    seller.state = SellerState.SUSPENDED
    seller.suspended_reason = reason
    token_revocations.refuse_seller_tokens(session, seller.id)
    return _changed(session, seller, actor, "seller.suspend", before)


@atomic
def reopen_seller(session: Session, seller: Seller, *, actor: User | None = None) -> Seller:
    """A suspended shop opens again: its offers are back in the listing, its clients' tokens
    work again."""
    if seller.state != SellerState.SUSPENDED:
        raise InvalidTransition(f"only a suspended shop can be reopened (this one is {seller.state})",
                                reason=Refusal.SELLER_STATE, seller_state=seller.state.value)
    before = operator_audit.snapshot(seller, STATE_FIELDS)
    seller.state = SellerState.OPEN
    seller.suspended_reason = ""
    token_revocations.accept_seller_tokens(session, seller.id)
    return _changed(session, seller, actor, "seller.reopen", before)


@atomic
def close_seller(session: Session, seller: Seller, reason: str, *, actor: User | None = None) -> Seller:
    """The shop leaves the marketplace for good (its offers go, its clients' tokens are
    refused); only once it has no open order (:data:`OPEN_ORDER_STATES`), which it must still
    be able to ship: suspend it meanwhile."""
    _not_the_retailer(seller, "closed")
    if seller.state == SellerState.CLOSED:
        raise InvalidTransition("this shop is closed already", reason=Refusal.SELLER_STATE,
                                seller_state=seller.state.value)
    reason = _reason(reason)
    count = open_order_count(session, seller)
    if count:
        raise InvalidTransition(f"the shop still has {count} open orders", reason=Refusal.OPEN_ORDERS,
                                count=count)
    before = operator_audit.snapshot(seller, STATE_FIELDS)
    seller.state = SellerState.CLOSED
    seller.suspended_reason = reason
    token_revocations.refuse_seller_tokens(session, seller.id)
    return _changed(session, seller, actor, "seller.close", before)


def open_order_count(session: Session, seller: Seller) -> int:
    return session.scalar(
        select(func.count(SellerOrder.id))
        .where(SellerOrder.seller_id == seller.id, SellerOrder.state.in_(OPEN_ORDER_STATES))
    ) or 0


def _not_the_retailer(seller: Seller, what: str) -> None:
    if seller.is_operator:
        raise InvalidTransition(f"the retailer's own shop cannot be {what}", reason=Refusal.RETAILER_SHOP)


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").replace("\x00", "").split())
    if not reason:
        raise InvalidValue("say why the shop is suspended", reason=Refusal.SUSPENSION_REASON,
                           field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidValue(f"a reason is at most {MAX_REASON} characters", field="reason")
    return reason


def _changed(session: Session, seller: Seller, actor: User | None, action: str, before: dict) -> Seller:
    """Flush a state change, rebuild the listing of the shop's products (its offers count only
    while it is open) and record it in the operator's audit log."""
    from . import listing  # here: listing reads this module (operator_seller)

    session.flush()
    products = session.scalars(select(Offer.product_id).where(Offer.seller_id == seller.id).distinct()).all()
    # Without the retailer's own seller no listing was ever built (listing.refresh ranks
    # against it): nothing to rebuild then.
    if products and operator_seller(session, required=False) is not None:
        listing.refresh(session, products)
    before, after = operator_audit.changes(before, operator_audit.snapshot(seller, STATE_FIELDS))
    operator_audit.record(session, actor, action, seller, before=before, after=after,
                          summary=seller.code)
    return seller


def _unique_slug(session: Session, base: str) -> str:
    taken = set(session.scalars(select(Seller.slug).where(Seller.slug.startswith(base))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
