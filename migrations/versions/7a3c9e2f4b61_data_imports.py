"""data_import, data_import_error, import_column_mapping: offer imports (and later product,
category and status imports): the record of each file, its refused rows, each seller's headers

Revision ID: 7a3c9e2f4b61
Revises: 9c4e1a7b3d20
Create Date: 2026-12-03 13:18:14.947519

"""
import sqlalchemy as sa
from alembic import op

revision = '7a3c9e2f4b61'
down_revision = '9c4e1a7b3d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_column_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('OFFERS', 'PRODUCTS', 'CATEGORIES', 'STATUSES', name='importkind', native_enum=False, length=12), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_import_column_mapping_seller_id_seller'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_column_mapping'))
    )
    op.create_index('ix_import_column_mapping_seller_kind', 'import_column_mapping', ['seller_id', 'kind'], unique=True)

    op.create_table('data_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('OFFERS', 'PRODUCTS', 'CATEGORIES', 'STATUSES', name='importkind', native_enum=False, length=12), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.Enum('UPLOAD', 'API', 'FEED', 'CLI', name='importsource', native_enum=False, length=8), nullable=False),
    sa.Column('mode', sa.Enum('NORMAL', 'REPLACE', name='importmode', native_enum=False, length=8), nullable=False),
    sa.Column('status', sa.Enum('QUEUED', 'RUNNING', 'COMPLETE', 'FAILED', name='importstatus', native_enum=False), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('stored_path', sa.String(length=500), nullable=False),
    sa.Column('file_hash', sa.String(length=64), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('deactivated_count', sa.Integer(), nullable=False),
    sa.Column('refused_count', sa.Integer(), nullable=False),
    sa.Column('warning_count', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('error_code', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_data_import_seller_id_seller'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_data_import_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_import'))
    )
    op.create_index('ix_data_import_file', 'data_import', ['kind', 'seller_id', 'file_hash'], unique=False)
    op.create_index('ix_data_import_seller_created', 'data_import', ['seller_id', 'created_at'], unique=False)
    op.create_index('ix_data_import_status', 'data_import', ['status'], unique=False)
    op.create_index('ix_data_import_user_id', 'data_import', ['user_id'], unique=False)

    op.create_table('data_import_error',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('level', sa.Enum('ERROR', 'WARNING', name='importlevel', native_enum=False, length=8), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['data_import.id'], name=op.f('fk_data_import_error_import_id_data_import'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_import_error'))
    )
    op.create_index('ix_data_import_error_import_line', 'data_import_error', ['import_id', 'line'], unique=False)



def downgrade():
    op.drop_index('ix_data_import_error_import_line', table_name='data_import_error')

    op.drop_table('data_import_error')
    op.drop_index('ix_data_import_user_id', table_name='data_import')
    op.drop_index('ix_data_import_status', table_name='data_import')
    op.drop_index('ix_data_import_seller_created', table_name='data_import')
    op.drop_index('ix_data_import_file', table_name='data_import')

    op.drop_table('data_import')
    op.drop_index('ix_import_column_mapping_seller_kind', table_name='import_column_mapping')

    op.drop_table('import_column_mapping')
