"""Facet selections in the query string, both ways: shareable URLs that survive the back button.

    ?brand=bosch&colour=WHITE&capacity_kg_min=7&price_max=500&condition=NEW&seller=maison-martin
     &shipped_by_retailer=1&mode=EHD&sort=price&page=2

Anything malformed (a negative price, a non-number, an unknown value) is ignored, and the page
says nothing worse than showing the unfiltered facet: a link never breaks.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from storefront.marketplace.listing import SORTS, Selection

RESERVED = {"brand", "price_min", "price_max", "condition", "seller", "shipped_by_retailer",
            "mode", "sort", "page", "q"}
MAX_PRICE_EUROS = 10_000_000  # beyond any price in the shop; larger bounds are ignored
MAX_VALUES = 20  # per parameter: enough for any real selection, bounded for a hostile URL


def selection_from(args: MultiDict, list_codes: set[str], range_codes: set[str]) -> Selection:
    def many(name: str) -> frozenset[str]:
        return frozenset(v[:80] for v in args.getlist(name)[:MAX_VALUES] if v)

    return Selection(
        brands=many("brand"),
        items=tuple((code, many(code)) for code in sorted(list_codes) if args.get(code)),
        ranges=tuple(
            (code, _number(args.get(f"{code}_min")), _number(args.get(f"{code}_max")))
            for code in sorted(range_codes)
            if args.get(f"{code}_min") or args.get(f"{code}_max")
        ),
        price_min=_cents(args.get("price_min")),
        price_max=_cents(args.get("price_max")),
        conditions=many("condition"),
        sellers=many("seller"),
        shipped_by_retailer=args.get("shipped_by_retailer") == "1",
        modes=many("mode"),
    )


def sort_from(args: MultiDict) -> str:
    sort = args.get("sort", "relevance")
    return sort if sort in SORTS else "relevance"


def page_from(args: MultiDict) -> int:
    value = args.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def toggled(args: MultiDict, name: str, value: str) -> MultiDict:
    """The query args with ``name=value`` switched on or off, back to page 1."""
    result = MultiDict(args)
    values = result.getlist(name)
    if value in values:
        result.setlist(name, [v for v in values if v != value])
    else:
        result.setlist(name, [*values, value])
    result.pop("page", None)
    return result


def without(args: MultiDict, *names: str) -> MultiDict:
    result = MultiDict(args)
    for name in names:
        result.pop(name, None)
    result.pop("page", None)
    return result


def with_value(args: MultiDict, name: str, value: str) -> MultiDict:
    result = MultiDict(args)
    result[name] = value
    return result


def _number(raw: str | None) -> float | None:
    if not raw or len(raw) > 20:
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None
    return value if value >= 0 and value == value and value != float("inf") else None


def _cents(raw: str | None) -> int | None:
    """Euros as typed ("12,50") → cents; negative or malformed → no bound."""
    if not raw or len(raw) > 20:
        return None
    try:
        value = Decimal(raw.replace(",", ".").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE_EUROS:
        return None
    return int(value * 100)


def query(args: MultiDict) -> str:
    """The query string of ``args``, every value of repeated parameters included."""
    return urlencode(list(args.items(multi=True)))
