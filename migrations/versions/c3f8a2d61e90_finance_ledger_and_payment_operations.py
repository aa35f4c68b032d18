"""payment_operation, ledger_entry: payments follow the order (captures, refunds and voids asked of
the provider, retried while it is unavailable) and the sellers' immutable ledger;
sandbox_authorization, sandbox_call: the sandbox provider's own book

Revision ID: c3f8a2d61e90
Revises: b7e4c1d9a2f3
Create Date: 2026-12-03 16:18:16.355455

"""
import sqlalchemy as sa
from alembic import op

revision = 'c3f8a2d61e90'
down_revision = 'b7e4c1d9a2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sandbox_authorization',
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('captured', sa.Integer(), nullable=False),
    sa.Column('refunded', sa.Integer(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('captured >= 0 AND captured <= amount', name=op.f('ck_sandbox_authorization_captured_range')),
    sa.CheckConstraint('refunded >= 0 AND refunded <= captured', name=op.f('ck_sandbox_authorization_refunded_range')),
    sa.PrimaryKeyConstraint('reference', name=op.f('pk_sandbox_authorization'))
    )
    op.create_table('sandbox_call',
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('idempotency_key', name=op.f('pk_sandbox_call'))
    )
    op.create_table('payment_operation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_order_id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('CAPTURE', 'REFUND', 'VOID', name='paymentoperationkind', native_enum=False, length=10), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'DONE', 'DECLINED', name='paymentoperationstatus', native_enum=False, length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_payment_operation_amount_positive')),
    sa.ForeignKeyConstraint(['customer_order_id'], ['customer_order.id'], name=op.f('fk_payment_operation_customer_order_id_customer_order')),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_payment_operation_refund_id_refund')),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_order.id'], name=op.f('fk_payment_operation_seller_order_id_seller_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_operation')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_operation_idempotency_key'))
    )
    with op.batch_alter_table('payment_operation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_operation_customer_order_id'), ['customer_order_id'], unique=False)
        batch_op.create_index('ix_payment_operation_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_operation_refund_id'), ['refund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_operation_seller_order_id'), ['seller_order_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=True),
    sa.Column('order_line_id', sa.Integer(), nullable=True),
    sa.Column('payment_operation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('CAPTURE', 'REFUND', 'COMMISSION', 'COMMISSION_REFUND', 'SHIPPING_FEE', 'ADJUSTMENT', 'PAYOUT', name='ledgerkind', native_enum=False, length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_ledger_entry_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['payment_operation_id'], ['payment_operation.id'], name=op.f('fk_ledger_entry_payment_operation_id_payment_operation')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_ledger_entry_seller_id_seller')),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_order.id'], name=op.f('fk_ledger_entry_seller_order_id_seller_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entry'))
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entry_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_payment_operation_id'), ['payment_operation_id'], unique=False)
        batch_op.create_index('ix_ledger_entry_seller_created', ['seller_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_seller_order_id'), ['seller_order_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entry_seller_order_id'))
        batch_op.drop_index('ix_ledger_entry_seller_created')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_payment_operation_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_order_line_id'))

    op.drop_table('ledger_entry')
    with op.batch_alter_table('payment_operation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_operation_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_payment_operation_refund_id'))
        batch_op.drop_index('ix_payment_operation_due')
        batch_op.drop_index(batch_op.f('ix_payment_operation_customer_order_id'))

    op.drop_table('payment_operation')
    op.drop_table('sandbox_call')
    op.drop_table('sandbox_authorization')
