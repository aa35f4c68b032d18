"""Numbers read from query strings: one policy for every page that reads ``request.args``.

A query parameter is a hint from a link, never an order: links get shared, truncated, edited
by hand and fuzzed by robots, and none of that may break a page. So:

- **Anything not in the expected form is ignored**, as if the parameter were absent: the page
  applies its default (no filter, page 1, the buy box's offer) and answers 200. Nothing is
  clamped at parsing: ``?price_max=1e26`` does not become "up to 10 million", it simply is
  no bound. (Clamping to what exists is the services' business, with the data at hand: a page
  past the last one shows the last one, see ``listing.browse``.)
- **The expected form is plain ASCII**: digits, and for decimals one ``.`` or ``,`` separator
  (French shoppers type commas). Refused, hence ignored: signs (``-3``, ``+3``), exponents
  (``1e26``), ``nan``, ``inf``, spaces and underscores inside (``1_000``), other scripts'
  digits (``１２``, ``٣``, ``²``: ``int()`` accepts some and not others, and echoing "12" for
  "１２" would surprise more than it helps), and anything longer than :data:`MAX_LENGTH`.
- **Every number has a range**, given by the caller: a value outside it is ignored too. Ids stop
  at :data:`MAX_ID` (PostgreSQL's ``integer``; a larger one would make the database raise).

The raw text is never returned: a caller gets a number or ``None``, so nothing a visitor typed
is echoed back by way of these functions (templates escape the rest).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal

MAX_LENGTH = 20  # characters: more than any number a page uses, bounded for a hostile URL
MAX_ID = 2**31 - 1  # PostgreSQL's integer; no row has a larger id
MAX_PAGE = 10_000  # far past the last page of any listing; larger values are ignored

_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+")


def _clean(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > MAX_LENGTH or not text.isascii():
        return None
    return text


def whole(raw: object, *, low: int = 0, high: int) -> int | None:
    """``"12"`` → 12 when ``low <= 12 <= high``; anything else → ``None`` (ignored)."""
    text = _clean(raw)
    if text is None or not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def decimal(raw: object, *, high: Decimal | int) -> Decimal | None:
    """``"8,5"`` / ``"8.5"`` / ``"8"`` → ``Decimal("8.5")`` when ``0 <= value <= high``;
    anything else (a sign, an exponent, ``nan``, out of range…) → ``None`` (ignored)."""
    text = _clean(raw)
    if text is None or not _DECIMAL.fullmatch(text):
        return None
    value = Decimal(text.replace(",", "."))
    return value if value <= high else None


def cents(raw: object, *, high_euros: int) -> int | None:
    """Euros as typed (``"12,50"``) → 1250 cents, fractions of a cent dropped; ``None`` when
    ignored (see :func:`decimal`)."""
    value = decimal(raw, high=high_euros)
    return None if value is None else int(value * 100)


def identifier(raw: object) -> int | None:
    """A row id (``?offre=12``): 1 to :data:`MAX_ID`, else ``None`` (ignored)."""
    return whole(raw, low=1, high=MAX_ID)


def page(args: Mapping[str, str]) -> int:
    """``?page=``: 1 to :data:`MAX_PAGE`; missing or ignored → 1."""
    return whole(args.get("page"), low=1, high=MAX_PAGE) or 1


def choice(raw: object, allowed: Collection[str], default: str) -> str:
    """One of ``allowed`` (a sort, a state filter), else ``default``."""
    return raw if isinstance(raw, str) and raw in allowed else default


def search(args: Mapping[str, str], name: str = "q", length: int = 80) -> str:
    """A search box's text: printable characters, spaces squeezed, at most ``length``."""
    return " ".join("".join(ch for ch in args.get(name, "") if ch.isprintable()).split())[:length]


def sort(args: Mapping[str, str], allowed: Collection[str], default: str) -> tuple[str, bool]:
    """``?sort=…&dir=asc|desc``: one of ``allowed`` (else ``default``) and whether descending."""
    return choice(args.get("sort"), allowed, default), choice(args.get("dir"), {"asc", "desc"}, "asc") == "desc"
