"""statement.commission_vat: the VAT of the period's commission invoice (−) and credit note (+),
written to the seller's ledger with the documents (ledger kind COMMISSION_VAT, a plain string)

Revision ID: d4a7e2c9b150
Revises: 288227a17e1a
Create Date: 2026-12-03 17:25:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd4a7e2c9b150'
down_revision = '288227a17e1a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statement') as batch_op:
        batch_op.add_column(sa.Column('commission_vat', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('statement') as batch_op:
        batch_op.drop_column('commission_vat')
