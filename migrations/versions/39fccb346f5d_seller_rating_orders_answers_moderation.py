"""seller_rating: the rated seller order (once), the seller's public answer, the operator's
moderation (hidden with a reason, by whom, when)

Revision ID: 39fccb346f5d
Revises: 224abf6d1a84
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '39fccb346f5d'
down_revision = "224abf6d1a84"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seller_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seller_order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answer', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_seller_rating_seller_order_id_seller_order'), 'seller_order', ['seller_order_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_seller_rating_hidden_by_id_user_account'), 'user_account', ['hidden_by_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_seller_rating_seller_order_id'), ['seller_order_id'])
        batch_op.create_index('ix_seller_rating_seller_visible', ['seller_id', 'hidden_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('seller_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_seller_rating_seller_visible')
        batch_op.drop_constraint(batch_op.f('uq_seller_rating_seller_order_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_seller_rating_hidden_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_seller_rating_seller_order_id_seller_order'), type_='foreignkey')
        batch_op.drop_column('hidden_by_id')
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answer')
        batch_op.drop_column('seller_order_id')
