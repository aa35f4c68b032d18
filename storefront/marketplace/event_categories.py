"""Event categories: shelves of products chosen by rules, live between two dates.

An event (Black Friday, soldes d'hiver…) says which products it holds with rules rather than a
list typed by hand, so that a seller who drops a price into the discount range joins it without
anyone touching the back office. Rule kinds combine with AND; the values of one kind with OR:

* categories (each with its descendants), brands: what the product is;
* sellers, condition, minimum discount, price range, shipped by the retailer: the **buy-box
  offer**, the one the shopper sees on the tile (same ranking as the product page, read from
  ``product_listing``), so a shelf promising "-30 %" shows -30 % on every tile. A product is in
  when its buy box matches in at least one delivery zone;
* the discount is the shop's own figure (``Offer.discount_percent``: rounded percent off the
  strike-through price), so the badge and the rule agree.

Pinned products are always in, excluded ones never. Membership is stored (``event_member``) and
recomputed: for the products whose listing changed (``listing.refresh`` calls
:func:`recompute_products` in its own transaction), every quarter of an hour (storefront/jobs/
events.py: rules about prices drift as offers change outside the shop's services), and on save.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import operator_audit
from .errors import InvalidValue, NotFound
from .many import among
from .models import (
    Brand,
    Category,
    Condition,
    EventCategory,
    EventMember,
    EventPick,
    Fulfillment,
    Offer,
    PickKind,
    Product,
    ProductListing,
    Seller,
    User,
)
from .refusals import Refusal
from .unit_of_work import atomic

MAX_PRICE_CENTS = 100_000_000  # a million euros: anything above is a typo
SHELF_SIZE = 8  # products on a home-page shelf
SAMPLE_SIZE = 6  # products shown with a preview count


class EventState(enum.StrEnum):
    UPCOMING = "UPCOMING"
    LIVE = "LIVE"
    ENDED = "ENDED"
    INACTIVE = "INACTIVE"  # switched off by the operator, whatever the dates


class EventProblem(enum.StrEnum):
    """Why rules are refused; each has a sentence in the back office (backoffice/events.py)."""

    NAME = "name"
    SLUG = "slug"
    SLUG_TAKEN = "slug_taken"
    DATES = "dates"  # the end is not after the start
    NO_RULES = "no_rules"  # no criterion and no pinned product: the shelf would hold everything
    PRICE_RANGE = "price_range"  # minimum above maximum
    PRICE = "price"  # negative or past MAX_PRICE_CENTS
    DISCOUNT = "discount"  # outside 0..100
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_BRAND = "unknown_brand"
    UNKNOWN_SELLER = "unknown_seller"
    CONDITION = "condition"


class EventInvalid(InvalidValue):
    """Rules refused; ``problems`` maps a form field to an :class:`EventProblem`."""

    def __init__(self, problems: dict[str, EventProblem]):
        super().__init__(
            "; ".join(f"{name}: {problem.value}" for name, problem in problems.items()),
            reason=next(iter(problems.values())).value, problems=problems,
        )
        self.problems = problems


@dataclass
class EventRules:
    """What the form (or a script) gives to create or change an event."""

    name: str
    slug: str
    starts_at: datetime
    ends_at: datetime
    name_en: str = ""
    active: bool = True
    category_ids: list[int] = field(default_factory=list)
    brand_ids: list[int] = field(default_factory=list)
    seller_ids: list[int] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    min_discount: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    shipped_by_retailer: bool = False

    @classmethod
    def of(cls, event: EventCategory) -> EventRules:
        return cls(**{f.name: getattr(event, f.name) for f in fields(cls)})

    @property
    def has_criteria(self) -> bool:
        return bool(
            self.category_ids or self.brand_ids or self.seller_ids or self.conditions
            or self.min_discount or self.price_min is not None or self.price_max is not None
            or self.shipped_by_retailer
        )


RULE_FIELDS = tuple(f.name for f in fields(EventRules))


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:140]


def state_of(event: EventCategory, now: datetime) -> EventState:
    if not event.active:
        return EventState.INACTIVE
    if now < event.starts_at:
        return EventState.UPCOMING
    if now >= event.ends_at:
        return EventState.ENDED
    return EventState.LIVE


def discount_percent(price: int, origin_price: int | None) -> int | None:
    """The shop's discount figure, as ``Offer.discount_percent`` computes it."""
    if not origin_price or origin_price <= price:
        return None
    return round(100 * (origin_price - price) / origin_price)


