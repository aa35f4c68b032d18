"""``flask export orders``: the operator's order export from the command line, with a progress
bar (rich) on stderr so that ``--output -`` can pipe the file itself; ``flask export fec``: the
sellers' ledger as the French FEC for the accountant (``marketplace/fec.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storefront import clock
from storefront.extensions import db
from storefront.marketplace import fec, order_exports, sellers
from storefront.marketplace.errors import DomainError

export_command = AppGroup("export", help="Export the shop's data as files.")


@export_command.command("orders")
@click.option("--since", required=True, help="2026-12-01, 2026-12-01T08:30 (shop time) or RFC 3339.")
@click.option("--seller", "seller_code", default="", help="A seller's code; every seller without it.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "jsonl"]), default="csv",
              show_default=True)
@click.option("--output", default="", help="The file to write ('-': standard output); "
              "orders-<seller>-<time>.<format> in the current folder without it.")
def export_orders(since: str, seller_code: str, fmt: str, output: str) -> None:
    """The orders new or changed since a moment, one row per order line."""
    try:
        moment = order_exports.read_since(since, clock.current().tz)
        seller = sellers.get_seller(db.session, code=seller_code) if seller_code else None
    except DomainError as error:
        raise click.UsageError(error.message) from None
    fmt = order_exports.read_format(fmt)
    export = order_exports.OrderExport(db.session, seller_id=seller.id if seller else None,
                                       since=moment)
    total = export.count()
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]orders"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("orders", total=total)

        def counted():
            for row in export.rows():
                yield row
                progress.update(task, completed=export.orders)
            progress.update(task, completed=export.orders)

        if output == "-":
            order_exports.write(fmt, counted(), sys.stdout.buffer)
            sys.stdout.buffer.flush()
            path = None
        else:
            path = Path(output or order_exports.file_name(fmt, seller.code if seller else None, clock.now()))
            temporary = path.with_name(f".{path.name}.part")
            with open(temporary, "wb") as out:
                order_exports.write(fmt, counted(), out)
            temporary.replace(path)
    if path is not None:
        console.print(f"{export.orders} orders written to {path}")


@export_command.command("fec")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day, 2026-01-01.")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day (the closing date).")
@click.option("--output", default="", help="The file to write ('-': standard output); "
              "<SIREN>FEC<closing date>.txt in the current folder without it.")
def export_fec(start, end, output: str) -> None:
    """The sellers' ledger as a FEC (Fichier des Écritures Comptables), two balanced lines per entry."""
    start, end = start.date(), end.date()
    if end < start:
        raise click.UsageError("--to is before --from")
    lines = fec.rows(db.session, start, end)
    if output == "-":
        count = fec.write(lines, sys.stdout)
        sys.stdout.flush()
        return
    retailer = sellers.operator_seller(db.session, required=False)
    siret = (retailer.siret or "") if retailer is not None else ""
    path = Path(output or fec.file_name(siret[:9], end))
    temporary = path.with_name(f".{path.name}.part")
    with open(temporary, "w", encoding="utf-8", newline="") as out:
        count = fec.write(lines, out)
    temporary.replace(path)
    Console(stderr=True).print(f"{count} lines written to {path}")
