"""parcels: what a seller hands to a carrier for a seller order, and the units in each

Revision ID: e2000aabf736
Revises: ad8ec92f684a
Create Date: 2026-11-27 04:57:27.374674

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2000aabf736'
down_revision = 'ad8ec92f684a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parcel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=60), nullable=False),
    sa.Column('shipped_on', sa.Date(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor_role', sa.Enum('CUSTOMER', 'SELLER', 'OPERATOR', 'SYSTEM', name='actorrole', native_enum=False, length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_parcel_actor_id_user_account')),
    sa.ForeignKeyConstraint(['carrier_id'], ['carrier.id'], name=op.f('fk_parcel_carrier_id_carrier')),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_order.id'], name=op.f('fk_parcel_seller_order_id_seller_order')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipment.id'], name=op.f('fk_parcel_shipment_id_shipment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parcel')),
    sa.UniqueConstraint('seller_order_id', 'carrier_id', 'tracking_number', name=op.f('uq_parcel_seller_order_id_carrier_id_tracking_number'))
    )
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_seller_order_id'), ['seller_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcel_shipment_id'), ['shipment_id'], unique=False)

    op.create_table('parcel_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_parcel_item_quantity_positive')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_parcel_item_order_line_id_order_line')),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcel.id'], name=op.f('fk_parcel_item_parcel_id_parcel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parcel_item')),
    sa.UniqueConstraint('parcel_id', 'order_line_id', name=op.f('uq_parcel_item_parcel_id_order_line_id'))
    )
    with op.batch_alter_table('parcel_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_item_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcel_item_parcel_id'), ['parcel_id'], unique=False)


def downgrade():
    with op.batch_alter_table('parcel_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_item_parcel_id'))
        batch_op.drop_index(batch_op.f('ix_parcel_item_order_line_id'))

    op.drop_table('parcel_item')
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_parcel_seller_order_id'))

    op.drop_table('parcel')
