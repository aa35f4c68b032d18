"""A secret shown once, on the page that follows the form that made it.

An API client's secret and a webhook subscription's signing secret are given to a person once
(the services keep only a digest of the first; nobody shows the second again). The form's POST
cannot show it itself: reloading that page would post the form again and make a second client.
So the POST keeps the secret for the next request and redirects (303) to a page that takes it,
shows it with ``Cache-Control: no-store``, and forgets it; a reload finds nothing.

Flask's session is a cookie the browser holds, signed but readable, so the secret rides in it
encrypted (Fernet, with a key derived from ``SECRET_KEY``) and only for that one redirect; it
is never in a URL (URLs end up in access logs and browser history) and never logged.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session

_KEY = "secret_once"
_LIFETIME = 600  # seconds: the redirect follows at once; a cookie kept longer shows nothing


def _fernet() -> Fernet:
    secret_key = current_app.config["SECRET_KEY"]
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"secret-once\0" + secret_key).digest()))


def keep(kind: str, ref: str, secret: str) -> None:
    """Keep ``secret`` for the next page that asks for ``kind``/``ref`` (one at a time)."""
    session[_KEY] = {"kind": kind, "ref": ref, "token": _fernet().encrypt(secret.encode()).decode()}


def take(kind: str, ref: str) -> str | None:
    """The secret kept for ``kind``/``ref``, once; None afterwards (or for another page)."""
    kept = session.get(_KEY)
    if not isinstance(kept, dict) or kept.get("kind") != kind or kept.get("ref") != ref:
        return None
    session.pop(_KEY, None)
    try:
        return _fernet().decrypt(str(kept.get("token", "")).encode(), ttl=_LIFETIME).decode()
    except InvalidToken:
        return None


def never_stored(response):
    """Neither the browser nor any cache in between keeps this page."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
