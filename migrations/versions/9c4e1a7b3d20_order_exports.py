"""order exports: each seller's scheduled push (format, drop folder, cursor) and the seller
orders' updated_at filled and indexed, since exports select "changed since" by it

Revision ID: 9c4e1a7b3d20
Revises: 5e2b7c9d1a04
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "9c4e1a7b3d20"
down_revision = "5e2b7c9d1a04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order_export_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("format", sa.Enum("CSV", "XLSX", "JSONL", name="exportformat", native_enum=False,
                                    length=10), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("cursor_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor_id", sa.Integer(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["seller.id"],
                                name=op.f("fk_order_export_setting_seller_id_seller")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_export_setting")),
        sa.UniqueConstraint("seller_id", name=op.f("uq_order_export_setting_seller_id")),
    )
    # Orders placed before the services set updated_at at creation: their change is their birth.
    op.execute("UPDATE seller_order SET updated_at = created_at WHERE updated_at IS NULL")
    op.create_index("ix_seller_order_seller_updated", "seller_order", ["seller_id", "updated_at", "id"])
    op.create_index("ix_seller_order_updated", "seller_order", ["updated_at", "id"])


def downgrade():
    op.drop_index("ix_seller_order_updated", table_name="seller_order")
    op.drop_index("ix_seller_order_seller_updated", table_name="seller_order")
    op.drop_table("order_export_setting")
