"""Indexes for the API's order lists, newest first: a seller's (seller_id, created_at, id) and
the operator's (created_at, id); without them a page sorted 1,000,000 seller orders (0.5 s)

Revision ID: b3f8d2e6a1c4
Revises: e5b9c2d7a1f4
Create Date: 2026-12-02 16:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3f8d2e6a1c4'
down_revision = 'e5b9c2d7a1f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seller_order', schema=None) as batch_op:
        batch_op.create_index('ix_seller_order_seller_created', ['seller_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_seller_order_created', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('seller_order', schema=None) as batch_op:
        batch_op.drop_index('ix_seller_order_created')
        batch_op.drop_index('ix_seller_order_seller_created')
