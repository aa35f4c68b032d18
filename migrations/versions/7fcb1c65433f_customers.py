"""Blocked customer accounts (customer_block): customer service keeps a customer out of the shop;
messages indexed by date for the back office's home

Revision ID: 7fcb1c65433f
Revises: 6bdafb80f1ac
Create Date: 2026-12-03 06:21:50.502261

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7fcb1c65433f'
down_revision = "6bdafb80f1ac"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['blocked_by_id'], ['user_account.id'], name=op.f('fk_customer_block_blocked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_customer_block_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_block')),
    sa.UniqueConstraint('user_id', name=op.f('uq_customer_block_user_id'))
    )
    # The back office's home reads the messages of a period (marketplace_stats).
    op.create_index(op.f('ix_message_created_at'), 'message', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_message_created_at'), table_name='message')
    op.drop_table('customer_block')
