"""Who is browsing: the postal code and delivery zone kept in the session.

The shopper gives a postal code once; promises, fees and availability follow it on every page.
Without one, the operator's default postal code (back office preferences), else the shop's
``DEFAULT_POSTAL_CODE`` (Paris), is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, session

from storefront.extensions import db
from storefront.marketplace import delivery, preferences
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import Zone


@dataclass(frozen=True)
class Destination:
    country: str
    postal_code: str
    zone: Zone | None  # None only while the shop has no delivery zone set up at all
    chosen: bool  # False while the shop's default is used


def destination() -> Destination:
    """The shopper's destination, looked up once per request."""
    if "destination" not in g:
        country = session.get("country", "FR")
        postal_code = session.get("postal_code")
        chosen = postal_code is not None
        try:
            zone = delivery.zone_for(db.session, country, postal_code) if chosen else None
        except DomainError:  # a zone was removed since: fall back to the default
            zone, chosen = None, False
        if zone is None:
            # The operator's default (back office preferences), else the shop's setting.
            default = preferences.get(db.session, "default_postal_code")
            country, postal_code = "FR", default or current_app.config["DEFAULT_POSTAL_CODE"]
            try:
                zone = delivery.zone_for(db.session, country, postal_code)
            except DomainError:  # a shop not set up yet: pages show nothing deliverable
                zone = None
        g.destination = Destination(country, postal_code, zone, chosen)
    return g.destination


def choose(country: str, postal_code: str) -> Destination:
    """Validate and remember a postal code; raises the service's error for a bad one."""
    zone = delivery.zone_for(db.session, country, postal_code)
    clean = delivery.clean_postal_code(country, postal_code)
    session["country"], session["postal_code"] = country, clean
    g.destination = Destination(country, clean, zone, True)
    return g.destination