# --- checking ------------------------------------------------------------------------------------


def problems(
    session: Session, rules: EventRules, *, event: EventCategory | None = None, pinned: int = 0
) -> dict[str, EventProblem]:
    """Every problem of ``rules`` by form field (empty: fine). ``pinned``: how many products
    the event already has pinned (rules may then be empty)."""
    found: dict[str, EventProblem] = {}
    if not rules.name.strip():
        found["name"] = EventProblem.NAME
    if not rules.slug or rules.slug != slugify(rules.slug):
        found["slug"] = EventProblem.SLUG
    else:
        taken = session.scalar(select(EventCategory.id).where(EventCategory.slug == rules.slug))
        if taken is not None and (event is None or taken != event.id):
            found["slug"] = EventProblem.SLUG_TAKEN
    if rules.ends_at <= rules.starts_at:
        found["ends_at"] = EventProblem.DATES
    for name in ("price_min", "price_max"):
        value = getattr(rules, name)
        if value is not None and not 0 <= value <= MAX_PRICE_CENTS:
            found[name] = EventProblem.PRICE
    if (
        "price_min" not in found and "price_max" not in found
        and None not in (rules.price_min, rules.price_max) and rules.price_min > rules.price_max
    ):
        found["price_max"] = EventProblem.PRICE_RANGE
    if rules.min_discount is not None and not 0 <= rules.min_discount <= 100:
        found["min_discount"] = EventProblem.DISCOUNT
    for name, model, problem in (
        ("category_ids", Category, EventProblem.UNKNOWN_CATEGORY),
        ("brand_ids", Brand, EventProblem.UNKNOWN_BRAND),
        ("seller_ids", Seller, EventProblem.UNKNOWN_SELLER),
    ):
        ids = set(getattr(rules, name))
        if ids and session.scalar(select(func.count()).where(model.id.in_(ids))) != len(ids):
            found[name] = problem
    if any(value not in Condition.__members__ for value in rules.conditions):
        found["conditions"] = EventProblem.CONDITION
    if not rules.has_criteria and not pinned:
        found["rules"] = EventProblem.NO_RULES
    return found


def _check(session: Session, rules: EventRules, event: EventCategory | None = None) -> None:
    pinned = 0
    if event is not None:
        pinned = sum(1 for pick in event.picks if pick.kind == PickKind.PINNED)
    found = problems(session, rules, event=event, pinned=pinned)
    if found:
        raise EventInvalid(found)


def _clean(rules: EventRules) -> EventRules:
    rules.name = rules.name.strip()[:120]
    rules.name_en = rules.name_en.strip()[:120]
    rules.category_ids = sorted(set(rules.category_ids))
    rules.brand_ids = sorted(set(rules.brand_ids))
    rules.seller_ids = sorted(set(rules.seller_ids))
    rules.conditions = sorted(set(rules.conditions))
    if rules.min_discount == 0:  # "at least 0 % off" asks for nothing
        rules.min_discount = None
    return rules


# --- matching ------------------------------------------------------------------------------------


