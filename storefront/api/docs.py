"""The API's browsable docs at ``/api/docs``: Swagger UI (vendored in static/vendor/swagger-ui/,
served from our origin, no CDN) over the OpenAPI document at ``/api/v1/openapi.json``."""

from __future__ import annotations

from flask import render_template

from . import oauth_bp


@oauth_bp.get("/api/docs")
def docs():
    return render_template("api/docs.html")
