"""``flask import offers``: runs in the process, with a progress bar; exits 1 with the error
report's path when rows were refused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storefront.marketplace.models import DataImport, ImportSource, ImportStatus, Offer
from tests.imports.helpers import csv_bytes, shop


def test_import_offers_command(app, session, tmp_path):
    seller, products = shop(session, 2)
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([["sku", "ean", "prix", "quantité"], ["C-1", products[0].gtin, "19,90", "4"]]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "offers", str(good), "--seller", seller.code, "--mode", "NORMAL"])
    assert result.exit_code == 0, result.output
    assert "created 1" in result.output
    record = session.scalar(select(DataImport))
    assert (record.status, record.source) == (ImportStatus.COMPLETE, ImportSource.CLI)
    assert session.scalar(select(Offer.price).where(Offer.sku == "C-1")) == 1990

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["sku", "ean", "prix", "quantité"], ["C-2", products[1].gtin, "1", "-1"],
                               ["C-3", products[1].gtin, "2", "1"]]))
    result = runner.invoke(args=["import", "offers", str(bad), "--seller", seller.code])
    assert result.exit_code == 1, (result.output, result.exception)
    assert "Error report: " in result.output, (result.output, result.exception, result.stderr)
    path = Path(result.output.split("Error report: ")[1].strip())
    report = path.read_text(encoding="utf-8")
    assert report.splitlines()[1].startswith("2;C-2;stock;ERROR;")
    assert session.scalar(select(Offer.stock).where(Offer.sku == "C-3")) == 1

    result = runner.invoke(args=["import", "offers", str(bad), "--seller", "NOBODY"])
    assert result.exit_code == 1 and "Error" in result.output
