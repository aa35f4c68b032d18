"""The marketplace API: JSON under /api/v1 for sellers' and the operator's systems, secured
with OAuth 2.0 (storefront/api/auth.py). One module per domain; each view is a thin adapter over
the same services as the seller portal and the back office. Errors are problem+json
(storefront/api/problems.py).

The API is stateless: no session cookie, no CSRF token (a bearer token is not sent by a browser
on its own, so cross-site forgery has nothing to ride on).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request

bp = Blueprint("api", __name__, url_prefix="/api/v1")
oauth_bp = Blueprint("oauth", __name__)

# Bodies above this are refused with 413 before they are read (bulk offer imports stay under it).
MAX_BODY = 1024 * 1024
API_PREFIXES = ("/api/", "/oauth/", "/.well-known/jwks.json")


def is_api_request() -> bool:
    """Requests the API answers, errors included, in problem+json."""
    return request.path.startswith(API_PREFIXES) or request.path == "/api"


@bp.before_request
def limit_body():
    request.max_content_length = current_app.config.get("API_MAX_BODY", MAX_BODY)


@bp.after_request
@oauth_bp.after_request
def no_caching(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    from storefront.extensions import csrf

    from . import (  # noqa: F401  (routes on bp)
        audit,
        auth,
        catalog,
        catalog_imports,
        delivery,
        discussions,
        docs,
        finance,
        imports,
        offer_feeds,
        orders,
        ratings,
        reference,
        sellers,
        tracking,
        webhooks,
    )

    auth.init_app(app)
    csrf.exempt(bp)
    csrf.exempt(oauth_bp)
    app.register_blueprint(bp)
    app.register_blueprint(oauth_bp)
    # Unknown routes under /api answer problem+json: storefront/errors.py asks is_api_request.
    from .cli import api_command

    app.cli.add_command(api_command)


@oauth_bp.post("/oauth/token")
def token():
    from . import auth

    return auth.issue_token()


@oauth_bp.post("/oauth/introspect")
def introspect():
    from . import auth

    return auth.introspect()


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, built from the views' declared models (storefront/api/schema.py)."""
    from flask import jsonify

    from .schema import document

    answer = jsonify(document())
    answer.headers["Cache-Control"] = "public, max-age=300"
    return answer


@oauth_bp.get("/api/problems/<code>")
def problem_type(code: str):
    """What a problem ``type`` means: the URI resolves, for a developer who follows it."""
    from flask import jsonify

    from .problems import TITLES, ApiProblem

    if code not in TITLES:
        raise ApiProblem(404, "not_found", f"There is no problem type {code!r}.")
    return jsonify({"type": f"/api/problems/{code}", "title": TITLES[code]})


@oauth_bp.get("/.well-known/jwks.json")
def jwks():
    from . import auth

    return auth.jwks()
