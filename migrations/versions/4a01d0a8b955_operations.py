"""Operations: the runs of the scheduled jobs (job_run), commission rates valid for a period
(valid_from, valid_to; the unique lookup index becomes one per period), and outbox messages an
operator cancels (status CANCELED: the column is a plain string, nothing to change)

Revision ID: 4a01d0a8b955
Revises: 7fcb1c65433f
Create Date: 2026-12-03 06:22:09.318977

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4a01d0a8b955'
down_revision = "7fcb1c65433f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_name_started', ['name', 'started_at'], unique=False)
        batch_op.create_index('ix_job_run_started', ['started_at'], unique=False)

    # Existing rates held "since always": valid from 2000-01-01, open-ended.
    with op.batch_alter_table('commission_rate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), server_default=sa.text("'2000-01-01'"), nullable=False))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.drop_index('ix_commission_rate_lookup')
        batch_op.create_index('ix_commission_rate_lookup', ['category_id', 'seller_id', 'valid_from'], unique=True)
        batch_op.create_check_constraint('period', 'valid_to IS NULL OR valid_to > valid_from')


def downgrade():
    # Keeps, per scope, the rate in force now or last (the others are history the old schema
    # cannot hold).
    op.execute(
        "DELETE FROM commission_rate WHERE id NOT IN ("
        " SELECT MAX(id) FROM commission_rate GROUP BY category_id, seller_id)"
    )
    with op.batch_alter_table('commission_rate', schema=None) as batch_op:
        batch_op.drop_constraint('period', type_='check')
        batch_op.drop_index('ix_commission_rate_lookup')
        batch_op.create_index('ix_commission_rate_lookup', ['category_id', 'seller_id'], unique=True)
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')

    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_started')
        batch_op.drop_index('ix_job_run_name_started')

    op.drop_table('job_run')
