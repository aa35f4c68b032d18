"""billing_period, statement, statement_entry, billing_document, document_counter: billing cycles,
the sellers' statements of a period and the commission invoices and credit notes issued with them
(numbers without gaps per series and year)

Revision ID: 288227a17e1a
Revises: c3f8a2d61e90
Create Date: 2026-12-03 16:42:20.479917

"""
import sqlalchemy as sa
from alembic import op

revision = '288227a17e1a'
down_revision = 'c3f8a2d61e90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Enum('MONTHLY', 'TWICE_MONTHLY', name='billingcycle', native_enum=False, length=16), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('OPEN', 'CLOSED', name='periodstate', native_enum=False, length=8), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_billing_period_period_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_period')),
    sa.UniqueConstraint('ends_at', name=op.f('uq_billing_period_ends_at')),
    sa.UniqueConstraint('starts_at', name=op.f('uq_billing_period_starts_at'))
    )
    with op.batch_alter_table('billing_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_period_state'), ['state'], unique=False)

    op.create_table('document_counter',
    sa.Column('series', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year', name=op.f('pk_document_counter'))
    )
    op.create_table('statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('opening_balance', sa.Integer(), nullable=False),
    sa.Column('sales', sa.Integer(), nullable=False),
    sa.Column('shipping', sa.Integer(), nullable=False),
    sa.Column('refunds', sa.Integer(), nullable=False),
    sa.Column('commissions', sa.Integer(), nullable=False),
    sa.Column('commission_refunds', sa.Integer(), nullable=False),
    sa.Column('adjustments', sa.Integer(), nullable=False),
    sa.Column('payouts', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('payable', sa.Integer(), nullable=False),
    sa.Column('carried_forward', sa.Integer(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('opening_balance <= 0', name=op.f('ck_statement_opening_carried')),
    sa.CheckConstraint('payable >= 0 AND carried_forward <= 0', name=op.f('ck_statement_payable_or_carried')),
    sa.ForeignKeyConstraint(['period_id'], ['billing_period.id'], name=op.f('fk_statement_period_id_billing_period')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_statement_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement')),
    sa.UniqueConstraint('period_id', 'seller_id', name='uq_statement_period_seller')
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index('ix_statement_seller_period', ['seller_id', 'period_id'], unique=False)

    op.create_table('billing_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('COMMISSION_INVOICE', 'CREDIT_NOTE', name='billingdocumentkind', native_enum=False, length=20), nullable=False),
    sa.Column('series', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('issuer', sa.JSON(), nullable=False),
    sa.Column('recipient', sa.JSON(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('total_ht', sa.Integer(), nullable=False),
    sa.Column('vat_rate_bp', sa.Integer(), nullable=False),
    sa.Column('vat', sa.Integer(), nullable=False),
    sa.Column('total_ttc', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('total_ht > 0 AND vat >= 0 AND total_ttc = total_ht + vat', name=op.f('ck_billing_document_totals')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_billing_document_seller_id_seller')),
    sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_billing_document_statement_id_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_document')),
    sa.UniqueConstraint('number', name=op.f('uq_billing_document_number')),
    sa.UniqueConstraint('series', 'year', 'sequence', name='uq_billing_document_sequence'),
    sa.UniqueConstraint('statement_id', 'kind', name='uq_billing_document_statement_kind')
    )
    with op.batch_alter_table('billing_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_document_seller_id'), ['seller_id'], unique=False)

    op.create_table('statement_entry',
    sa.Column('ledger_entry_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entry.id'], name=op.f('fk_statement_entry_ledger_entry_id_ledger_entry')),
    sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_statement_entry_statement_id_statement')),
    sa.PrimaryKeyConstraint('ledger_entry_id', name=op.f('pk_statement_entry'))
    )
    with op.batch_alter_table('statement_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_entry_statement_id'), ['statement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('statement_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_entry_statement_id'))

    op.drop_table('statement_entry')
    with op.batch_alter_table('billing_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_document_seller_id'))

    op.drop_table('billing_document')
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_seller_period')

    op.drop_table('statement')
    op.drop_table('document_counter')
    with op.batch_alter_table('billing_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_period_state'))

    op.drop_table('billing_period')