def matching_ids(
    session: Session, rules: EventRules, product_ids: Iterable[int] | None = None
) -> set[int]:
    """Products the rules select (picks not applied), among ``product_ids`` when given."""
    if not rules.has_criteria:
        return set()
    query = (
        select(ProductListing.product_id, Offer.price, Offer.origin_price)
        .join(Offer, Offer.id == ProductListing.best_offer_id)
        .where(ProductListing.available.is_(True))
    )
    if product_ids is not None:
        query = query.where(among(session, ProductListing.product_id, product_ids))
    if rules.category_ids:
        paths = session.scalars(select(Category.path).where(Category.id.in_(rules.category_ids))).all()
        subtree = select(Category.id).where(or_(*(Category.path.startswith(p) for p in paths)))
        query = query.where(ProductListing.category_id.in_(subtree))
    if rules.brand_ids:
        query = query.where(ProductListing.brand_id.in_(rules.brand_ids))
    if rules.seller_ids:
        query = query.where(ProductListing.best_seller_id.in_(rules.seller_ids))
    if rules.conditions:
        query = query.where(Offer.condition.in_([Condition(c) for c in rules.conditions]))
    if rules.price_min is not None:
        query = query.where(ProductListing.best_price >= rules.price_min)
    if rules.price_max is not None:
        query = query.where(ProductListing.best_price <= rules.price_max)
    if rules.shipped_by_retailer:
        retailer = select(Seller.id).where(Seller.is_operator.is_(True))
        query = query.where(or_(Offer.fulfillment == Fulfillment.OPERATOR, Offer.seller_id.in_(retailer)))
    if rules.min_discount:
        query = query.where(Offer.origin_price > Offer.price)
        return {
            row.product_id for row in session.execute(query)
            if (discount_percent(row.price, row.origin_price) or 0) >= rules.min_discount
        }
    return set(session.scalars(query.with_only_columns(ProductListing.product_id).distinct()))


def _members(
    session: Session, rules: EventRules, picks: Iterable[EventPick], product_ids: Iterable[int] | None = None
) -> dict[int, bool]:
    """{product id: pinned} of the event's products (among ``product_ids`` when given)."""
    wanted = None if product_ids is None else set(product_ids)
    picks = [p for p in picks if wanted is None or p.product_id in wanted]
    pinned = {p.product_id for p in picks if p.kind == PickKind.PINNED}
    excluded = {p.product_id for p in picks if p.kind == PickKind.EXCLUDED}
    found = {pid: False for pid in matching_ids(session, rules, wanted)}
    found.update({pid: True for pid in pinned})
    for pid in excluded:
        found.pop(pid, None)
    return found


@dataclass(frozen=True)
class Preview:
    count: int
    sample: list[Product]


def preview(session: Session, rules: EventRules, event: EventCategory | None = None) -> Preview:
    """How many products ``rules`` would put in the event (with its picks), and a few of them:
    what the operator sees before saving. Reads only."""
    found = _members(session, _clean(rules), event.picks if event is not None else [])
    ids = sorted(found, key=lambda pid: (not found[pid], -pid))[:SAMPLE_SIZE]
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    return Preview(len(found), [products[pid] for pid in ids if pid in products])


# --- recomputing ---------------------------------------------------------------------------------


def recompute(session: Session, event: EventCategory, product_ids: Iterable[int] | None = None) -> int:
    """Store the event's members (only ``product_ids``' rows when given); returns the count.
    Joins the caller's transaction."""
    now = shop_clock.of(session).now()
    ids = None if product_ids is None else sorted(set(product_ids))
    found = _members(session, EventRules.of(event), event.picks, ids)
    query = delete(EventMember).where(EventMember.event_id == event.id)
    if ids is not None:
        query = query.where(among(session, EventMember.product_id, ids))
    session.execute(query)
    if found:
        session.execute(
            insert(EventMember),
            [{"event_id": event.id, "product_id": pid, "pinned": pinned} for pid, pinned in found.items()],
        )
    event.member_count = session.scalar(
        select(func.count()).select_from(EventMember).where(EventMember.event_id == event.id)
    ) or 0
    event.computed_at = now
    return event.member_count


def _current(session: Session) -> list[EventCategory]:
    """Events whose membership still matters: not ended (ended ones keep their last list)."""
    now = shop_clock.of(session).now()
    return list(session.scalars(
        select(EventCategory).where(EventCategory.ends_at > now).order_by(EventCategory.id)
    ))


def recompute_products(session: Session, product_ids: Iterable[int] | None) -> None:
    """After ``product_ids``' offers or listing changed (None: every product): each current
    event's membership of those products, in the caller's transaction."""
    ids = None if product_ids is None else list(product_ids)
    if ids == []:
        return
    for event in _current(session):
        recompute(session, event, ids)


