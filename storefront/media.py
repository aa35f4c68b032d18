"""Product images for the demo: SVG placeholders drawn on the fly and cached by the browser.

A real shop stores uploaded images in object storage; the catalog's image URLs point there.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request, send_from_directory

bp = Blueprint("media", __name__, url_prefix="/media")

PALETTE = ["#1f6feb", "#d29922", "#2da44e", "#cf222e", "#8250df", "#bf3989", "#0a7b83", "#6e7781"]


@bp.get("/placeholder/<string:key>.svg")
def placeholder(key: str) -> Response:
    label = request.args.get("label", "")[:40]
    digest = hashlib.sha1(key.encode()).digest()
    colour = PALETTE[digest[0] % len(PALETTE)]
    accent = PALETTE[digest[1] % len(PALETTE)]
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480" viewBox="0 0 480 480">
<rect width="480" height="480" fill="{colour}"/>
<circle cx="{120 + digest[2] % 240}" cy="{120 + digest[3] % 240}" r="{60 + digest[4] % 90}" fill="{accent}" opacity="0.55"/>
<text x="240" y="440" font-family="sans-serif" font-size="28" fill="#fff" text-anchor="middle">{escape(label)}</text>
</svg>"""
    response = Response(svg, mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 86400 * 30
    return response


# --- Uploaded files (product images from the back office) ----------------------------------------
# Kept in a folder (MEDIA_FOLDER, default instance/media) and served from /media/files/; names
# are content hashes chosen by the services (product_images.py), never a name the uploader gave.

FILES_PREFIX = "/media/files/"


class FolderStore:
    """Where services put files: ``save`` returns the URL the pages use. A port, so a shop can
    hand its services an object-storage store with the same two methods."""

    def __init__(self, folder, url_prefix: str = FILES_PREFIX):
        self.folder = Path(folder)
        self.url_prefix = url_prefix

    def save(self, name: str, data: bytes) -> str:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():  # content-addressed: the same name holds the same bytes
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)
        return self.url_prefix + name

    def delete(self, url: str) -> None:
        if url.startswith(self.url_prefix):
            self._path(url[len(self.url_prefix):]).unlink(missing_ok=True)

    def _path(self, name: str):
        path = (self.folder / name).resolve()
        if self.folder.resolve() not in path.parents:  # no ../ out of the media folder
            raise ValueError(f"bad media name {name!r}")
        return path


def store() -> FolderStore:
    return FolderStore(current_app.config.get("MEDIA_FOLDER") or Path(current_app.instance_path) / "media")


@bp.get("/files/<path:name>")
def file(name: str):
    # send_from_directory refuses names that leave the folder; names never change content.
    return send_from_directory(store().folder, name, max_age=86400 * 365)
