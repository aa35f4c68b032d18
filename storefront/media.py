"""Product images for the demo: SVG placeholders drawn on the fly and cached by the browser.

A real shop stores uploaded images in object storage; the catalog's image URLs point there.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request

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
