"""API revocations (api_revocation): tokens refused before they expire; webhook_subscription's
missing foreign key to api_client

Revision ID: e5b9c2d7a1f4
Revises: b8d4f2a6c913
Create Date: 2026-12-02 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b9c2d7a1f4'
down_revision = 'b8d4f2a6c913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_revocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jti', sa.String(length=255), nullable=True),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(
        '(CASE WHEN jti IS NULL THEN 0 ELSE 1 END) + (CASE WHEN client_id IS NULL THEN 0 ELSE 1 END)'
        ' + (CASE WHEN seller_id IS NULL THEN 0 ELSE 1 END) = 1',
        name=op.f('ck_api_revocation_one_subject')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_api_revocation_seller_id_seller'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_revocation'))
    )
    with op.batch_alter_table('api_revocation', schema=None) as batch_op:
        batch_op.create_index('ix_api_revocation_expires_at', ['expires_at'], unique=False)
    # Shops suspended or closed before this revision: their clients' tokens are refused too.
    op.execute(
        "INSERT INTO api_revocation (seller_id, created_at) "
        "SELECT id, CURRENT_TIMESTAMP FROM seller WHERE state <> 'OPEN'"
    )

    # A subscription naming a client that does not exist would stop the constraint: it names none.
    op.execute(
        "UPDATE webhook_subscription SET api_client_id = NULL WHERE api_client_id IS NOT NULL "
        "AND api_client_id NOT IN (SELECT id FROM api_client)"
    )
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscription_api_client_id'), ['api_client_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_webhook_subscription_api_client_id_api_client'), 'api_client', ['api_client_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('webhook_subscription', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_webhook_subscription_api_client_id_api_client'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_webhook_subscription_api_client_id'))

    with op.batch_alter_table('api_revocation', schema=None) as batch_op:
        batch_op.drop_index('ix_api_revocation_expires_at')
    op.drop_table('api_revocation')
