"""carts: lines, delivery choices and checkout progress

Revision ID: ad8ec92f684a
Revises: 40aeb6f2f5d9, 6832471bac50, c3786aecfab9
Create Date: 2026-11-27 04:53:12.128359

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ad8ec92f684a'
# A merge point of the branches that existed when carts were added (address book, outbox,
# listing): one head again for `flask db upgrade`.
down_revision = ('40aeb6f2f5d9', '6832471bac50', 'c3786aecfab9')
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cart',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ship_name', sa.String(length=120), nullable=False),
    sa.Column('ship_line1', sa.String(length=200), nullable=False),
    sa.Column('ship_line2', sa.String(length=200), nullable=False),
    sa.Column('ship_postal_code', sa.String(length=10), nullable=False),
    sa.Column('ship_city', sa.String(length=80), nullable=False),
    sa.Column('ship_country', sa.String(length=2), nullable=False),
    sa.Column('ship_phone', sa.String(length=30), nullable=False),
    sa.Column('payment_method', sa.String(length=30), nullable=False),
    sa.Column('payment_token', sa.String(length=200), nullable=False),
    sa.Column('payment_label', sa.String(length=80), nullable=False),
    sa.Column('payment_reference', sa.String(length=80), nullable=False),
    sa.Column('payment_key', sa.String(length=64), nullable=False),
    sa.Column('payment_amount', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('payment_amount IS NULL OR payment_amount >= 0', name=op.f('ck_cart_payment_amount_positive')),
    sa.CheckConstraint('user_id IS NOT NULL OR token IS NOT NULL', name=op.f('ck_cart_has_owner')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_cart_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart')),
    sa.UniqueConstraint('token', name=op.f('uq_cart_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_cart_user_id'))
    )
    op.create_table('cart_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('shipper_id', sa.Integer(), nullable=False),
    sa.Column('mode_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cart_id'], ['cart.id'], name=op.f('fk_cart_delivery_cart_id_cart'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mode_id'], ['delivery_mode.id'], name=op.f('fk_cart_delivery_mode_id_delivery_mode')),
    sa.ForeignKeyConstraint(['shipper_id'], ['seller.id'], name=op.f('fk_cart_delivery_shipper_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_delivery')),
    sa.UniqueConstraint('cart_id', 'shipper_id', name=op.f('uq_cart_delivery_cart_id_shipper_id'))
    )
    with op.batch_alter_table('cart_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_delivery_cart_id'), ['cart_id'], unique=False)

    op.create_table('cart_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price_seen', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price_seen >= 0', name=op.f('ck_cart_line_price_seen_positive')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_cart_line_quantity_positive')),
    sa.ForeignKeyConstraint(['cart_id'], ['cart.id'], name=op.f('fk_cart_line_cart_id_cart'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_cart_line_offer_id_offer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_line')),
    sa.UniqueConstraint('cart_id', 'offer_id', name=op.f('uq_cart_line_cart_id_offer_id'))
    )
    with op.batch_alter_table('cart_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_line_cart_id'), ['cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_line_offer_id'), ['offer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cart_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_line_offer_id'))
        batch_op.drop_index(batch_op.f('ix_cart_line_cart_id'))

    op.drop_table('cart_line')
    with op.batch_alter_table('cart_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_delivery_cart_id'))

    op.drop_table('cart_delivery')
    op.drop_table('cart')
