"""docs/imports.md's "Order export" section and docs/samples/orders-export.csv stay what the
code does: every column is described, and the sample is the export of the test shop (written
by this test with ``STOREFRONT_WRITE_SAMPLES=1``; only the numbers and ids a new database gives
differently are not compared)."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import UTC, datetime, timedelta

from storefront import PROJECT_ROOT
from storefront.marketplace import order_exports, orders, tracking
from storefront.marketplace.models import ActorRole, ExportFormat
from tests import order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people
DOC = PROJECT_ROOT / "docs" / "imports.md"
SAMPLE = PROJECT_ROOT / "docs" / "samples" / "orders-export.csv"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
VARYING = ("customer_order_number", "seller_order_number", "line_id", "gtin")  # sequences, randomness, factory counters


def section() -> str:
    text = DOC.read_text("utf-8")
    start = text.index("## Order export")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_the_doc_describes_every_column_in_order():
    described = re.findall(r"^\| `([a-z_0-9]+)` \|", section(), flags=re.M)
    assert described == list(order_exports.KEYS)


def sample_export(session, people) -> bytes:
    shop = people.shop
    seller = ActorRole.SELLER
    first = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1), now=T0)
    part = part_of(first, shop.alpha)
    orders.accept(session, part, actor_role=seller, now=T0 + timedelta(hours=2))
    orders.cancel_lines(session, part, {part.lines[1].id: 1}, reason_code="OUT_OF_STOCK",
                        actor_role=seller, now=T0 + timedelta(hours=3))
    second = place(session, people.customer, (shop.offers["alpha"], 1), now=T0 + timedelta(hours=1))
    part = part_of(second, shop.alpha)
    orders.accept(session, part, actor_role=seller, now=T0 + timedelta(hours=4))
    tracking.ship(session, part, carrier_code="COLISSIMO", tracking_number="6A12345678901",
                  actor_role=seller, now=T0 + timedelta(hours=5))
    orders.refund(session, part, amount=300, reason_code="DAMAGED", actor_role=seller,
                  line_id=part.lines[0].id, now=T0 + timedelta(hours=6))
    session.expire_all()
    export = order_exports.OrderExport(session, seller_id=shop.alpha.id, since=T0)
    return b"".join(order_exports.byte_chunks(ExportFormat.CSV, export.rows()))


def test_the_sample_is_the_export_of_the_test_shop(session, people):
    made = sample_export(session, people)
    if os.environ.get("STOREFRONT_WRITE_SAMPLES") == "1":
        SAMPLE.write_bytes(made)

    def comparable(data: bytes) -> list[dict]:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        return [{k: v for k, v in row.items() if k not in VARYING} for row in rows]

    assert SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")
    assert comparable(SAMPLE.read_bytes()) == comparable(made)
    assert len(comparable(made)) == 3
