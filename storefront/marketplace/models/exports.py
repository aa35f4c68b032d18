"""Order exports pushed to sellers: each seller's schedule, drop folder and how far it got."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .sellers import Seller


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"


class OrderExportSetting(Base):
    """A seller's scheduled push of its new and changed orders into a drop folder.

    ``cursor_at``/``cursor_id`` are the (updated_at, id) of the last seller order a push wrote:
    the next push starts right after it, so an order changed while a push ran is in the next
    one (a cursor of "now" would skip it)."""

    __tablename__ = "order_export_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    format: Mapped[ExportFormat] = mapped_column(
        Enum(ExportFormat, native_enum=False, length=10), default=ExportFormat.CSV
    )
    # Relative to EXPORT_DROP_ROOT/<seller code>/ ("" = that folder itself).
    folder: Mapped[str] = mapped_column(String(200), default="")
    cursor_at: Mapped[datetime | None]
    cursor_id: Mapped[int | None]
    last_run_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    seller: Mapped[Seller] = relationship()
