"""Operator staff roles (existing operator accounts become admins) and the back office's audit log

Revision ID: 76b361a9fa3d
Revises: b3f8d2e6a1c4
Create Date: 2026-12-02 18:51:25.443452

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '76b361a9fa3d'
down_revision = 'b3f8d2e6a1c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('operator_audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_kind', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.String(length=255), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_operator_audit_entry_actor_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_audit_entry'))
    )
    with op.batch_alter_table('operator_audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index('ix_operator_audit_entry_actor', ['actor_id', 'created_at'], unique=False)
        batch_op.create_index('ix_operator_audit_entry_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_operator_audit_entry_target', ['target_kind', 'target_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operator_role', sa.Enum('ADMIN', 'CATALOG', 'SUPPORT', 'FINANCE', name='operatorrole', native_enum=False, length=10), nullable=True))
    op.execute("UPDATE user_account SET operator_role = 'ADMIN' WHERE role = 'OPERATOR'")



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('operator_role')

    with op.batch_alter_table('operator_audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_operator_audit_entry_target')
        batch_op.drop_index('ix_operator_audit_entry_created')
        batch_op.drop_index('ix_operator_audit_entry_actor')
        batch_op.drop_index(batch_op.f('ix_operator_audit_entry_action'))

    op.drop_table('operator_audit_entry')
