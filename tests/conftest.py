"""Fixtures built from the app factory.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` points there
(``.ci/run`` does both). The schema is created once per run; each test starts from empty tables
(and rate limits that count from zero), whatever ran before it: tests run in a random order.
``make test`` runs them in parallel (pytest-xdist): each worker has its own SQLite file, or its
own PostgreSQL database beside ``TEST_DATABASE_URL``'s (``test_gw0``, ``test_gw1``…).
"""

from __future__ import annotations

import contextvars
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from storefront import PROJECT_ROOT, create_app
from storefront.extensions import db, limiter
from storefront.marketplace import reference_cache
from storefront.marketplace.models import Base
from storefront.settings import database_url


def _database_of_this_worker(url: str) -> str:
    """``url`` itself, or under pytest-xdist a PostgreSQL database of this worker's own (made
    if missing), so that workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("TEST_DATABASE_URL", ""))
POSTGRES = bool(TEST_DATABASE_URL) and make_url(database_url(TEST_DATABASE_URL)).get_backend_name() == "postgresql"


@contextmanager
def postgres_scratch_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside TEST_DATABASE_URL's (``<name>_<purpose>_<hex>``),
    dropped afterwards."""
    base = make_url(database_url(TEST_DATABASE_URL))
    name = f"{base.database}_{purpose}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(folder: Path, purpose: str) -> Iterator[str]:
    """A database of the test's own, of the run's kind: a new SQLite file in ``folder``, or a
    scratch PostgreSQL database."""
    if POSTGRES:
        with postgres_scratch_database(purpose) as url:
            yield url
    else:
        yield f"sqlite:///{folder / f'{purpose}.db'}"


@pytest.fixture
def fresh_rate_limits(app):
    """Rate limits counted from zero at the start of the test too (tests that log in a lot). In
    the test app's context: outside any, the limiter counts in the database of the last
    application built, which another test may have built on a database gone since."""
    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        limiter.reset()


@pytest.fixture
def job_queue_back_to_test_app(app):
    """``create_app`` binds the job queue to the app it builds: give it back to the test app."""
    from storefront import jobs

    yield
    jobs.init_app(app)


def make_test_environ(tmp_path_factory, **extra) -> dict[str, str]:
    instance = tmp_path_factory.mktemp("instance")
    environ = {
        "STOREFRONT_ENV": "testing",
        "STOREFRONT_INSTANCE": str(instance),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": TEST_DATABASE_URL or f"sqlite:///{instance / 'test.db'}",
        # Nothing listens there: emails committed by tests stay in the outbox unless a test starts
        # its own SMTP server (tests/email_fixtures.py), and never reach a developer's capture.
        "MAIL_URL": "smtp://127.0.0.1:9",
        # The API's revocation list is read once per interval, whatever the traffic: not within
        # a test that counts queries (tests/api/test_token_revocation.py sets its own).
        "API_REVOCATION_REFRESH_SECONDS": "300",
    }
    environ.update(extra)
    return environ


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app for the run, its schema built by the migrations (as production builds it)."""
    app = create_app(make_test_environ(tmp_path_factory), WTF_CSRF_ENABLED=True)
    # Every client of the test app, the ``client`` fixture's or a test's own second visitor,
    # whichever test runs first.
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        _drop_schema()
        upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="heads")
        # The migrations insert the reference rows the code relies on (reason codes…); tests
        # start from empty tables all the same, the first one as every other.
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        _drop_schema()
        db.engine.dispose()


def _drop_schema() -> None:
    engine = db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            conn.execute(text("DROP TABLE IF EXISTS product_fts"))
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def another_app(app, tmp_path_factory):
    """``another_app(environ={...}, **config)``: an application of its own settings on the test
    database (a theme, a frozen clock, another time zone); disposed afterwards."""
    made = []

    def make(environ: dict | None = None, **config):
        settings = make_test_environ(
            tmp_path_factory, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], **(environ or {})
        )
        other = create_app(settings, **config)
        other.test_client_class = RequestIsolatingClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app_context(app):
    with app.app_context() as ctx:
        yield ctx
        db.session.remove()
        _empty_tables()
        # The rate limits count in memory for the whole run; in a random order, tests that sign
        # in would add up to a limit that no single test reaches.
        limiter.reset()


@pytest.fixture
def session(app_context):
    """A database session for service tests (the same one the web layer uses)."""
    return db.session


class RequestIsolatingClient(FlaskClient):
    """Each request runs in a fresh context, as in production.

    Tests keep an app context pushed for their own database work; without this, requests would
    reuse it, and anything cached on ``g`` (the locale, the logged-in user) would leak from one
    request to the next.
    """

    def open(self, *args, **kwargs):
        # Buffered: a streamed body (stream_with_context, the order exports) is read inside the
        # request's own context, as the server reads it, not after it in another one.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, app_context):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _empty_tables() -> None:
    engine = db.engine
    existing = set(inspect(engine).get_table_names())  # a model without its migration yet
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # TRUNCATE of every table costs ~0.3 s (new files for each table and index), more than
            # most tests: only the tables a test wrote to are emptied, rows deleted children
            # first, and their ids start again from 1 as on a new database.
            written = _tables_with_rows(conn, tables)
            for table in tables:
                if table.name in written:
                    conn.execute(table.delete())
            sequences = [seq for table, seq in _owned_sequences(conn) if table in written]
            if sequences:
                conn.execute(text("SELECT setval(CAST(s AS regclass), 1, false) FROM unnest(CAST(:s AS text[])) s"),
                             {"s": sequences})
        else:
            for table in tables:
                conn.execute(table.delete())
    # Emptied behind the ORM's back: what the processes keep in memory must go too.
    reference_cache.clear(engine)


def _tables_with_rows(conn, tables) -> set[str]:
    """The names of the tables holding a row, in one statement (an index-free peek at each)."""
    peeks = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    return set(conn.scalars(text(peeks))) if peeks else set()


def _owned_sequences(conn) -> list[tuple[str, str]]:
    """(table, sequence) of every id column's sequence (serial or identity) in the schema."""
    return conn.execute(text(
        "SELECT t.relname, quote_ident(n.nspname) || '.' || quote_ident(s.relname) FROM pg_class s "
        "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = s.relnamespace "
        "WHERE s.relkind = 'S' AND n.nspname = 'public'")).all()


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# The mini shop (tests/shop_fixtures.py) is used by the catalog tests of every layer.
from tests.shop_fixtures import mini_shop  # noqa: E402,F401
