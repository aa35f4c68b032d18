"""Reference data kept in memory: what every product page and checkout step reads and hardly
ever changes (delivery zones, modes and rates, the retailer's id, the shop's preferences).

Why: these few rows were read again by every request, several times per checkout step; on a
busy shop they were a good share of all queries. Each process keeps one copy per database:

- values are immutable snapshots (tuples, frozen dataclasses), never ORM objects, so threads
  share them safely and no session ever adopts them;
- any change made through this process's ORM (a flush touching a watched model, or an
  ``insert``/``update``/``delete`` statement on its table) drops the copy when its transaction
  commits: the process that made a change sees it on its very next read;
- other processes (the other web workers, the job worker) see it within the engine's time to
  live (:func:`set_ttl`, ``REFERENCE_CACHE_SECONDS``; :data:`TTL_SECONDS` by default).

Anything that must be exact at the moment of the order (stock, prices, offer states) is never
cached: ``checkout.place_order`` reads and updates those rows in its own transaction.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, UOWTransaction

from .models import (
    ApiRevocation,
    DeliveryMode,
    DiscussionTopic,
    MarketplaceMapping,
    ReasonCode,
    Seller,
    ShippingRate,
    StoreSetting,
    Zone,
    ZoneRule,
)

TTL_SECONDS = 30.0
# ApiRevocation: the API's list of refused tokens (token_revocations), kept a few seconds only.
# MarketplaceMapping, DiscussionTopic, ReasonCode: the back office's mappings (marketplace/mappings.py).
WATCHED = (Zone, ZoneRule, DeliveryMode, ShippingRate, Seller, StoreSetting, ApiRevocation,
           MarketplaceMapping, DiscussionTopic, ReasonCode)
_WATCHED_TABLES = frozenset(model.__table__.name for model in WATCHED)
_CHANGED = "storefront.reference_changed"

T = TypeVar("T")


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[object, tuple[float, object]] = {}
        self.ttl = TTL_SECONDS


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


def set_ttl(engine: Engine, seconds: float) -> None:
    """How many seconds copies of ``engine``'s data are kept (the app's REFERENCE_CACHE_SECONDS)."""
    _store(engine).ttl = max(float(seconds), 0.0)


def cached(
    session: Session, key: object, load: Callable[[Session], T], ttl: float | None = None
) -> T:
    """The value of ``key`` for the session's database, from ``load(session)`` when absent or
    older than ``ttl`` seconds (the engine's :func:`set_ttl` by default). ``load`` must return an
    immutable snapshot."""
    store = _store(_engine_of(session))
    ttl = store.ttl if ttl is None else ttl
    now = time.monotonic()
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


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, flush_context: UOWTransaction) -> None:
    if session.info.get(_CHANGED):
        return
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, WATCHED):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        clear(_engine_of(session))


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
