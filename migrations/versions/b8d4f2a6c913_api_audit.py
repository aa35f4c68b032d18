"""API audit (api_audit_entry): every successful write through the API, for the operator

Revision ID: b8d4f2a6c913
Revises: a7c3e1f05b92
Create Date: 2026-12-02 16:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c913'
down_revision = 'a7c3e1f05b92'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('object_kind', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('change', sa.JSON(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['seller_id'], ['seller.id'], name=op.f('fk_api_audit_entry_seller_id_seller')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_audit_entry'))
    )
    with op.batch_alter_table('api_audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_audit_entry_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_audit_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_audit_entry_object'), ['object_kind', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_audit_entry_seller_id'), ['seller_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_audit_entry_seller_id'))
        batch_op.drop_index(batch_op.f('ix_api_audit_entry_object'))
        batch_op.drop_index(batch_op.f('ix_api_audit_entry_created_at'))
        batch_op.drop_index(batch_op.f('ix_api_audit_entry_client_id'))
    op.drop_table('api_audit_entry')
