"""Rate-limit counters in the shop's own database: a storage backend for the `limits` library
that Flask-Limiter (``storefront.extensions.limiter``) and the log-in throttle count with.

Why: Flask-Limiter's ``memory://`` keeps its counts in each process, so "10 per minute" behind
gunicorn's N workers is really 10 × N, and every restart forgets them. Redis (``REDIS_URL``)
shares them; a shop without Redis shares them through its database instead: a SQLite file is
shared by the workers of its one machine, PostgreSQL by every machine. ``RATELIMIT_STORAGE``
picks the store (:func:`storage_uri`); ``memory`` is for a one-process development server only
and production refuses it (storefront/settings.py).

How: one row per window of a limit (``rate_limit_counter``: key, hits, expires_at). A hit is one
``INSERT … ON CONFLICT (key) DO UPDATE … RETURNING hits`` in a transaction of its own: atomic on
PostgreSQL (the conflicting row is locked) and on SQLite (one writer at a time), whatever the
number of processes, and committed whether or not the request that counted it succeeds. An
expired row counts as zero and is restarted by the next hit; :func:`purge_expired` deletes the
ones nobody reuses (a periodic job's housekeeping).

Only the fixed-window strategy is supported (``RATELIMIT_STRATEGY=fixed-window``, Flask-Limiter's
default), which needs ``incr``, ``get`` and ``get_expiry``. Limits are checked only on the views
that declare one (log-in, forms, payment): catalog pages never touch this table.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime

from flask import Flask, has_app_context
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from storefront.marketplace.models.rate_limits import RateLimitCounter

SCHEME = "storefront-db"

_counters = RateLimitCounter.__table__
_KEY_LENGTH = 255


def init_app(app: Flask) -> None:
    """Bind ``storefront.extensions.limiter`` to ``app`` with the store ``RATELIMIT_STORAGE``
    names (an explicit ``RATELIMIT_STORAGE_URI`` in the configuration wins)."""
    from storefront.extensions import db, limiter

    storage = app.config.get("RATELIMIT_STORAGE", "memory")
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", storage_uri(storage, app.config.get("REDIS_URL"))
    )
    # Flask-Limiter merges the storage options of every init_app into one dict: an engine left
    # by an earlier application (tests build several) must not reach Redis's constructor.
    limiter._storage_options.pop("engine", None)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(f"{SCHEME}:"):
        with app.app_context():
            own_engine = db.engine

        def engine() -> Engine:
            # The engine of the application serving the request (tests build several on
            # different databases); this application's outside any (limiter.reset()).
            return db.engine if has_app_context() else own_engine

        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"engine": engine})
    # The database storage implements the fixed window only (Flask-Limiter's default).
    app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window")
    limiter.init_app(app)
    # We set no shop-wide limits: limits are on the views that need them (login, forms, API),
    # whose decorators check them. Flask-Limiter still runs a before-request check on every
    # request, which costs catalog pages a noticeable share of their time; drop it.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)


def storage_uri(storage: str, redis_url: str | None) -> str:
    """Flask-Limiter's ``RATELIMIT_STORAGE_URI`` for ``RATELIMIT_STORAGE`` (settings checked
    the combination)."""
    if storage == "redis":
        return redis_url
    if storage == "memory":
        return "memory://"
    return f"{SCHEME}://"


class DatabaseStorage(Storage):
    """Counters in ``rate_limit_counter``, through ``engine``: an :class:`Engine`, or a function
    that returns one (the current application's, looked up at each use)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Engine | Callable[[], Engine] | None = None,
        **options,
    ):
        if engine is None:
            raise ConfigurationError(f"{SCHEME}:// needs the database: storage option engine=")
        self._engine = engine
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def engine(self) -> Engine:
        return self._engine if isinstance(self._engine, Engine) else self._engine()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to the window of ``key`` and return its hits; a window that has
        expired (or none yet) starts again, for ``expiry`` seconds."""
        now = time.time()
        engine = self.engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(_counters).values(
            key=_stored(key), hits=amount, expires_at=now + expiry
        )
        expired = _counters.c.expires_at <= now
        upsert = insert.on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                "hits": case(
                    (expired, insert.excluded.hits), else_=_counters.c.hits + insert.excluded.hits
                ),
                "expires_at": case(
                    (expired, insert.excluded.expires_at), else_=_counters.c.expires_at
                ),
            },
        ).returning(_counters.c.hits)
        with engine.begin() as conn:
            return conn.execute(upsert).scalar_one()

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            hits = conn.scalar(
                select(_counters.c.hits).where(
                    _counters.c.key == _stored(key), _counters.c.expires_at > time.time()
                )
            )
        return hits or 0

    def get_expiry(self, key: str) -> float:
        """When the window of ``key`` ends (Unix seconds); now when there is none."""
        now = time.time()
        with self.engine.connect() as conn:
            expires_at = conn.scalar(
                select(_counters.c.expires_at).where(
                    _counters.c.key == _stored(key), _counters.c.expires_at > now
                )
            )
        return expires_at or now

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every count (``limiter.reset()``); returns how many windows there were."""
        with self.engine.begin() as conn:
            return conn.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_counters).where(_counters.c.key == _stored(key)))


def purge_expired(session_or_engine: Session | scoped_session | Engine, now: datetime | float | None = None) -> int:
    """Delete the windows that ended at ``now`` (default: the current time) and return how many.

    Housekeeping for a periodic job: an expired row already counts as zero, but a key that is
    never hit again (an address that came once) would stay forever. Commits its own
    transaction (a :class:`Session` is committed)."""
    if now is None:
        cutoff = time.time()
    elif isinstance(now, datetime):
        cutoff = now.timestamp()  # a naive datetime is taken as local time, as timestamp() does
    else:
        cutoff = float(now)
    statement = delete(_counters).where(_counters.c.expires_at <= cutoff)
    if isinstance(session_or_engine, Engine):
        with session_or_engine.begin() as conn:
            return conn.execute(statement).rowcount
    deleted = session_or_engine.execute(statement).rowcount  # a Session, or a scoped one
    session_or_engine.commit()
    return deleted


def _stored(key: str) -> str:
    """``key`` as stored: a key longer than the column (a long endpoint and an IPv6 address) keeps
    its start, for whoever reads the table, and ends with a digest of the whole, to stay unique."""
    if len(key) <= _KEY_LENGTH:
        return key
    return key[: _KEY_LENGTH - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()
