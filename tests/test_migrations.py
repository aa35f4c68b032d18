"""Migrations build the schema from empty, match the models, and come back down."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from storefront import PROJECT_ROOT, create_app
from storefront.database import include_in_migrations
from storefront.extensions import db
from tests.conftest import scratch_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")


pytestmark = pytest.mark.usefixtures("job_queue_back_to_test_app")


@pytest.fixture
def empty_database(tmp_path):
    """A database of its own: a new SQLite file, or a scratch PostgreSQL database."""
    with scratch_database(tmp_path, "migrations") as url:
        yield url


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
