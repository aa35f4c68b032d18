"""Engine settings that differ between the embedded SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from storefront.extensions import db


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the worker and the web process read while the other writes; foreign keys are off
    # by default in SQLite; busy_timeout makes a writer wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def include_in_migrations(name, type_, parent_names) -> bool:
    """Alembic's filter: the full-text indexes are created by hand in their migration (SQLite's
    FTS5 tables, PostgreSQL's GIN expression index), not described by models; autogenerate
    must leave them be."""
    if type_ == "table" and name and name.startswith("product_fts"):
        return False
    return not (type_ == "index" and name == "ix_product_search")
