"""Builders for the import tests: a seller with products, files in every format."""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import Workbook

from storefront.marketplace import offer_imports
from tests import factories

MAX = 5_000_000


def shop(session, count=3):
    """A seller and ``count`` products (their GTINs in order)."""
    factories.retailer(session)
    factories.category_tree(session)
    products = [factories.product(session, title=f"Lave-linge {i}") for i in range(count)]
    return factories.seller(session, "Maison Import"), products


def storage(tmp_path: Path, max_bytes: int = MAX) -> offer_imports.Storage:
    return offer_imports.Storage(tmp_path / "imports", max_bytes)


def csv_bytes(rows: list[list[object]], delimiter=";", encoding="utf-8") -> bytes:
    text = "\r\n".join(delimiter.join(str(c) for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jsonl_bytes(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


def submit_and_run(session, seller, data: bytes, store, *, mode="NORMAL", name="offers.csv", **kwargs):
    record, to_run = offer_imports.submit(session, seller, io.BytesIO(data), storage=store, file_name=name,
                                          mode=mode, source=kwargs.pop("source", "CLI"), **kwargs)
    if to_run:
        record = offer_imports.run(session, record.id, storage=store)
    return record
