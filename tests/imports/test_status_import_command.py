"""``flask import statuses``: the operator applies a seller's status file in the process; exits 1
with the report's path when rows were refused, and a second run of the file changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storefront.marketplace.models import (
    DataImport,
    ImportKind,
    ImportSource,
    ImportStatus,
    SellerOrderState,
)
from tests.imports.helpers import csv_bytes
from tests.order_fixtures import build_people, part_of, place


def test_import_statuses_command(app, session, tmp_path):
    people = build_people(session)
    shop = people.shop
    order = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    beta_order = part_of(place(session, people.customer, (shop.offers["beta"], 1)), shop.beta)
    file = tmp_path / "statuses.csv"
    file.write_bytes(csv_bytes([["commande", "action", "transporteur", "numéro de suivi"],
                                [order.number, "accepter", "", ""],
                                [order.number, "expédier", "GLS", "GLS-12345"],
                                [beta_order.number, "accepter", "", ""]]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "statuses", str(file), "--seller", "alpha"])
    assert result.exit_code == 1, (result.output, result.exception)
    assert "applied 2" in result.output and "refused 1" in result.output
    report = Path(result.output.split("Error report: ")[1].strip()).read_text(encoding="utf-8")
    assert report.splitlines()[1].startswith(f"4;{beta_order.number};order;ERROR;")
    record = session.scalar(select(DataImport).where(DataImport.kind == ImportKind.STATUSES))
    assert (record.status, record.source) == (ImportStatus.COMPLETE, ImportSource.CLI)
    session.expire_all()
    assert order.state == SellerOrderState.SHIPPED and beta_order.state == SellerOrderState.WAITING_ACCEPTANCE

    again = runner.invoke(args=["import", "statuses", str(file), "--seller", "alpha"])
    assert "already imported" in again.output
    assert runner.invoke(args=["import", "statuses", str(file), "--seller", "NOBODY"]).exit_code == 1
