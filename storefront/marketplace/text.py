"""Small text rules shared by the domains (slugs for URLs)."""

from __future__ import annotations

import re
import unicodedata


def slugify(value: str, max_length: int = 120) -> str:
    """``Téléviseur 4K « Ultra »`` → ``televiseur-4k-ultra``."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "x"
