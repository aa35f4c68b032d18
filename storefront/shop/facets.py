"""Facet selections in the query string, both ways: shareable URLs that survive the back button.

    ?brand=bosch&colour=WHITE&capacity_kg_min=7&price_max=500&condition=NEW&seller=maison-martin
     &shipped_by_retailer=1&mode=EHD&sort=price&page=2

Anything malformed (a negative price, a non-number, ``1e26``, an unknown value) is ignored, and
the page says nothing worse than showing the unfiltered facet: a link never breaks. Numbers are
read by ``storefront.web.query_params``, whose docstring states the policy for every page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from storefront.marketplace.listing import SORTS, Selection
from storefront.web import query_params

RESERVED = {"brand", "price_min", "price_max", "condition", "seller", "shipped_by_retailer",
            "mode", "sort", "page", "q"}
MAX_PRICE_EUROS = 10_000_000  # beyond any price in the shop; larger bounds are ignored
# Beyond any measure of a product (kg, litres, cm, watts…); larger bounds are ignored. It also
# keeps the number within what the facet's formatting can print (Babel quantizes to 28 digits).
MAX_ATTRIBUTE_VALUE = 1_000_000_000
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
    return query_params.choice(args.get("sort"), SORTS, "relevance")


def page_from(args: MultiDict) -> int:
    return query_params.page(args)


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
    value = query_params.decimal(raw, high=MAX_ATTRIBUTE_VALUE)
    return None if value is None else float(value)


def _cents(raw: str | None) -> int | None:
    """Euros as typed ("12,50") → cents; negative, malformed or huge → no bound."""
    return query_params.cents(raw, high_euros=MAX_PRICE_EUROS)


def query(args: MultiDict) -> str:
    """The query string of ``args``, every value of repeated parameters included."""
    return urlencode(list(args.items(multi=True)))
