"""``flask import offers FILE --seller CODE --mode NORMAL|REPLACE``, ``flask import statuses FILE
--seller CODE``, ``flask import products FILE`` and ``flask import categories FILE``: the operator
imports a file in this process, with a progress bar (rich), through the same services as the
portal's, the back office's and the API's imports. Exits 1 and prints the error report's path when
rows were refused (2 when the file itself was refused)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storefront.extensions import db
from storefront.marketplace import (
    catalog_imports,
    data_imports,
    offer_imports,
    reference,
    sellers,
    status_imports,
)
from storefront.marketplace.errors import DomainError, InvalidValue
from storefront.marketplace.models import ImportKind, ImportMode, ImportSource, ImportStatus
from storefront.web.refusals import explain


def _explain(error: DomainError) -> str:
    """The refusal's sentence in the shop's default language (the words need a request)."""
    with current_app.test_request_context():
        return explain(error)


@click.group("import")
def import_command():
    """Import files (offers, order statuses and tracking, products, categories) into the shop."""


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
        record = _with_bar(console, f"{seller.code} {file.name}",
                           lambda advance: offer_imports.run(db.session, record.id, storage=storage, progress=advance))
    click.echo(f"Import {record.id}: {record.status.value}; read {record.rows_read}, created "
               f"{record.created_count}, updated {record.updated_count}, deactivated "
               f"{record.deactivated_count}, refused {record.refused_count}.")
    _finish(record, storage)


def _with_bar(console: Console, label: str, run):
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def advance(current):
            bar.update(task, completed=current.rows_done, total=current.rows_total)

        return run(advance)


def _finish(record, storage: data_imports.Storage, *, also_when_skipped: bool = False,
            headers: tuple[str, ...] = ("line", "sku", "field", "level", "message")) -> None:
    """Write the error report and exit 1 (rows refused) or 2 (the file failed)."""
    if record.status == ImportStatus.FAILED or record.refused_count or (also_when_skipped and (
            record.skipped_count or record.warning_count)):
        report = Path(storage.root) / "reports" / f"import-{record.id}-errors.csv"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(data_imports.error_report(db.session, record, _explain, headers), encoding="utf-8")
        click.echo(f"Error report: {report}")
    if record.status == ImportStatus.FAILED or record.refused_count:
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
        record = _with_bar(console, f"{seller.code} {file.name}",
                           lambda advance: status_imports.run(db.session, record.id, storage=storage, progress=advance))
    click.echo(f"Import {record.id}: {record.status.value}; read {record.rows_read}, applied "
               f"{record.updated_count}, already done {status_imports.already_done(db.session, record)}, "
               f"refused {record.refused_count}.")
    _finish(record, storage, headers=("line", "order", "field", "level", "message"))


def _catalog_import(kind: ImportKind, file: Path) -> None:
    console = Console(stderr=True)
    storage = data_imports.Storage.from_settings(current_app.config)
    try:
        with file.open("rb") as stream:
            record, to_run = catalog_imports.submit(db.session, kind, stream, storage=storage, file_name=file.name,
                                                    source=ImportSource.CLI, declared_size=file.stat().st_size)
    except DomainError as error:
        raise click.ClickException(_explain(error)) from None
    if not to_run:
        raise click.ClickException(f"Import {record.id} of this file is running now.")
    record = _with_bar(console, f"{kind.value.lower()} {file.name}",
                       lambda advance: catalog_imports.run(db.session, record.id, storage=storage, progress=advance))
    click.echo(f"Import {record.id}: {record.status.value}; read {record.rows_read}, created "
               f"{record.created_count}, updated {record.updated_count}, refused {record.refused_count}, "
               f"warnings {record.warning_count}, skipped {record.skipped_count}.")
    if record.skipped_count:
        click.echo("Lines of categories not mapped or excluded were skipped: map them with --map SOURCE=CODE "
                   "(or in the back office, Catalog → Imports), then run the file again.")
    _finish(record, storage, also_when_skipped=True, headers=("line", "key", "field", "level", "message"))


@import_command.command("products")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--map", "maps", multiple=True, metavar="SOURCE=CODE",
              help="send the file's category SOURCE to the shop category CODE (kept for the next files)")
@click.option("--exclude", "excludes", multiple=True, metavar="SOURCE",
              help="do not import the file's category SOURCE (kept for the next files)")
@with_appcontext
def import_products(file: Path, maps: tuple[str, ...], excludes: tuple[str, ...]):
    """Import FILE (CSV, XLSX or JSON lines) of products, by GTIN, into their mapped categories."""
    choices = []
    try:
        for item in maps:
            source, _, code = item.partition("=")
            if not source.strip() or not code.strip():
                raise InvalidValue(f"--map takes SOURCE=CODE, not {item!r}")
            choices.append((source, reference.get_category(db.session, code.strip()).id, True))
        choices += [(source, None, False) for source in excludes]
        if choices:
            catalog_imports.save_mapping(db.session, choices)
    except DomainError as error:
        raise click.ClickException(_explain(error)) from None
    _catalog_import(ImportKind.PRODUCTS, file)


@import_command.command("categories")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_categories(file: Path):
    """Import FILE (CSV, XLSX or JSON lines) of the category tree, its attributes and value lists."""
    _catalog_import(ImportKind.CATEGORIES, file)
