"""Order numbers: made once at checkout, read back from URLs and forms."""

from __future__ import annotations

import secrets
from datetime import datetime

from ..models import utcnow

# Crockford's alphabet: no I, L, O or U, so a number read over the phone is not misheard.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_order_number(now: datetime | None = None) -> str:
    """``SF-261127-7K3QX``: the date for humans, five random characters for uniqueness."""
    now = now or utcnow()
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(5))
    return f"SF-{now:%y%m%d}-{suffix}"


def clean_number(raw: str | None) -> str:
    """An order number as typed or taken from a URL: letters, digits and dashes only (anything
    else cannot be in a number, and a NUL byte would even be refused by PostgreSQL)."""
    return "".join(
        ch for ch in (raw or "").strip().upper() if ch.isascii() and (ch.isalnum() or ch == "-")
    )[:24]
