"""Catalog in the back office: a product can be withdrawn (``product.active``, every existing
product stays on sale), and an uploaded image keeps a thumbnail beside its display size.

Revision ID: 6bdafb80f1ac
Revises: 23203272a4a2
Create Date: 2026-12-03 06:21:21.196388

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bdafb80f1ac'
down_revision = "23203272a4a2"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ADD COLUMN, not a batch: on SQLite a batch would copy the product table
    # and lose the triggers that keep its full-text index (product_fts) in step.
    op.add_column('product', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_index(op.f('ix_product_active'), 'product', ['active'], unique=False)
    op.add_column('product_image', sa.Column('thumbnail_url', sa.String(length=400), server_default='', nullable=False))


def downgrade():
    op.drop_column('product_image', 'thumbnail_url')
    op.drop_index(op.f('ix_product_active'), table_name='product')
    op.drop_column('product', 'active')  # ALTER TABLE DROP COLUMN: the full-text triggers stay
