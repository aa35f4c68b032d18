"""Catalog in the back office: a product can be withdrawn (``product.active``, every existing
product stays on sale), and an uploaded image keeps a thumbnail beside its display size.

Revision ID: 6bdafb80f1ac
Revises: 76b361a9fa3d
Create Date: 2026-12-03 06:21:21.196388

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bdafb80f1ac'
down_revision = '76b361a9fa3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index(batch_op.f('ix_product_active'), ['active'], unique=False)

    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thumbnail_url', sa.String(length=400), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('product_image', schema=None) as batch_op:
        batch_op.drop_column('thumbnail_url')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_active'))
        batch_op.drop_column('active')
