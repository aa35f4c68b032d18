"""Language of the shop: French first, English available.

The shopper's choice is kept in the session; otherwise the browser's Accept-Language picks among
the supported locales, and ``DEFAULT_LOCALE`` decides when nothing matches.
"""

from __future__ import annotations

from flask import Flask, current_app, request, session

from storefront import clock
from storefront.extensions import babel
from storefront.settings import LOCALES


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or current_app.config["DEFAULT_LOCALE"]


def select_timezone() -> str:
    return clock.tz().key  # dates on pages are the shop's, whoever reads them


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["SHOP_TIMEZONE"])
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
