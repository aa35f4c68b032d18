"""Checks shared by the services that change an order: the version the page showed, lines of
this order, notes as typed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..errors import Conflict, InvalidValue, NotFound
from ..models import OrderLine, SellerOrder
from ..refusals import Refusal

MAX_NOTE_LENGTH = 1_000


def _check_version(seller_order: SellerOrder, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != seller_order.version:
        raise Conflict(
            f"order {seller_order.number} has changed since this page was shown (in another tab "
            "or by a colleague); check it again",
            reason=Refusal.STALE,
        )


def _lines_of(seller_order: SellerOrder, line_ids: Iterable[int]) -> list[OrderLine]:
    """The lines of ``seller_order`` with these ids; an id of another order is unknown here."""
    by_id = {line.id: line for line in seller_order.lines}
    lines = []
    for line_id in line_ids:
        line = by_id.get(line_id)
        if line is None:
            raise NotFound(f"order {seller_order.number} has no line {line_id!r}", reason=Refusal.LINE)
        lines.append(line)
    return lines


def _clean_note(note: str) -> str:
    # Notes are shown as text; control characters (a NUL byte breaks PostgreSQL) are dropped.
    note = "".join(ch for ch in (note or "") if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidValue(f"a note is at most {MAX_NOTE_LENGTH:,} characters", reason=Refusal.NOTE_TOO_LONG)
    return note


def _cents(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency}"