@atomic
def recompute_current(session: Session) -> int:
    """Every current event from scratch (the periodic job); returns how many events."""
    events = _current(session)
    for event in events:
        recompute(session, event)
    return len(events)


# --- writes (audited) ----------------------------------------------------------------------------


@atomic
def create(session: Session, actor: User | None, rules: EventRules) -> EventCategory:
    rules = _clean(rules)
    _check(session, rules)
    event = EventCategory(**{name: getattr(rules, name) for name in RULE_FIELDS})
    session.add(event)
    session.flush()
    recompute(session, event)
    operator_audit.record(
        session, actor, "event.create", event, after=_audit_values(rules), summary=event.name
    )
    return event


@atomic
def update(session: Session, actor: User | None, event: EventCategory, rules: EventRules) -> EventCategory:
    rules = _clean(rules)
    _check(session, rules, event)
    before = operator_audit.snapshot(event, RULE_FIELDS)
    for name in RULE_FIELDS:
        setattr(event, name, getattr(rules, name))
    session.flush()
    recompute(session, event)
    old, new = operator_audit.changes(before, _audit_values(rules))
    if new:
        operator_audit.record(session, actor, "event.update", event, before=old, after=new, summary=event.name)
    return event


@atomic
def set_active(session: Session, actor: User | None, event: EventCategory, active: bool) -> EventCategory:
    if event.active != active:
        operator_audit.record(
            session, actor, "event.activate" if active else "event.deactivate", event,
            before={"active": event.active}, after={"active": active}, summary=event.name,
        )
        event.active = active
    return event


@atomic
def delete_event(session: Session, actor: User | None, event: EventCategory) -> None:
    operator_audit.record(
        session, actor, "event.delete", event, before=_audit_values(EventRules.of(event)), summary=event.name
    )
    session.execute(delete(EventMember).where(EventMember.event_id == event.id))
    session.delete(event)
    session.flush()


def find_product(session: Session, reference: str) -> Product:
    """A product by GTIN (8 to 14 digits) or id; :class:`NotFound` otherwise."""
    text = (reference or "").strip()
    product = None
    if text.isascii() and text.isdigit():
        product = session.scalar(select(Product).where(Product.gtin == text))
        if product is None and len(text) <= 10 and int(text) <= 2**31 - 1:
            product = session.get(Product, int(text))
    if product is None:
        raise NotFound("no product has this GTIN or id", reason=Refusal.UNKNOWN_PRODUCT)
    return product


@atomic
def pick(
    session: Session, actor: User | None, event: EventCategory, reference: str, kind: PickKind | str
) -> Product:
    """Pin (always in) or exclude (never in) a product named by GTIN or id; picking it again
    with the other kind moves it."""
    kind = PickKind(kind)
    product = find_product(session, reference)
    existing = session.get(EventPick, (event.id, product.id))
    before = {"product_id": product.id, "kind": existing.kind} if existing else None
    if existing is None:
        event.picks.append(EventPick(product_id=product.id, kind=kind))
    else:
        existing.kind = kind
    session.flush()
    recompute(session, event, [product.id])
    operator_audit.record(
        session, actor, f"event.{kind.value.lower()}", event, before=before,
        after={"product_id": product.id, "kind": kind}, summary=f"{event.name}: {product.gtin}",
    )
    return product


@atomic
def unpick(session: Session, actor: User | None, event: EventCategory, product_id: int) -> None:
    """Give a pinned or excluded product back to the rules."""
    existing = session.get(EventPick, (event.id, product_id))
    if existing is None:
        raise NotFound("this product is neither pinned nor excluded", reason=Refusal.UNKNOWN_PRODUCT)
    operator_audit.record(
        session, actor, "event.unpick", event, before={"product_id": product_id, "kind": existing.kind},
        after=None, summary=event.name,
    )
    event.picks.remove(existing)
    session.flush()
    recompute(session, event, [product_id])


def _audit_values(rules: EventRules) -> dict:
    return {name: getattr(rules, name) for name in RULE_FIELDS}


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventPage:
    events: list[EventCategory]
    total: int


