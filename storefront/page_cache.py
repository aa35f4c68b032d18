"""A short-lived cache of rendered catalog pages, with holes for what belongs to the visitor.

Product, category and search pages are the same for every anonymous shopper of a zone and
language for a minute or so, and rendering them (ranking offers, facet counts, templates) costs
far more than serving them. Responses are cached per process (``PAGE_CACHE_SECONDS``, 0 turns
it off; tests run without it) under a key of the URL, language, theme, postal code and htmx
flag. What is personal is punched out: the CSRF token (each visitor gets their own, the cached
copy holds a placeholder), and pages with pending messages or for signed-in customers are never
cached. Offers changed by a seller show within the time-to-live, like any shop behind a page
cache; the cart and checkout always re-check prices and stock.
"""

from __future__ import annotations

import secrets
import threading
from functools import wraps

from cachetools import TTLCache
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf

from storefront.extensions import db
from storefront.marketplace import reference_cache

# Unguessable per process, so a page cannot smuggle the placeholder in through user content.
CSRF_HOLE = f"__csrf_{secrets.token_hex(16)}__"

_lock = threading.Lock()


def init_app(app: Flask) -> None:
    seconds = app.config.setdefault("PAGE_CACHE_SECONDS", 0 if app.config["TESTING"] else 60)
    entries = app.config.setdefault("PAGE_CACHE_ENTRIES", 5000)
    app.extensions["page_cache"] = TTLCache(maxsize=entries, ttl=max(seconds, 1))

    @app.context_processor
    def csrf_with_holes():
        # Registered after Flask-WTF's processor, so templates get this csrf_token().
        return {"csrf_token": _csrf_token}


def _csrf_token() -> str:
    return CSRF_HOLE if g.get("page_cache_rendering") else generate_csrf()


def clear() -> None:
    with _lock:
        current_app.extensions["page_cache"].clear()


def cached_page(view):
    """Serve ``view`` from the cache when the visitor has nothing personal on the page."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        key = (
            request.full_path,
            bool(request.headers.get("HX-Request")),
            bool(request.headers.get("HX-History-Restore-Request")),
            str(get_locale()),
            current_app.config["THEME"],
            session.get("country", "FR"),
            session.get("postal_code"),
            # Preferences, mappings and delivery tables as this process knows them: a change
            # saved in the back office by any process makes new keys (reference_cache).
            reference_cache.seen_generation(db.session),
        )
        cache = current_app.extensions["page_cache"]
        with _lock:
            hit = cache.get(key)
        if hit is None:
            g.page_cache_rendering = True
            try:
                response = current_app.make_response(view(*args, **kwargs))
            finally:
                g.page_cache_rendering = False
            if response.status_code != 200 or response.direct_passthrough:
                return response
            hit = (response.get_data(), response.mimetype, dict(response.headers))
            with _lock:
                cache[key] = hit
        body, mimetype, headers = hit
        token = generate_csrf().encode()
        response = current_app.response_class(body.replace(CSRF_HOLE.encode(), token), mimetype=mimetype)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "set-cookie"):
                response.headers[name] = value
        return response

    return wrapper


def _cacheable() -> bool:
    if not current_app.config["PAGE_CACHE_SECONDS"] or request.method != "GET":
        return False
    # Signed in, or about to be through a remember-me cookie: the header is personal. Read from
    # the session and cookie directly, without loading the user (this runs on every hit).
    if session.get("_user_id") or request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return False
    return not (session.get("_flashes") or session.get("postal_code_attempt"))
