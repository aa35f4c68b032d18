"""The shop's clock for views, jobs and templates: the app's :class:`ShopClock`.

``init_app`` builds it once from ``SHOP_TIMEZONE`` and installs it for the app's database, so
that services find the same clock from their session (``storefront/marketplace/clock.py`` says
why). ``FROZEN_TIME`` (an aware datetime) is read at each reading: tests and demos freeze the
shop, and may thaw it, through the app's configuration.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from storefront.marketplace import clock as shop_clock
from storefront.marketplace.clock import ShopClock
from storefront.marketplace.errors import InvalidValue
from storefront.settings import ConfigError

EXTENSION = "shop_clock"


def init_app(app: Flask) -> None:
    from storefront.extensions import db

    config = app.config
    try:
        tz = shop_clock.zone(config["SHOP_TIMEZONE"])
    except InvalidValue:
        raise ConfigError(
            f"SHOP_TIMEZONE={config['SHOP_TIMEZONE']!r} is not a time zone; use an IANA name "
            "(Region/City)."
        ) from None
    if config.get("FROZEN_TIME") is not None:
        try:
            shop_clock.check_moment(config["FROZEN_TIME"], "FROZEN_TIME")
        except InvalidValue as err:
            raise ConfigError(
                f"{err}: give it a timezone, e.g. datetime(..., tzinfo=UTC)."
            ) from None
    clock = ShopClock(tz, lambda: config.get("FROZEN_TIME"))
    app.extensions[EXTENSION] = clock
    with app.app_context():
        shop_clock.install(db.engine, clock)


def current() -> ShopClock:
    return current_app.extensions[EXTENSION]


def now() -> datetime:
    return current().now()


def today() -> date:
    return current().today()


def tz() -> ZoneInfo:
    return current().tz
