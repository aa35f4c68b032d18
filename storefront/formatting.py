"""Template filters that format money and dates for the shopper's locale (Babel)."""

from __future__ import annotations

from datetime import date, datetime

from babel.numbers import format_percent
from flask import Flask
from flask_babel import format_currency, format_date, format_decimal, get_locale


def money(amount: int | None, currency: str = "EUR") -> str:
    """``129900`` → ``1 299,00 €`` in French, ``€1,299.00`` in English."""
    if amount is None:
        return ""
    return format_currency(amount / 100, currency)


def day(value: date | datetime | None, fmt: str = "EEEE d MMMM") -> str:
    """``mardi 2 décembre`` / ``Tuesday 2 December``."""
    if value is None:
        return ""
    return format_date(value, fmt)


def short_day(value: date | None) -> str:
    """``mar. 2 déc.`` / ``Tue 2 Dec``."""
    return day(value, "EEE d MMM")


def decimal1(value: float | None) -> str:
    """``4.5`` → ``4,5`` in French."""
    return "" if value is None else format_decimal(value, format="0.0")


def number(value: float | None) -> str:
    """``9.0`` → ``9``, ``8.5`` → ``8,5``: attribute values without useless decimals."""
    return "" if value is None else format_decimal(value, format="0.##")


def rate_bp(value: int | None) -> str:
    """A rate in basis points: ``1250`` → ``12,5 %`` in French, ``12.5%`` in English."""
    if value is None:
        return ""
    # Basis points are exact to the hundredth of a percent: every decimal shown, none made up.
    return format_percent(value / 10000, locale=get_locale(), decimal_quantization=False)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["rate_bp"] = rate_bp
    app.jinja_env.filters["decimal1"] = decimal1
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["short_day"] = short_day
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
