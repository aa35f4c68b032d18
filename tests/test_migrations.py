"""Migrations build the schema from empty, match the models, and come back down."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from storefront import PROJECT_ROOT, create_app, jobs
from storefront.database import include_in_migrations
from storefront.extensions import db
from storefront.settings import database_url
from tests.conftest import TEST_DATABASE_URL

MIGRATIONS = str(PROJECT_ROOT / "migrations")


@pytest.fixture(autouse=True)
def job_queue_stays_with_the_test_app(app):
    """``create_app`` binds the job queue to the app it builds: give it back to the test app."""
    yield
    jobs.init_app(app)


@pytest.fixture
def empty_database(tmp_path):
    """A database of its own: a new SQLite file, or a scratch PostgreSQL database."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(database_url(TEST_DATABASE_URL))
    scratch = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        yield url.set(database=scratch).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_matches_the_models(tmp_path, empty_database):
    app = create_app(
        {"STOREFRONT_ENV": "testing", "STOREFRONT_INSTANCE": str(tmp_path), "DATABASE_URL": empty_database}
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="heads")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_in_migrations}
            )
            assert compare_metadata(context, db.metadata) == []
            tables = set(inspect(conn).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(directory=MIGRATIONS, revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}, "downgrade left tables"
        db.engine.dispose()
