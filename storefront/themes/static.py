"""Static files, theme first: ``/static/<path>`` answers with the active theme's file, else its
parent's, else the shop's own ``static/``.

Templates link them with ``asset_url('css/shop.css')``, which adds ``?v=`` and the first characters
of the file's SHA-256: the URL changes when the content does, so a response for a versioned URL
can be cached for a year and a new stylesheet still reaches every browser at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from flask import Flask, abort, current_app, request, send_from_directory, url_for
from werkzeug.security import safe_join

log = logging.getLogger(__name__)

VERSIONED_MAX_AGE = 365 * 24 * 3600
DIGEST_LENGTH = 12

_digests: dict[tuple[str, int, int], str] = {}
_digests_lock = threading.Lock()


def static_folders(app: Flask) -> list[Path]:
    return app.extensions["themes"].static_folders


def find_static(filename: str, app: Flask | None = None) -> Path | None:
    """The file that ``/static/<filename>`` serves, or None (also for a path leaving the folder)."""
    app = app or current_app
    if not _acceptable(filename):
        return None
    for folder in static_folders(app):
        joined = safe_join(str(folder), filename)
        if joined is not None and os.path.isfile(joined):
            return Path(joined)
    return None


def _acceptable(filename: str) -> bool:
    # safe_join already refuses what would leave the folder; a ".." anywhere is refused too, even
    # one that would stay inside ("css/../x"): no file needs it, and probes use it.
    parts = filename.replace("\\", "/").split("/")
    return (
        bool(filename)
        and not filename.startswith("/")
        and ".." not in parts
        and "\\" not in filename
    )


def fingerprint(path: Path) -> str:
    """The first characters of the file's SHA-256, recomputed when the file changes."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    digest = _digests.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
        with _digests_lock:
            _digests[key] = digest
    return digest


def asset_url(filename: str) -> str:
    """URL of a static file with its cache-busting version (a template global)."""
    path = find_static(filename)
    if path is None:
        # The page still renders (a missing stylesheet is not worth an error page), and the log
        # and `flask theme check` say which file is missing.
        log.warning("asset_url(%r): no such file in the theme's static/ nor in static/", filename)
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=fingerprint(path))


def serve_static(filename: str):
    """The view of Flask's ``static`` endpoint, theme first."""
    path = find_static(filename)
    if path is None:
        abort(404)
    if request.args.get("v"):
        # A versioned URL never changes content: browsers and proxies may keep it for a year.
        response = send_from_directory(path.parent, path.name, max_age=VERSIONED_MAX_AGE)
        response.cache_control.public = True
        response.cache_control.immutable = True
        return response
    return send_from_directory(
        path.parent, path.name, max_age=current_app.get_send_file_max_age(filename)
    )


def init_app(app: Flask) -> None:
    app.view_functions["static"] = serve_static
    app.jinja_env.globals["asset_url"] = asset_url
