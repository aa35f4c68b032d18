"""offer_feed: sellers' offer files at a URL, fetched on a schedule and imported

Revision ID: b8e2f5c1d9a3
Revises: 7a3c9e2f4b61
Create Date: 2026-12-04 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'b8e2f5c1d9a3'
down_revision = '7a3c9e2f4b61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offer_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('mode', sa.Enum('NORMAL', 'REPLACE', name='importmode', native_enum=False, length=8), nullable=False),
    sa.Column('frequency', sa.Enum('EVERY_15_MINUTES', 'HOURLY', 'DAILY', name='feedfrequency', native_enum=False, length=20), nullable=False),
    sa.Column('daily_minute', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Enum('NEW', 'IMPORTED', 'UNCHANGED', 'FAILED', name='feedstatus', native_enum=False, length=10), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_error_code', sa.String(length=40), nullable=False),
    sa.Column('last_error_details', sa.JSON(), nullable=False),
    sa.Column('last_import_id', sa.Integer(), nullable=True),
    sa.Column('etag', sa.String(length=200), nullable=False),
    sa.Column('last_modified', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['last_import_id'], ['data_import.id'], name=op.f('fk_offer_feed_last_import_id_data_import'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_offer_feed_seller_id_seller'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_feed'))
    )
    op.create_index('ix_offer_feed_seller', 'offer_feed', ['seller_id'], unique=True)
    op.create_index('ix_offer_feed_due', 'offer_feed', ['enabled', 'next_due_at'], unique=False)
    op.create_index('ix_offer_feed_last_import_id', 'offer_feed', ['last_import_id'], unique=False)


def downgrade():
    op.drop_index('ix_offer_feed_last_import_id', table_name='offer_feed')
    op.drop_index('ix_offer_feed_due', table_name='offer_feed')
    op.drop_index('ix_offer_feed_seller', table_name='offer_feed')
    op.drop_table('offer_feed')
