"""customer_credit_note: the credit note to the customer of a seller order whose money went back
after its invoice, issued when the provider made the refund, in the seller's name, numbered per
seller series without gaps

Revision ID: 224abf6d1a84
Revises: a4e9c1f7b352
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '224abf6d1a84'
down_revision = "a4e9c1f7b352"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_credit_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sa.String(length=60), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('customer_order_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('payment_operation_id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('order_number', sa.String(length=24), nullable=False),
    sa.Column('customer_order_number', sa.String(length=20), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('issuer', sa.JSON(), nullable=False),
    sa.Column('on_behalf_of', sa.JSON(), nullable=True),
    sa.Column('customer', sa.JSON(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('total_ht', sa.Integer(), nullable=False),
    sa.Column('vat_rate_bp', sa.Integer(), nullable=False),
    sa.Column('vat', sa.Integer(), nullable=False),
    sa.Column('total_ttc', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('total_ttc = total_ht + vat AND total_ht >= 0 AND vat >= 0', name=op.f('ck_customer_credit_note_totals')),
    sa.ForeignKeyConstraint(['customer_order_id'], ['customer_order.id'], name=op.f('fk_customer_credit_note_customer_order_id_customer_order')),
    sa.ForeignKeyConstraint(['invoice_id'], ['customer_invoice.id'], name=op.f('fk_customer_credit_note_invoice_id_customer_invoice')),
    sa.ForeignKeyConstraint(['payment_operation_id'], ['payment_operation.id'], name=op.f('fk_customer_credit_note_payment_operation_id_payment_operation')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_customer_credit_note_refund_id_refund')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_customer_credit_note_seller_id_seller')),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_order.id'], name=op.f('fk_customer_credit_note_seller_order_id_seller_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_credit_note')),
    sa.UniqueConstraint('number', name=op.f('uq_customer_credit_note_number')),
    sa.UniqueConstraint('payment_operation_id', name=op.f('uq_customer_credit_note_payment_operation_id')),
    sa.UniqueConstraint('series', 'year', 'sequence', name='uq_customer_credit_note_sequence')
    )
    with op.batch_alter_table('customer_credit_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_credit_note_customer_order_id'), ['customer_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_credit_note_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_credit_note_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_credit_note_seller_order_id'), ['seller_order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('customer_credit_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_credit_note_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_customer_credit_note_seller_id'))
        batch_op.drop_index(batch_op.f('ix_customer_credit_note_invoice_id'))
        batch_op.drop_index(batch_op.f('ix_customer_credit_note_customer_order_id'))
    op.drop_table('customer_credit_note')
