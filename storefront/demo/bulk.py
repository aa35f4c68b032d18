"""Writing the demo catalog fast: Core ``INSERT``s of a few thousand rows per statement.

100,000 products make about 1.3 million rows (products, images, attribute values, offers). The
ORM would build an object per row and fetch every new id back; here product ids are computed
up front (the next free ids), so children rows are written without asking the database
anything, and each batch of products commits with all its rows. A run that stops midway leaves
whole batches behind, and the next run carries on from the first missing product.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from storefront.marketplace import listing
from storefront.marketplace.models import (
    Offer,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductListing,
)
from storefront.marketplace.unit_of_work import transaction

from .catalog import GTIN_PREFIX, CatalogGenerator

BATCH_PRODUCTS = 2_000  # about 5 offers, 4 attribute values and 2 images each


@dataclass
class CatalogReport:
    existing: int  # demo products found before the run
    created: int = 0
    offers: int = 0
    values: int = 0
    images: int = 0
    seconds_generating: float = 0.0
    seconds_writing: float = 0.0
    seconds_listing: float = 0.0  # included in seconds_writing
    batches: list[float] = field(default_factory=list)


def demo_product_count(session: Session) -> int:
    """Demo products already stored: their GTINs share the demo prefix (an index range scan)."""
    upper = GTIN_PREFIX[:-1] + chr(ord(GTIN_PREFIX[-1]) + 1)
    return session.scalar(
        select(func.count()).select_from(Product).where(
            Product.gtin >= GTIN_PREFIX, Product.gtin < upper
        )
    )


def write_catalog(
    session: Session,
    generator: CatalogGenerator,
    products: int,
    *,
    now: datetime,
    batch_size: int = BATCH_PRODUCTS,
    progress: Callable[[CatalogReport], None] | None = None,
) -> CatalogReport:
    """Make sure demo products 0 .. ``products`` - 1 exist, writing only the missing ones."""
    existing = demo_product_count(session)
    report = CatalogReport(existing=existing)
    if existing >= products:
        return report
    next_id = (session.scalar(select(func.max(Product.id))) or 0) + 1
    postgres = session.get_bind().dialect.name == "postgresql"
    tables = (
        Product.__table__,
        ProductImage.__table__,
        ProductAttributeValue.__table__,
        Offer.__table__,
    )
    for start in range(existing, products, batch_size):
        stop = min(products, start + batch_size)
        began = time.perf_counter()
        product_rows, image_rows, value_rows, offer_rows = [], [], [], []
        for index in range(start, stop):
            rows = generator.rows(index, next_id + index - existing, now)
            product_rows.append(rows.product)
            image_rows.extend(rows.images)
            value_rows.extend(rows.values)
            offer_rows.extend(rows.offers)
        generated = time.perf_counter()
        first_id, last_id = product_rows[0]["id"], product_rows[-1]["id"]
        with transaction(session):
            for table, table_rows in zip(
                tables, (product_rows, image_rows, value_rows, offer_rows), strict=True
            ):
                session.execute(insert(table), table_rows)
            if postgres:
                # Ids were given explicitly: move the sequence past them for the ORM's inserts.
                session.execute(
                    text("SELECT setval(pg_get_serial_sequence('product', 'id'), :last)"),
                    {"last": last_id},
                )
            inserted = time.perf_counter()
            # The category pages read the derived listing rows (best offer per zone).
            listing.refresh(session, range(first_id, last_id + 1), now=now)
        written = time.perf_counter()
        report.seconds_listing += written - inserted
        report.created += len(product_rows)
        report.images += len(image_rows)
        report.values += len(value_rows)
        report.offers += len(offer_rows)
        report.seconds_generating += generated - began
        report.seconds_writing += written - generated
        report.batches.append(written - began)
        if progress is not None:
            progress(report)
    if postgres:
        # Fresh statistics, so that the planner knows the tables are no longer empty.
        for table in (*tables, ProductListing.__table__):
            session.execute(text(f"ANALYZE {table.name}"))
        session.commit()
    return report
