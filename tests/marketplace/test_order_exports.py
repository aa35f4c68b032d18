"""Order exports: the rows, the since filter, orders changed after submission coming back, the
scope per seller, the query count, CSV injection, each format read back, and the scheduled push
into a drop folder (two runs with a frozen clock: nothing lost, nothing twice)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storefront.marketplace import order_exports, orders, preferences, tracking
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import (
    ActorRole,
    ExportFormat,
    ReasonCode,
    ReasonType,
    Shipment,
)
from storefront.marketplace.refusals import Refusal
from tests import order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people  # the fixture, for this module's tests
SELLER = ActorRole.SELLER
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def rows(session, **kwargs) -> list[dict]:
    session.expire_all()
    return list(order_exports.OrderExport(session, **kwargs).rows())


def numbers(found) -> list[str]:
    return [row["seller_order_number"] for row in found]


@pytest.fixture
def placed(session, people):
    shop = people.shop
    first = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1), now=T0)
    second = place(session, people.customer, (shop.offers["alpha"], 1), now=T0 + timedelta(hours=1))
    return people, part_of(first, shop.alpha), part_of(second, shop.alpha), part_of(first, shop.beta)


def test_a_row_per_line_with_what_the_seller_needs_to_ship(session, placed):
    people, a1, _a2, _b1 = placed
    shipment = session.scalar(select(Shipment).where(Shipment.id == a1.lines[0].shipment_id))
    shipment.marketplace_mode, shipment.marketplace_carrier = "STD", "COLISSIMO"
    session.commit()

    found = rows(session, seller_id=people.shop.alpha.id)

    assert numbers(found) == [a1.number, _a2.number]
    row = found[0]
    assert list(row) == list(order_exports.KEYS)
    assert row["customer_order_number"] == a1.customer_order.number
    assert (row["seller_code"], row["state"], row["sku"], row["gtin"]) == (
        "alpha", "WAITING_ACCEPTANCE", "A-DRY", a1.lines[0].offer.product.gtin)
    assert (row["quantity"], row["unit_price_cents"], row["line_total_cents"]) == (2, 1500, 3000)
    assert row["unit_price"] == "15,00\xa0€" and row["line_total"] == "30,00\xa0€"
    assert (row["marketplace_mode"], row["marketplace_carrier"]) == ("STD", "COLISSIMO")
    assert row["delivery_mode"] and row["promised_from"] <= row["promised_to"] and row["ship_by"]
    assert row["shipping_fee_cents"] == shipment.fee
    assert (row["customer_name"], row["city"], row["postal_code"]) == ("Camille Martin", "Paris", "75002")
    assert row["payment_code"] == "CB"
    assert row["created_at"] == "2026-12-01T10:00:00+01:00"  # the shop's time zone


def test_since_and_the_operator_sees_every_seller(session, placed):
    people, a1, a2, b1 = placed
    assert numbers(rows(session, since=T0 + timedelta(minutes=30))) == [a2.number]
    assert set(numbers(rows(session))) == {a1.number, a2.number, b1.number}
    assert numbers(rows(session, seller_id=people.shop.beta.id)) == [b1.number]


def test_orders_changed_after_submission_come_back_with_their_reasons(session, placed):
    people, a1, a2, b1 = placed
    for code, kind, mapped in (("OUT_OF_STOCK", ReasonType.CANCELATION, "ANN-RUPT"),
                               ("DAMAGED", ReasonType.REFUND, "RMB-ABIM")):
        session.scalar(select(ReasonCode).where(ReasonCode.code == code, ReasonCode.type == kind)
                       ).marketplace_code = mapped
    session.commit()
    since = T0 + timedelta(days=1)
    assert rows(session, since=since) == []

    # A partial cancellation of a1, then a shipment and a refund of a2: both come back.
    orders.accept(session, a1, actor_role=SELLER, now=since)
    orders.cancel_lines(session, a1, {a1.lines[0].id: 1}, reason_code="OUT_OF_STOCK",
                        actor_role=SELLER, now=since + timedelta(minutes=1))
    orders.accept(session, a2, actor_role=SELLER, now=since)
    tracking.ship(session, a2, carrier_code="COLISSIMO", tracking_number="6A12345678901",
                  actor_role=SELLER, now=since + timedelta(minutes=2))
    orders.refund(session, a2, amount=500, reason_code="DAMAGED", actor_role=SELLER,
                  line_id=a2.lines[0].id, now=since + timedelta(minutes=3))

    found = rows(session, since=since)
    assert numbers(found) == [a1.number, a2.number]  # by their last change; b1 did not change
    canceled, refunded = found
    assert (canceled["quantity_canceled"], canceled["line_total_cents"]) == (1, 1500)
    assert (canceled["cancellations"], canceled["cancellation_codes"]) == ("1×OUT_OF_STOCK", "ANN-RUPT")
    assert refunded["state"] == "SHIPPED" and refunded["tracking_number"] == "6A12345678901"
    assert (refunded["refunded_cents"], refunded["refunds"], refunded["refund_codes"]) == (
        500, "DAMAGED", "RMB-ABIM")
    # Only from the last change on: the refund.
    assert numbers(rows(session, since=since + timedelta(minutes=3))) == [a2.number]


def test_the_query_count_does_not_grow_with_the_orders(session, people, count_queries):
    shop = people.shop
    for offer in shop.offers.values():
        offer.stock = 1_000
    session.commit()

    def counted() -> tuple[int, int]:
        session.expire_all()
        with count_queries() as statements:
            export = order_exports.OrderExport(session, seller_id=shop.alpha.id, batch=200)
            found = list(export.rows())
        return len(found), len(statements)

    for _ in range(2):
        place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["alpha_washer"], 1))
    few_rows, few = counted()
    for n in range(48):
        order = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["alpha_washer"], 1))
        if n % 10 == 0:  # some with a cancellation, whose reason is read with them
            part = part_of(order, shop.alpha)
            orders.cancel_lines(session, part, {part.lines[1].id: 1}, reason_code="OUT_OF_STOCK",
                                actor_role=SELLER)
    many_rows, many = counted()
    assert (few_rows, many_rows) == (4, 100)
    assert many == few <= 8


def test_cells_that_look_like_formulas_are_escaped_and_each_format_reads_back(session, placed):
    people, a1, _a2, _b1 = placed
    a1.lines[0].title = "=HYPERLINK(\"http://evil\")"
    a1.lines[0].sku = "-2+3"
    a1.customer_order.ship_name = "@SUM(A1)"
    a1.customer_order.ship_line2 = "\tcmd"
    session.commit()
    found = rows(session, seller_id=people.shop.alpha.id)

    text = b"".join(order_exports.byte_chunks(ExportFormat.CSV, found)).decode("utf-8")
    assert text.startswith("\ufeff")
    read = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert len(read) == 2 and list(read[0]) == list(order_exports.KEYS)
    assert read[0]["title"] == "'=HYPERLINK(\"http://evil\")"
    assert (read[0]["sku"], read[0]["customer_name"], read[0]["address_line2"]) == (
        "'-2+3", "'@SUM(A1)", "'\tcmd")
    assert read[0]["unit_price_cents"] == "1500" and read[1]["seller_order_number"] == _a2.number

    book = load_workbook(io.BytesIO(b"".join(order_exports.byte_chunks(ExportFormat.XLSX, found))))
    sheet = book["orders"]
    table = list(sheet.values)
    assert table[0] == order_exports.KEYS and len(table) == 3
    header = table[0]
    first = dict(zip(header, table[1], strict=True))
    assert first["title"] == "'=HYPERLINK(\"http://evil\")" and first["quantity"] == 2
    assert sheet.cell(row=2, column=header.index("title") + 1).data_type == "s"  # not a formula

    lines = b"".join(order_exports.byte_chunks(ExportFormat.JSONL, found)).decode().splitlines()
    decoded = [json.loads(line) for line in lines]
    assert decoded[0]["title"] == "=HYPERLINK(\"http://evil\")"  # data for programs, unchanged
    assert decoded[0]["line_total_cents"] == 3000 and decoded[1]["seller_order_number"] == _a2.number


def test_what_people_type_for_since_format_and_folder(session):
    tz = order_exports.shop_clock.of(session).tz
    assert order_exports.read_since("2026-12-01", tz) == datetime(2026, 12, 1, tzinfo=tz)
    assert order_exports.read_since("2026-12-01 08:30", tz) == datetime(2026, 12, 1, 8, 30, tzinfo=tz)
    assert order_exports.read_since("2026-12-01T08:30:00Z", tz) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    for bad in ("", "yesterday", "2026-13-01", "2026-12-01T25:00"):
        with pytest.raises(InvalidValue) as refused:
            order_exports.read_since(bad, tz)
        assert refused.value.details["reason"] == Refusal.EXPORT_SINCE
    assert order_exports.read_format(" XLSX ") == ExportFormat.XLSX
    with pytest.raises(InvalidValue):
        order_exports.read_format("pdf")
    assert order_exports.clean_folder(" erp/in/ ") == "erp/in"
    assert order_exports.clean_folder("") == ""
    for bad in ("../other", "/etc", "erp/../../x", "a//b", "C:/x", "./x", "x/..", "é t"):
        with pytest.raises(InvalidValue) as refused:
            order_exports.clean_folder(bad)
        assert refused.value.details["reason"] == Refusal.EXPORT_FOLDER


def test_a_symbolic_link_cannot_lead_out_of_the_drop_folder(session, people, tmp_path):
    (tmp_path / "alpha").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "alpha" / "out").symlink_to(tmp_path / "outside")
    assert order_exports.drop_folder(tmp_path, people.shop.alpha, "in") == (tmp_path / "alpha" / "in").resolve()
    with pytest.raises(InvalidValue):
        order_exports.drop_folder(tmp_path, people.shop.alpha, "out")


def test_the_scheduled_push_sends_only_what_changed_and_loses_nothing(session, placed, tmp_path):
    people, a1, a2, b1 = placed
    alpha = people.shop.alpha
    preferences.set(session, "order_export_minutes", 30)
    order_exports.save_settings(session, alpha.id, enabled=True, fmt="csv", folder="erp/in")
    order_exports.save_settings(session, people.shop.beta.id, enabled=False, fmt="jsonl", folder="")
    now = T0 + timedelta(days=1)

    (first,) = order_exports.push_due(session, tmp_path, now=now)
    assert first.parent == tmp_path / "alpha" / "erp" / "in"
    assert first.name == "orders-alpha-20261202T090000Z.csv"
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temporary file left
    assert _numbers_in(first) == [a1.number, a2.number]

    # Nothing changed and the interval has not elapsed: nothing; once it has: still no file.
    assert order_exports.push_due(session, tmp_path, now=now + timedelta(minutes=10)) == []
    assert order_exports.push_due(session, tmp_path, now=now + timedelta(minutes=30)) == []

    # A change made "before" the last push's clock (a slow transaction) is not lost: the cursor
    # is the last order written, not the time of the push.
    orders.accept(session, a1, actor_role=SELLER, now=now - timedelta(minutes=5))
    orders.accept(session, b1, actor_role=SELLER, now=now)  # another seller's: not in alpha's file
    (second,) = order_exports.push_due(session, tmp_path, now=now + timedelta(minutes=60))
    assert second.name == "orders-alpha-20261202T100000Z.csv"
    assert _numbers_in(second) == [a1.number]
    assert len(list(first.parent.iterdir())) == 2


def _numbers_in(path) -> list[str]:
    text = path.read_text("utf-8-sig")
    return list(dict.fromkeys(row["seller_order_number"]
                              for row in csv.DictReader(io.StringIO(text), delimiter=";")))
