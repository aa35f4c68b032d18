"""A statement's lines as CSV (one row per ledger entry it included), for the seller's
accounting: amounts in cents and in euros with a decimal point, so that a spreadsheet in any
language reads them."""

from __future__ import annotations

import csv
import io

COLUMNS = ("entry_id", "date", "kind", "order", "order_line_id", "amount_cents", "amount", "currency", "reference")


def statement_csv(lines, *, order_numbers: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in lines:
        writer.writerow([
            entry.id, entry.created_at.isoformat(), str(entry.kind),
            order_numbers.get(entry.seller_order_id, ""), entry.order_line_id or "",
            entry.amount, _decimal(entry.amount),
            entry.currency, entry.reference,
        ])
    return out.getvalue()


def _decimal(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"
