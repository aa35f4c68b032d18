"""payouts: the operator's block and payment of each statement (statement_payout) and the payout
batches with their SEPA credit transfer file (payout_batch)

Revision ID: a4e9c1f7b352
Revises: b7c41e9a2d63
Create Date: 2026-12-03 19:19:21.862055

"""
import sqlalchemy as sa
from alembic import op

revision = 'a4e9c1f7b352'
down_revision = 'b7c41e9a2d63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payout_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('execution_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('statement_count', sa.Integer(), nullable=False),
    sa.Column('seller_count', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=35), nullable=False),
    sa.Column('debtor', sa.JSON(), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.CheckConstraint('total > 0 AND statement_count > 0', name=op.f('ck_payout_batch_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_payout_batch_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batch'))
    )
    op.create_table('statement_payout',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('block_reason', sa.Enum('DISPUTE', 'KYC', 'OTHER', name='blockreason', native_enum=False, length=10), nullable=True),
    sa.Column('block_note', sa.String(length=200), nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('blocked_by_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batch.id'], name=op.f('fk_statement_payout_batch_id_payout_batch')),
    sa.ForeignKeyConstraint(['blocked_by_id'], ['user_account.id'], name=op.f('fk_statement_payout_blocked_by_id_user_account')),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entry.id'], name=op.f('fk_statement_payout_ledger_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_statement_payout_statement_id_statement')),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_statement_payout'))
    )
    with op.batch_alter_table('statement_payout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_payout_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_payout_ledger_entry_id'), ['ledger_entry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('statement_payout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_payout_ledger_entry_id'))
        batch_op.drop_index(batch_op.f('ix_statement_payout_batch_id'))

    op.drop_table('statement_payout')
    op.drop_table('payout_batch')
