"""Offer imports through the services: formats, encodings, modes, the error report, resuming
after a crash, idempotency, limits, and refusals of whole files."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.marketplace import catalog, offer_imports, preferences
from storefront.marketplace.import_files import FileRefused, csv_safe
from storefront.marketplace.models import (
    Condition,
    DataImport,
    DataImportError,
    ImportStatus,
    Offer,
    OfferState,
    ProductListing,
)
from storefront.marketplace.refusals import Refusal
from tests.imports.helpers import csv_bytes, jsonl_bytes, shop, storage, submit_and_run, xlsx_bytes

HEADER = ["sku", "product-id", "product-id-type", "price", "quantity", "condition"]


def offers_of(session, seller):
    return {o.sku: o for o in session.scalars(select(Offer).where(Offer.seller_id == seller.id))}


def rows_of(products, decimal=","):
    return [HEADER] + [[f"SKU-{i}", p.gtin, "EAN", f"{100 + i}{decimal}99", 5 + i, "NEW"]
                       for i, p in enumerate(products)]


@pytest.mark.parametrize("encode", [
    lambda rows: csv_bytes(rows, ";"),
    lambda rows: csv_bytes(rows, ","),
    lambda rows: codecs.BOM_UTF8 + csv_bytes(rows, ";"),
    xlsx_bytes,
    lambda rows: jsonl_bytes([dict(zip(rows[0], row, strict=True)) for row in rows[1:]]),
], ids=["csv-semicolon", "csv-comma", "csv-bom", "xlsx", "jsonl"])
def test_each_format_creates_the_offers(session, tmp_path, encode):
    seller, products = shop(session)
    rows = rows_of(products, decimal=".")  # "12,99" is tested with ";" (a "," file would need quotes)
    record = submit_and_run(session, seller, encode(rows), storage(tmp_path))
    assert record.status == ImportStatus.COMPLETE, record.error
    assert (record.rows_read, record.created_count, record.refused_count) == (3, 3, 0)
    offers = offers_of(session, seller)
    assert offers["SKU-1"].price == 10199 and offers["SKU-1"].stock == 6
    assert offers["SKU-1"].product_id == products[1].id


def test_windows_1252_and_quoted_comma_prices(session, tmp_path):
    seller, products = shop(session, 1)
    data = f'sku;gtin;prix;quantité;état\r\nLAVÉ-1;{products[0].gtin};"12,99";3;occasion\r\n'.encode("cp1252")
    record = submit_and_run(session, seller, data, storage(tmp_path))
    assert record.status == ImportStatus.COMPLETE and record.created_count == 1
    offer = offers_of(session, seller)["LAVÉ-1"]
    assert (offer.price, offer.stock, offer.condition) == (1299, 3, Condition.USED)


def test_bad_rows_are_refused_one_by_one_with_their_lines(session, tmp_path):
    seller, products = shop(session, 3)
    rows = [
        ["sku", "ean", "price", "stock"],
        ["A", products[0].gtin, "10.00", "2"],
        ["B", products[1].gtin, "10.00", "-4"],       # line 3: negative stock
        ["C", "3760000000000", "10.00", "1"],          # line 4: unknown GTIN
        ["D", products[2].gtin, "dix euros", "1"],     # line 5: not a price
        ["A", products[0].gtin, "11.00", "2"],          # line 6: duplicate SKU
        ["=cmd|' /C calc'!A0", products[2].gtin, "1", "1"],  # line 7: a formula, just a (long) SKU
    ]
    record = submit_and_run(session, seller, csv_bytes(rows), storage(tmp_path))
    assert record.status == ImportStatus.COMPLETE
    assert (record.rows_read, record.created_count, record.refused_count) == (6, 2, 4)
    errors = {e.line: e for e in offer_imports.errors_of(session, record)}
    assert set(errors) == {3, 4, 5, 6}
    assert errors[3].code == Refusal.OFFER_COUNT and errors[3].field == "stock"
    assert errors[4].code == Refusal.UNKNOWN_PRODUCT
    assert errors[5].code == Refusal.IMPORT_PRICE and errors[5].details["value"] == "dix euros"
    assert errors[6].code == Refusal.IMPORT_DUPLICATE_SKU and errors[6].details["first"] == 2
    assert offers_of(session, seller)["A"].price == 1000  # the later duplicate changed nothing
    # The report: one line per refusal, in order, cells that look like formulas escaped.
    report = list(csv.reader(io.StringIO(offer_imports.error_report(session, record).lstrip("\ufeff")),
                             delimiter=";"))
    assert report[0] == ["line", "sku", "field", "level", "message"]
    assert [r[0] for r in report[1:]] == ["3", "4", "5", "6"]
    assert "cannot be negative" in report[1][4]


def test_report_cells_are_escaped_against_csv_injection():
    assert [csv_safe(v) for v in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx", "ok", 12)] == [
        "'=1+1", "'+33", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok", "12"]


def test_formula_cells_are_text_and_escaped_in_the_report(session, tmp_path):
    seller, products = shop(session, 1)
    data = xlsx_bytes([["sku", "gtin", "price", "stock"], ["=HYPERLINK(\"x\")", products[0].gtin, "=1+1", 1]])
    record = submit_and_run(session, seller, data, storage(tmp_path), name="offers.xlsx")
    [error] = offer_imports.errors_of(session, record)
    assert error.code == Refusal.IMPORT_PRICE and error.details["value"] == "=1+1"
    report = offer_imports.error_report(session, record)
    assert "'=HYPERLINK" in report and ";=" not in report


def test_update_delete_and_replace(session, tmp_path):
    seller, products = shop(session, 3)
    store = storage(tmp_path)
    submit_and_run(session, seller, csv_bytes(rows_of(products)), store)
    # NORMAL: SKU-0 deleted, SKU-1's stock changed (no price given: kept), SKU-2 untouched.
    data = csv_bytes([["sku", "quantity", "update-delete"], ["SKU-0", "", "delete"], ["SKU-1", "40", ""],
                      ["NOPE", "", "delete"]])
    record = submit_and_run(session, seller, data, store)
    assert (record.updated_count, record.deactivated_count, record.refused_count) == (1, 1, 1)
    offers = offers_of(session, seller)
    assert offers["SKU-0"].state == OfferState.INACTIVE
    assert (offers["SKU-1"].stock, offers["SKU-1"].price) == (40, 10199)
    assert offers["SKU-2"].state == OfferState.ACTIVE
    [unknown] = offer_imports.errors_of(session, record)
    assert (unknown.line, unknown.code) == (4, Refusal.IMPORT_UNKNOWN_SKU)
    # REPLACE: what the file does not list goes off sale.
    record = submit_and_run(session, seller, csv_bytes([["sku", "price", "stock"], ["SKU-1", "99.00", "3"]]),
                            store, mode="REPLACE")
    assert (record.updated_count, record.deactivated_count) == (1, 1)
    offers = offers_of(session, seller)
    assert [s for s, o in sorted(offers.items()) if o.state == OfferState.ACTIVE] == ["SKU-1"]


def test_the_listing_follows_at_once(session, tmp_path, mini_shop):
    fridge = mini_shop.fridge
    data = csv_bytes([["sku", "ean", "price", "stock", "condition"], ["MM-FRIDGE", fridge.gtin, "999.00", "2", "NEW"]])
    record = submit_and_run(session, mini_shop.martin, data, storage(tmp_path))
    assert record.created_count == 1
    [listing] = session.scalars(select(ProductListing).where(ProductListing.product_id == fridge.id,
                                                             ProductListing.zone_id == _zone(session))).all()
    assert listing.best_price == 99900 and listing.best_seller_id == mini_shop.martin.id


def _zone(session):
    from storefront.marketplace import delivery

    return delivery.get_zone(session, "FR-MAIN").id


def test_column_mapping_is_saved_and_used(session, tmp_path):
    seller, products = shop(session, 1)
    offer_imports.save_mapping(session, seller, {"Ref interne": "sku", "Code EAN": "gtin", "PV TTC": "price",
                                                 "Dispo": "stock", "Ignoré": ""})
    assert offer_imports.saved_mapping(session, seller.id) == {
        "Ref interne": "sku", "Code EAN": "gtin", "PV TTC": "price", "Dispo": "stock"}
    data = csv_bytes([["Ref interne", "Code EAN", "PV TTC", "Dispo"], ["M-1", products[0].gtin, "5,50", "9"]])
    record = submit_and_run(session, seller, data, storage(tmp_path))
    assert record.created_count == 1 and offers_of(session, seller)["M-1"].price == 550
    with pytest.raises(Exception) as refused:
        offer_imports.save_mapping(session, seller, {"a": "sku", "b": "sku"})
    assert refused.value.details["reason"] == Refusal.IMPORT_MAPPING


def test_same_file_twice_is_the_same_import(session, tmp_path):
    seller, products = shop(session, 2)
    store = storage(tmp_path)
    data = csv_bytes(rows_of(products))
    first = submit_and_run(session, seller, data, store)
    again = submit_and_run(session, seller, data, store)
    assert again.id == first.id and again.created_count == 2
    assert session.scalar(select(func.count(DataImport.id))) == 1
    assert session.scalar(select(func.count(Offer.id))) == 2


def test_a_crash_midway_resumes_from_the_last_committed_batch(session, tmp_path, monkeypatch):
    seller, products = shop(session, 5)
    rows = rows_of(products) + [["SKU-0", products[0].gtin, "EAN", "1", "1", "NEW"]]  # a duplicate, line 7
    store = storage(tmp_path)
    record, _ = offer_imports.submit(session, seller, io.BytesIO(csv_bytes(rows)), storage=store, source="CLI")
    real, calls = catalog.apply_offer_lines, []

    def crash_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog, "apply_offer_lines", crash_on_second_batch)
    record = offer_imports.run(session, record.id, storage=store, batch_size=2)
    assert record.status == ImportStatus.FAILED and record.error_code == Refusal.IMPORT_CRASHED
    assert (record.rows_done, record.created_count) == (2, 2)
    assert session.scalar(select(func.count(Offer.id))) == 2  # the first batch only
    monkeypatch.setattr(catalog, "apply_offer_lines", real)
    # Sending the file again queues the failed import again; its run goes on from row 3.
    again, to_run = offer_imports.submit(session, seller, io.BytesIO(csv_bytes(rows)), storage=store,
                                         source="CLI")
    assert again.id == record.id and to_run and again.status == ImportStatus.QUEUED
    record = offer_imports.run(session, record.id, storage=store, batch_size=2)
    assert record.status == ImportStatus.COMPLETE
    assert (record.rows_read, record.created_count, record.updated_count, record.refused_count) == (6, 5, 0, 1)
    assert session.scalar(select(func.count(Offer.id))) == 5
    [duplicate] = offer_imports.errors_of(session, record)
    assert (duplicate.line, duplicate.code) == (7, Refusal.IMPORT_DUPLICATE_SKU)


def test_a_killed_worker_is_taken_over_and_a_live_one_never_doubled(app, session, tmp_path, monkeypatch):
    """A worker killed midway leaves its import RUNNING: no second run starts while the first
    still beats, the sweep takes it over once the heartbeat is ``STALE_AFTER`` old, and the
    batches that committed are not applied twice."""
    from storefront.jobs.imports import sweep_data_imports

    seller, products = shop(session, 4)
    store = storage(tmp_path)
    monkeypatch.setitem(app.config, "IMPORT_STORAGE_DIR", str(store.root))
    record, _ = offer_imports.submit(session, seller, io.BytesIO(csv_bytes(rows_of(products))), storage=store,
                                     source="CLI")
    real, calls = catalog.apply_offer_lines, []

    def killed_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("the worker is killed")  # not an Exception: nothing marks it FAILED
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog, "apply_offer_lines", killed_on_second_batch)
    with pytest.raises(SystemExit):
        offer_imports.run(session, record.id, storage=store, batch_size=2)
    session.rollback()
    monkeypatch.setattr(catalog, "apply_offer_lines", real)
    session.expire_all()
    record = session.get(DataImport, record.id)
    assert (record.status, record.rows_done) == (ImportStatus.RUNNING, 2)
    beat = record.heartbeat_at
    # Another worker given it while it still beats does nothing.
    again = offer_imports.run(session, record.id, storage=store, batch_size=2)
    assert (again.status, again.rows_done, again.created_count) == (ImportStatus.RUNNING, 2, 2)
    monkeypatch.setitem(app.config, "FROZEN_TIME", beat + offer_imports.STALE_AFTER - timedelta(seconds=1))
    assert sweep_data_imports.call_local() == 0
    monkeypatch.setitem(app.config, "FROZEN_TIME", beat + offer_imports.STALE_AFTER + timedelta(seconds=1))
    assert sweep_data_imports.call_local() == 1
    session.expire_all()
    record = session.get(DataImport, record.id)
    assert (record.status, record.rows_done, record.created_count, record.refused_count) == (
        ImportStatus.COMPLETE, 4, 4, 0)
    assert session.scalar(select(func.count(Offer.id))) == 4


def test_limits_of_the_preferences(session, tmp_path, app):
    seller, products = shop(session, 2)
    store = storage(tmp_path)
    submit_and_run(session, seller, csv_bytes(rows_of(products[:1])), store, source="UPLOAD")
    with pytest.raises(offer_imports.InvalidValue) as too_soon:
        submit_and_run(session, seller, csv_bytes(rows_of(products[1:])), store, source="UPLOAD")
    assert too_soon.value.details == {"reason": Refusal.IMPORT_TOO_SOON, "minutes": 15}
    for record in session.scalars(select(DataImport)):
        record.created_at -= timedelta(minutes=20)
    session.commit()
    preferences.set(session, "imports_per_day", 1)
    with pytest.raises(offer_imports.InvalidValue) as daily:
        submit_and_run(session, seller, csv_bytes(rows_of(products[1:])), store, source="UPLOAD")
    assert daily.value.details["reason"] == Refusal.IMPORT_DAILY_LIMIT
    # The operator's command line is not limited; nothing refused left a record or a file.
    submit_and_run(session, seller, csv_bytes(rows_of(products[1:])), store, source="CLI")
    assert session.scalar(select(func.count(DataImport.id))) == 2
    assert not list((tmp_path / "imports").glob("incoming-*"))


@pytest.mark.parametrize(("data", "reason"), [
    (b"", Refusal.IMPORT_EMPTY),
    (b"sku;gtin;price;stock\r\n", Refusal.IMPORT_NO_ROWS),
    (b"\x00\x01\x02binary", Refusal.IMPORT_FORMAT),
    (b"sku|gtin|price|stock\r\nA|1|2|3\r\n", Refusal.IMPORT_HEADER),  # wrong delimiter
    (b"PK\x03\x04 not a zip at all", Refusal.IMPORT_FORMAT),
])
def test_whole_files_refused(session, tmp_path, data, reason):
    seller, _ = shop(session, 0)
    with pytest.raises(FileRefused) as refused:
        submit_and_run(session, seller, data, storage(tmp_path))
    assert refused.value.details["reason"] == reason
    assert session.scalar(select(func.count(DataImport.id))) == 0


def test_too_big_refused_early_by_declared_and_real_size(session, tmp_path):
    seller, products = shop(session, 1)

    class Unreadable(io.RawIOBase):
        def read(self, size=-1):
            raise AssertionError("a 2 GB upload is refused before it is read")

    with pytest.raises(FileRefused) as declared:
        offer_imports.submit(session, seller, Unreadable(), storage=storage(tmp_path),
                             declared_size=2 * 1024**3)
    assert declared.value.details["reason"] == Refusal.IMPORT_TOO_BIG
    with pytest.raises(FileRefused):
        submit_and_run(session, seller, csv_bytes(rows_of(products)), storage(tmp_path, max_bytes=20))
    assert not list((tmp_path / "imports").glob("*-*"))


def test_zip_bomb_xlsx_refused_before_unpacking(session, tmp_path):
    seller, _ = shop(session, 0)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 300_000_000)  # 300 MB of zeros, ~300 kB zipped
    with pytest.raises(FileRefused) as refused:
        submit_and_run(session, seller, bomb.getvalue(), storage(tmp_path), name="bomb.xlsx")
    assert refused.value.details["reason"] == Refusal.IMPORT_ZIP_BOMB


def test_an_import_is_its_sellers_only(session, tmp_path):
    seller, products = shop(session, 1)
    other = offer_imports.NotFound
    record = submit_and_run(session, seller, csv_bytes(rows_of(products)), storage(tmp_path))
    assert offer_imports.get_import(session, seller.id, record.id) is record
    with pytest.raises(other):
        offer_imports.get_import(session, seller.id + 1000, record.id)
    assert session.scalar(select(func.count(DataImportError.id))) == 0


def test_rows_that_change_nothing_are_skipped(session, tmp_path, count_queries):
    """A daily feed repeats most of its rows: only the changed ones are written (and refresh the
    listing); the unchanged ones are read and counted in no other column."""
    seller, products = shop(session, 4)
    store = storage(tmp_path)
    rows = rows_of(products)
    submit_and_run(session, seller, csv_bytes(rows), store)
    rows[2][3] = "999,99"  # one price changes
    record = submit_and_run(session, seller, csv_bytes(rows), store)
    assert (record.rows_read, record.created_count, record.updated_count, record.refused_count) == (4, 0, 1, 0)
    assert offers_of(session, seller)["SKU-1"].price == 99999
    # Same values in another spelling (a dot for the comma) are the same values.
    dotted = [rows[0]] + [[*row[:3], row[3].replace(",", "."), *row[4:]] for row in rows[1:]]
    with count_queries() as statements:
        again = submit_and_run(session, seller, csv_bytes(dotted), store)
    assert (again.rows_read, again.updated_count) == (4, 0)
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT INTO PRODUCT_LISTING", "UPDATE OFFER"))]
