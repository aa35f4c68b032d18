"""outbox records what to send (template, context); the worker renders it (rendered_at)

Revision ID: f1a0c2d3e4b5
Revises: e2000aabf736
Create Date: 2026-12-02 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1a0c2d3e4b5'
down_revision = 'e2000aabf736'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('context', sa.Text(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=True))
    # Messages written before this revision were rendered when they were written.
    op.execute("UPDATE outbox_message SET rendered_at = created_at")


def downgrade():
    # Messages not rendered yet have no subject or body to keep: render them before downgrading.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('rendered_at')
        batch_op.drop_column('context')
        batch_op.drop_column('template')
