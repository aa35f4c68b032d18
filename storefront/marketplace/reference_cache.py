"""Reference data kept in memory: what every product page and checkout step reads and hardly
ever changes (delivery zones, modes and rates, the retailer's id, the shop's preferences).

Why: these few rows were read again by every request, several times per checkout step; on a
busy shop they were a good share of all queries. Each process keeps one copy per database:

- values are immutable snapshots (tuples, frozen dataclasses), never ORM objects, so threads
  share them safely and no session ever adopts them;
- any change made through this process's ORM (a flush touching a watched model, or an
  ``insert``/``update``/``delete`` statement on its table) drops the copy when its transaction
  commits: the process that made a change sees it on its very next read;
- every such commit also adds one to the ``reference_generation`` row, in the same
  transaction; each process reads that number at most every ``REFERENCE_CHECK_SECONDS`` (one
  second by default: one tiny query a second, not one per request) and drops its copy when it
  moved, so other processes (the other web workers, the job worker) see a back-office change
  within a second;
- whatever escapes both (a change made by hand in SQL) is read again after the engine's time
  to live (:func:`set_ttl`, ``REFERENCE_CACHE_SECONDS``; :data:`TTL_SECONDS` by default).

Anything that must be exact at the moment of the order (stock, prices, offer states) is never
cached: ``checkout.place_order`` reads and updates those rows in its own transaction.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, UOWTransaction

from .models import (
    ApiRevocation,
    DeliveryMode,
    DiscussionTopic,
    MarketplaceMapping,
    ReasonCode,
    ReferenceGeneration,
    Seller,
    ShippingRate,
    StoreSetting,
    Zone,
    ZoneRule,
)

TTL_SECONDS = 30.0
CHECK_SECONDS = 1.0
# ApiRevocation: the API's list of refused tokens (token_revocations), kept a few seconds only.
# MarketplaceMapping, DiscussionTopic, ReasonCode: the back office's mappings (marketplace/mappings.py).
WATCHED = (Zone, ZoneRule, DeliveryMode, ShippingRate, Seller, StoreSetting, ApiRevocation,
           MarketplaceMapping, DiscussionTopic, ReasonCode)
_WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)
_CHANGED = "storefront.reference_changed"
_COUNTED = "storefront.reference_generation_counted"
_GENERATION = ReferenceGeneration.__table__

T = TypeVar("T")


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[object, tuple[float, object]] = {}
        self.ttl = TTL_SECONDS
        self.check_every: float | None = CHECK_SECONDS  # None: never (the tests' default)
        self.next_check = 0.0
        self.generation: int | None = None  # the reference_generation the copies were read at


_stores: weakref.WeakKeyDictionary[Engine, _Store] = weakref.WeakKeyDictionary()
_stores_lock = threading.Lock()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


def _store(engine: Engine) -> _Store:
    store = _stores.get(engine)
    if store is None:
        with _stores_lock:
            store = _stores.setdefault(engine, _Store())
    return store


def set_ttl(engine: Engine, seconds: float, *, check_every: float | None = CHECK_SECONDS) -> None:
    """How many seconds copies of ``engine``'s data are kept (the app's REFERENCE_CACHE_SECONDS)
    and how often the process looks whether another one changed them (REFERENCE_CHECK_SECONDS;
    None: never, so a test counting queries never meets that read)."""
    store = _store(engine)
    store.ttl = max(float(seconds), 0.0)
    store.check_every = None if check_every is None else max(float(check_every), 0.0)
    store.next_check = 0.0


def generation(session: Session) -> int:
    """How many commits have changed reference data (0 before the first)."""
    return session.scalar(select(_GENERATION.c.generation).where(_GENERATION.c.id == 1)) or 0


def seen_generation(session: Session) -> int | None:
    """The generation this process's copies were read at, after looking (at most every
    ``REFERENCE_CHECK_SECONDS``) whether another process changed reference data: what the page
    cache puts in its keys, so a page rendered before a back-office change is not served after."""
    store = _store(_engine_of(session))
    _look_for_changes_elsewhere(session, store, time.monotonic())
    return store.generation


def _look_for_changes_elsewhere(session: Session, store: _Store, now: float) -> None:
    if store.check_every is None or now < store.next_check:
        return
    seen = generation(session)
    store.next_check = now + store.check_every
    if seen != store.generation:
        with store.lock:
            store.values.clear()
            store.generation = seen


def cached(
    session: Session, key: object, load: Callable[[Session], T], ttl: float | None = None
) -> T:
    """The value of ``key`` for the session's database, from ``load(session)`` when absent or
    older than ``ttl`` seconds (the engine's :func:`set_ttl` by default). ``load`` must return an
    immutable snapshot."""
    store = _store(_engine_of(session))
    ttl = store.ttl if ttl is None else ttl
    now = time.monotonic()
    _look_for_changes_elsewhere(session, store, now)
    entry = store.values.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]  # type: ignore[return-value]
    if session.info.get(_CHANGED):
        # This transaction changed reference data and has not committed it: read it, but do not
        # share what others cannot see yet.
        return load(session)
    value = load(session)
    with store.lock:
        store.values[key] = (now + ttl, value)
    return value


def clear(engine: Engine) -> None:
    """Forget everything cached for ``engine`` (tables were changed behind the ORM's back)."""
    store = _stores.get(engine)
    if store is not None:
        with store.lock:
            store.values.clear()


def _count_the_change(session: Session) -> None:
    """Add one to the generation, once per transaction, in that transaction: the others see
    the change and the new number together."""
    if session.info.get(_COUNTED):
        return
    session.info[_COUNTED] = True
    bumped = session.execute(
        update(_GENERATION).where(_GENERATION.c.id == 1).values(generation=_GENERATION.c.generation + 1)
    )
    if bumped.rowcount == 0:  # a database made without the migration's first row
        session.execute(insert(_GENERATION).values(id=1, generation=1))


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, flush_context: UOWTransaction) -> None:
    if session.info.get(_CHANGED):
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, WATCHED):
            session.info[_CHANGED] = True
            _count_the_change(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _count_bulk_changes(session: Session) -> None:
    if session.info.get(_CHANGED):
        _count_the_change(session)  # statements that changed watched tables without a flush


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session: Session) -> None:
    session.info.pop(_COUNTED, None)
    if session.info.pop(_CHANGED, False):
        clear(_engine_of(session))


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_COUNTED, None)
