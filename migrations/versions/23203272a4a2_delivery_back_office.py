"""Delivery back office: a delivery mode can be switched off (offered nowhere, kept by the
shipments that chose it). Existing modes stay active.

Revision ID: 23203272a4a2
Revises: 76b361a9fa3d
Create Date: 2026-12-03 06:21:30.575885

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '23203272a4a2'
down_revision = "76b361a9fa3d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delivery_mode', schema=None) as batch_op:
        # sa.true(): TRUE on PostgreSQL, 1 on SQLite.
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('delivery_mode', schema=None) as batch_op:
        batch_op.drop_column('active')
