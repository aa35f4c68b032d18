"""htmx fragments: the same partial the page includes, served alone to htmx requests."""

from __future__ import annotations

from flask import make_response, render_template, request


def wants_fragment() -> bool:
    # A history restore asks for the whole page (htmx's cache missed), not a fragment.
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def page_or_fragment(page: str, fragment: str, **context):
    """Render ``fragment`` alone for htmx, ``page`` otherwise; the response varies on HX-Request
    so that caches never serve one for the other."""
    response = make_response(render_template(fragment if wants_fragment() else page, **context))
    response.vary.add("HX-Request")
    return response
