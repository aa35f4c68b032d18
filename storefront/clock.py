"""The shop's notion of "now", for everything that depends on the time of day (promises).

Tests and demos freeze it with the ``FROZEN_TIME`` setting (an aware datetime), so a promise
can be asserted as an exact date.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from storefront.marketplace.models import utcnow


def now() -> datetime:
    return current_app.config.get("FROZEN_TIME") or utcnow()
