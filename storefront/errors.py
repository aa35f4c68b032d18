"""Error pages: the shop's own 404/403/500 pages, and domain errors mapped to a status."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from storefront.marketplace.errors import DomainError


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_template("errors/error.html", error=error, status=error.code), error.code

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        # A rule refused what the visitor asked; the message is written for them.
        return render_template(
            "errors/error.html", error=error, status=error.status, message=error.message
        ), error.status

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/error.html", error=error, status=500), 500