SORTS = {
    "start": (EventCategory.starts_at.desc(), EventCategory.id.desc()),
    "name": (EventCategory.name, EventCategory.id),
    "products": (EventCategory.member_count.desc(), EventCategory.id),
}


def search(
    session: Session, *, state: str = "", q: str = "", sort: str = "start", page: int = 1, per_page: int = 50
) -> EventPage:
    """Events for the back office's list, filtered by state and name (part of)."""
    now = shop_clock.of(session).now()
    query = select(EventCategory)
    if q:
        query = query.where(or_(
            EventCategory.name.contains(q, autoescape=True), EventCategory.slug.contains(q, autoescape=True)
        ))
    if state == EventState.INACTIVE:
        query = query.where(EventCategory.active.is_(False))
    elif state:
        query = query.where(EventCategory.active.is_(True))
        if state == EventState.UPCOMING:
            query = query.where(EventCategory.starts_at > now)
        elif state == EventState.LIVE:
            query = query.where(EventCategory.starts_at <= now, EventCategory.ends_at > now)
        elif state == EventState.ENDED:
            query = query.where(EventCategory.ends_at <= now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = session.scalars(
        query.order_by(*SORTS.get(sort, SORTS["start"])).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return EventPage(list(events), total)


def _live_query(now: datetime):
    return select(EventCategory).where(
        EventCategory.active.is_(True), EventCategory.starts_at <= now, EventCategory.ends_at > now
    )


def live_event(session: Session, slug: str, now: datetime) -> EventCategory:
    """The event at ``slug`` if it is live at ``now``; :class:`NotFound` otherwise (an upcoming
    event's page must not leak its products before the day)."""
    event = session.scalar(_live_query(now).where(EventCategory.slug == slug[:140]))
    if event is None:
        raise NotFound("no live event at this address")
    return event


@dataclass(frozen=True)
class Shelf:
    event: EventCategory
    product_ids: list[int]


def shelves(session: Session, now: datetime, *, size: int = SHELF_SIZE) -> list[Shelf]:
    """The live events and the first ``size`` products of each (pinned first, then newest):
    two queries whatever the number of events."""
    events = list(session.scalars(_live_query(now).order_by(EventCategory.position, EventCategory.starts_at, EventCategory.id)))
    if not events:
        return []
    rank = func.row_number().over(
        partition_by=EventMember.event_id,
        order_by=(EventMember.pinned.desc(), EventMember.product_id.desc()),
    ).label("rank")
    ranked = (
        select(EventMember.event_id, EventMember.product_id, rank)
        .where(EventMember.event_id.in_([e.id for e in events]))
        .subquery()
    )
    by_event: dict[int, list[int]] = {e.id: [] for e in events}
    for event_id, product_id in session.execute(
        select(ranked.c.event_id, ranked.c.product_id).where(ranked.c.rank <= size)
        .order_by(ranked.c.event_id, ranked.c.rank)
    ):
        by_event[event_id].append(product_id)
    return [Shelf(e, by_event[e.id]) for e in events if by_event[e.id]]


def member_ids(session: Session, event: EventCategory, *, page: int = 1, per_page: int = 24) -> tuple[list[int], int]:
    """One page of the event's products (pinned first, then newest) and their total."""
    total = session.scalar(select(func.count()).select_from(EventMember).where(EventMember.event_id == event.id)) or 0
    ids = session.scalars(
        select(EventMember.product_id).where(EventMember.event_id == event.id)
        .order_by(EventMember.pinned.desc(), EventMember.product_id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(ids), total


def picks_of(session: Session, event: EventCategory) -> list[EventPick]:
    """The event's pinned and excluded products, with the products loaded."""
    from sqlalchemy.orm import selectinload

    return list(session.scalars(
        select(EventPick).where(EventPick.event_id == event.id)
        .options(selectinload(EventPick.product)).order_by(EventPick.picked_at)
    ))


def get(session: Session, event_id: int) -> EventCategory:
    event = session.get(EventCategory, event_id)
    if event is None:
        raise NotFound("no such event")
    return event
