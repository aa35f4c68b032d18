"""reference_generation: one row counting the commits that changed reference data, so every
process drops its cached copy within REFERENCE_CHECK_SECONDS of a back-office change

Revision ID: 5e2b7c9d1a04
Revises: c4336d35862a
Create Date: 2026-12-03 08:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "5e2b7c9d1a04"
down_revision = "c4336d35862a"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "reference_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])


def downgrade():
    op.drop_table("reference_generation")
