"""catalog and category imports: the operator's mapping of product files' categories to the
shop's, the image URLs a product import recorded for the worker, and the count of skipped lines

Revision ID: b7e4c1d9a2f3
Revises: b8e2f5c1d9a3
Create Date: 2026-12-03 14:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7e4c1d9a2f3'
down_revision = 'b8e2f5c1d9a3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('data_import', sa.Column('skipped_count', sa.Integer(), server_default='0', nullable=False))
    op.create_table('import_category_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('included', sa.Boolean(), nullable=False),
    sa.Column('rows_seen', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_import_category_mapping_category_id_category'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_category_mapping')),
    sa.UniqueConstraint('source', name='uq_import_category_mapping_source')
    )
    op.create_index(op.f('ix_import_category_mapping_category_id'), 'import_category_mapping', ['category_id'], unique=False)
    op.create_table('product_image_url',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['data_import.id'], name=op.f('fk_product_image_url_import_id_data_import'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_image_url_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_image_url')),
    sa.UniqueConstraint('product_id', 'url', name='uq_product_image_url_product_url')
    )
    op.create_index(op.f('ix_product_image_url_import_id'), 'product_image_url', ['import_id'], unique=False)
    op.create_index('ix_product_image_url_pending', 'product_image_url', ['fetched_at', 'attempts'], unique=False)


def downgrade():
    op.drop_index('ix_product_image_url_pending', table_name='product_image_url')
    op.drop_index(op.f('ix_product_image_url_import_id'), table_name='product_image_url')
    op.drop_table('product_image_url')
    op.drop_index(op.f('ix_import_category_mapping_category_id'), table_name='import_category_mapping')
    op.drop_table('import_category_mapping')
    with op.batch_alter_table('data_import') as batch:
        batch.drop_column('skipped_count')
