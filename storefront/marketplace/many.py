"""``column IN (thousands of values)`` kept cheap: the bulk paths (offer imports, the listing
refresh) look up a few thousand ids or SKUs per statement.

On PostgreSQL the values travel as one array parameter (``column = ANY(%s)``): with a plain IN,
every value is a placeholder, and the driver parses the long statement anew for each list length.
SQLite has no arrays and parses placeholders quickly: a plain IN there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ARRAY, any_, literal
from sqlalchemy.orm import Session


def among(session: Session, column, values: Iterable):
    """The condition ``column`` is one of ``values``."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    return column.in_(values)


def insert_rows(session: Session, table, rows: list[dict]) -> None:
    """INSERT many rows of ``table`` (a Core table; every row has the same keys) in the session's
    transaction. On PostgreSQL through COPY, several times faster than an executemany for the
    hundreds of thousands of rows of an import or a listing refresh; elsewhere one executemany.
    Values go through the columns' types as in an INSERT (enums stored by name, say)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    names = list(rows[0])
    processed = [(i, process) for i, name in enumerate(names)
                 if (process := table.c[name].type.bind_processor(dialect)) is not None]
    statement = "COPY {} ({}) FROM STDIN".format(
        dialect.identifier_preparer.format_table(table),
        ", ".join(dialect.identifier_preparer.quote(name) for name in names))
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in names]
            for i, process in processed:
                values[i] = process(values[i])
            copy.write_row(values)
