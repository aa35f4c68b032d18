"""Invoice numbers without gaps: ``FC-2026-000001`` for the commission invoices, ``AV-2026-000001``
for the credit notes, one series per kind and year; ``<SELLER CODE>-2026-000001`` for the
invoices issued to customers in a seller's name, one series per seller and year.

The next number comes from the series' counter row, locked (SELECT … FOR UPDATE) in the
transaction that writes the document: a second closing waits for the first to commit and reads
its number, and a transaction that rolls back gives its number back with everything else. A
sequence (PostgreSQL's SEQUENCE) would be faster but keeps numbers a rollback consumed: the law
asks for numbers without gaps.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import DocumentCounter


def format_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:06d}"


def allocate(session: Session, series: str, year: int, *, label: str | None = None) -> tuple[int, str]:
    """The next number of ``series`` in ``year``: (sequence, printed number, which starts with
    ``label`` when given: a customer invoice's series is counted per seller, ``C<seller id>``,
    and printed with the seller's code). In the caller's transaction, which holds the
    counter's lock until it ends."""
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # The first document of a series and year makes its counter; two closings making it at once
    # both go on (DO NOTHING), then take turns on the row's lock.
    session.execute(
        make_insert(DocumentCounter)
        .values(series=series, year=year, last=0)
        .on_conflict_do_nothing(index_elements=["series", "year"])
    )
    counter = session.scalars(
        select(DocumentCounter)
        .where(DocumentCounter.series == series, DocumentCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last += 1
    session.flush()
    return counter.last, format_number(label or series, year, counter.last)


__all__ = ["allocate", "format_number"]
