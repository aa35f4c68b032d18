"""``flask import offers FILE --seller CODE --mode NORMAL|REPLACE`` and ``flask import statuses
FILE --seller CODE``: the operator imports a seller's offer file (or status and tracking file) in
this process, with a progress bar (rich), through the same services as
the portal's and the API's imports. Exits 1 and prints the error report's path when rows were
refused (2 when the file itself was refused)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storefront.extensions import db
from storefront.marketplace import data_imports, offer_imports, sellers, status_imports
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import ImportMode, ImportSource, ImportStatus
from storefront.web.refusals import explain


def _explain(error: DomainError) -> str:
    """The refusal's sentence in the shop's default language (the words need a request)."""
    with current_app.test_request_context():
        return explain(error)


@click.group("import")
def import_command():
    """Import files (offers, order statuses and tracking) into the shop."""


@import_command.command("offers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seller", "seller_code", required=True, help="the seller's code")
@click.option("--mode", type=click.Choice([m.value for m in ImportMode], case_sensitive=False),
              default=ImportMode.NORMAL.value, show_default=True)
@with_appcontext
def import_offers(file: Path, seller_code: str, mode: str):
    """Import FILE (CSV, XLSX or JSON lines) as the offers of the seller CODE."""
    console = Console(stderr=True)
    storage = offer_imports.Storage.from_settings(current_app.config)
    try:
        seller = sellers.get_seller(db.session, code=seller_code)
        with file.open("rb") as stream:
            record, _ = offer_imports.submit(
                db.session, seller, stream, storage=storage, file_name=file.name, mode=mode,
                source=ImportSource.CLI, declared_size=file.stat().st_size,
            )
    except DomainError as error:
        raise click.ClickException(_explain(error)) from None
    if record.status == ImportStatus.COMPLETE:
        click.echo(f"This file was already imported (import {record.id}).")
    else:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task(f"{seller.code} {file.name}", total=None)

            def advance(current):
                bar.update(task, completed=current.rows_done, total=current.rows_total)

            record = offer_imports.run(db.session, record.id, storage=storage, progress=advance)
    click.echo(f"Import {record.id}: {record.status.value}; read {record.rows_read}, created "
               f"{record.created_count}, updated {record.updated_count}, deactivated "
               f"{record.deactivated_count}, refused {record.refused_count}.")
    _report(record, storage)


def _report(record, storage, headers=("line", "sku", "field", "level", "message")) -> None:
    """Exit 1 (rows refused) or 2 (the file failed) after writing the error report's path."""
    if record.status == ImportStatus.FAILED or record.refused_count:
        report = Path(storage.root) / "reports" / f"import-{record.id}-errors.csv"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(data_imports.error_report(db.session, record, _explain, headers), encoding="utf-8")
        click.echo(f"Error report: {report}")
        raise SystemExit(2 if record.status == ImportStatus.FAILED else 1)


@import_command.command("statuses")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seller", "seller_code", required=True, help="the seller's code")
@with_appcontext
def import_statuses(file: Path, seller_code: str):
    """Apply FILE (CSV, XLSX or JSON lines: order, line, action, quantity, carrier, tracking
    number, reason code) to the orders of the seller CODE, as the seller would in its portal."""
    console = Console(stderr=True)
    storage = data_imports.Storage.from_settings(current_app.config)
    try:
        seller = sellers.get_seller(db.session, code=seller_code)
        with file.open("rb") as stream:
            record, _ = status_imports.submit(db.session, seller, stream, storage=storage, file_name=file.name,
                                              source=ImportSource.CLI, declared_size=file.stat().st_size)
    except DomainError as error:
        raise click.ClickException(_explain(error)) from None
    if record.status == ImportStatus.COMPLETE:
        click.echo(f"This file was already imported (import {record.id}).")
    else:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task(f"{seller.code} {file.name}", total=None)

            def advance(current):
                bar.update(task, completed=current.rows_done, total=current.rows_total)

            record = status_imports.run(db.session, record.id, storage=storage, progress=advance)
    click.echo(f"Import {record.id}: {record.status.value}; read {record.rows_read}, applied "
               f"{record.updated_count}, already done {status_imports.already_done(db.session, record)}, "
               f"refused {record.refused_count}.")
    _report(record, storage, ("line", "order", "field", "level", "message"))
