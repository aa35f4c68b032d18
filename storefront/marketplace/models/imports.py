"""Imports: one record per file a seller (or the operator) sends, with its counts, its progress
and the rows it refused. Generic: offers first; products, categories and order statuses reuse it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class ImportKind(enum.StrEnum):
    OFFERS = "OFFERS"
    PRODUCTS = "PRODUCTS"
    CATEGORIES = "CATEGORIES"
    STATUSES = "STATUSES"  # order statuses and tracking


class ImportSource(enum.StrEnum):
    UPLOAD = "UPLOAD"  # the seller portal's form
    API = "API"
    FEED = "FEED"  # a URL fetched on a schedule
    CLI = "CLI"  # ``flask import ...`` (the operator)


class ImportMode(enum.StrEnum):
    NORMAL = "NORMAL"  # create and update the rows given
    REPLACE = "REPLACE"  # also take off sale what the file does not list


class ImportStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class ImportLevel(enum.StrEnum):
    ERROR = "ERROR"  # the row was refused: nothing of it applied
    WARNING = "WARNING"  # applied, with something to check
    SKIPPED = "SKIPPED"  # not applied, by the operator's choice (a source category excluded or not mapped)


class DataImport(Base):
    """One imported file. ``rows_done`` counts the data rows whose batch has committed: a run
    that stopped midway goes on from there, so nothing is applied twice. The same file
    (``file_hash``) sent again by the same seller is this record again (unless it FAILED: then
    it runs again from ``rows_done``)."""

    __tablename__ = "data_import"
    __table_args__ = (
        Index("ix_data_import_file", "kind", "seller_id", "file_hash"),
        Index("ix_data_import_seller_created", "seller_id", "created_at"),
        Index("ix_data_import_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = mapped_column(Enum(ImportKind, native_enum=False, length=12))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    source: Mapped[ImportSource] = mapped_column(Enum(ImportSource, native_enum=False, length=8))
    mode: Mapped[ImportMode] = mapped_column(Enum(ImportMode, native_enum=False, length=8),
                                             default=ImportMode.NORMAL)
    status: Mapped[ImportStatus] = mapped_column(Enum(ImportStatus, native_enum=False, length=8),
                                                 default=ImportStatus.QUEUED)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    stored_path: Mapped[str] = mapped_column(String(500), default="")
    file_hash: Mapped[str] = mapped_column(String(64))  # sha256, hex
    file_size: Mapped[int] = mapped_column(default=0)
    rows_read: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    deactivated_count: Mapped[int] = mapped_column(default=0)
    refused_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0, server_default="0")  # catalog imports
    rows_done: Mapped[int] = mapped_column(default=0)  # data rows whose batch committed
    rows_total: Mapped[int | None]  # counted when the run starts
    error: Mapped[str] = mapped_column(Text, default="")  # a file-level error, in English
    error_code: Mapped[str] = mapped_column(String(40), default="")  # its Refusal code
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Written by the run that holds the import, at its start and after each batch: a RUNNING
    # import whose heartbeat is old lost its worker (killed) and may be taken over.
    heartbeat_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.COMPLETE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == ImportStatus.COMPLETE else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class DataImportError(Base):
    """A refused row (or a warning) of an import: its line in the file, its key (the SKU), the
    field at fault, the refusal code with its details (the page words it in the reader's
    language) and the service's English message."""

    __tablename__ = "data_import_error"
    __table_args__ = (Index("ix_data_import_error_import_line", "import_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("data_import.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(40), default="")
    code: Mapped[str] = mapped_column(String(40), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    message: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[ImportLevel] = mapped_column(Enum(ImportLevel, native_enum=False, length=8),
                                               default=ImportLevel.ERROR)


class ImportColumnMapping(Base):
    """A seller's own headers → the import's fields, kept for its next files of this kind."""

    __tablename__ = "import_column_mapping"
    __table_args__ = (Index("ix_import_column_mapping_seller_kind", "seller_id", "kind", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(Enum(ImportKind, native_enum=False, length=12))
    columns: Mapped[dict] = mapped_column(JSON, default=dict)  # {"their header": "our field"}
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FeedFrequency(enum.StrEnum):
    EVERY_15_MINUTES = "EVERY_15_MINUTES"
    HOURLY = "HOURLY"
    DAILY = "DAILY"  # at ``daily_minute``, shop time


class FeedStatus(enum.StrEnum):
    """How the feed's last fetch went."""

    NEW = "NEW"  # never fetched yet
    IMPORTED = "IMPORTED"  # a new file: an import was recorded
    UNCHANGED = "UNCHANGED"  # the same file as the last import (or 304 Not Modified)
    FAILED = "FAILED"  # see last_error_code


class OfferFeed(Base):
    """A seller's offer file at a URL, fetched on the seller's schedule and imported like an
    upload (``marketplace/offer_feeds.py``). One per seller. ``next_due_at`` is the claim too:
    the fetch moves it forward in one conditional UPDATE before downloading, so two workers never
    fetch one feed at once. ``etag``/``last_modified`` are those of the last file imported (or
    found unchanged), sent back for a conditional GET."""

    __tablename__ = "offer_feed"
    __table_args__ = (
        Index("ix_offer_feed_seller", "seller_id", unique=True),
        Index("ix_offer_feed_due", "enabled", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    mode: Mapped[ImportMode] = mapped_column(Enum(ImportMode, native_enum=False, length=8),
                                             default=ImportMode.NORMAL)
    frequency: Mapped[FeedFrequency] = mapped_column(Enum(FeedFrequency, native_enum=False, length=20),
                                                     default=FeedFrequency.DAILY)
    daily_minute: Mapped[int | None]  # DAILY: minutes after midnight, shop time (6:30 → 390)
    enabled: Mapped[bool] = mapped_column(default=True)
    next_due_at: Mapped[datetime | None]
    last_fetched_at: Mapped[datetime | None]
    last_status: Mapped[FeedStatus] = mapped_column(Enum(FeedStatus, native_enum=False, length=10),
                                                    default=FeedStatus.NEW)
    last_error: Mapped[str] = mapped_column(Text, default="")  # in English, for logs and the operator
    last_error_code: Mapped[str] = mapped_column(String(40), default="")  # its Refusal code
    last_error_details: Mapped[dict] = mapped_column(JSON, default=dict)  # for the sentence
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("data_import.id", ondelete="SET NULL"),
                                                       index=True)
    etag: Mapped[str] = mapped_column(String(200), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
class ImportCategoryMapping(Base):
    """The operator's choice for one category of the product files (their own category code or
    name): the shop category its products go to, or not imported at all. Kept for the next files;
    a source category first seen in a file is recorded unmapped (``category_id`` None), so the
    back office lists it to be mapped."""

    __tablename__ = "import_category_mapping"
    __table_args__ = (UniqueConstraint("source", name="uq_import_category_mapping_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"), index=True)
    included: Mapped[bool] = mapped_column(default=True)
    rows_seen: Mapped[int] = mapped_column(default=0)  # rows of the last file that named it
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    category = relationship("Category")


class ProductImageUrl(Base):
    """An image URL given by a product import, to be fetched by the worker (checked and stored
    through ``product_images``, ``image_fetch``); ``fetched_at`` set once done: stored, or given
    up after its attempts (``error`` then says why)."""

    __tablename__ = "product_image_url"
    __table_args__ = (UniqueConstraint("product_id", "url", name="uq_product_image_url_product_url"),
                      Index("ix_product_image_url_pending", "fetched_at", "attempts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("data_import.id", ondelete="SET NULL"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetched_at: Mapped[datetime | None]
