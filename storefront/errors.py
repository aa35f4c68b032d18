"""Error pages: the shop's own 404/403/500 pages, domain errors mapped to a status, and broken
templates (most often a theme's) shown as the error page of the one page they break."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request, url_for
from flask_babel import gettext as _
from jinja2 import TemplateError
from markupsafe import escape
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from storefront.extensions import db
from storefront.marketplace.errors import DomainError
from storefront.themes.diagnostics import describe, locate

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    from storefront import api
    from storefront.api import problems

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if api.is_api_request():  # the API answers in problem+json, unknown routes included
            return problems.from_http(error)
        return error_page(error.code, error=error)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if api.is_api_request():
            return problems.from_domain(error)
        # A rule refused what the visitor asked; the message is written for them.
        return error_page(error.status, error=error, message=error.message)

    @app.errorhandler(problems.ApiProblem)
    def api_problem(problem: problems.ApiProblem):
        return problems.response(problem)

    @app.errorhandler(TemplateError)
    def template_error(error: TemplateError):
        # A template that does not compile or render: this page answers with the error page,
        # every other page keeps working. The log says which file and line to fix.
        log.error(
            "template error at %s: %s (%s %s)",
            locate(error) or "an unknown place",
            describe(error),
            request.method,
            request.path,
            exc_info=error,
        )
        return error_page(500, error=error)

    @app.errorhandler(IntegrityError)
    def write_conflict(error: IntegrityError):
        # A unique row written by two requests at once (the same SKU from two API calls, say):
        # the loser's transaction is gone, nothing half-written; asking again settles it.
        db.session.rollback()
        log.warning("write conflict on %s %s: %s", request.method, request.path, error.orig)
        if api.is_api_request():
            return problems.write_conflict()
        return error_page(409)

    @app.errorhandler(500)
    def server_error(error):
        if api.is_api_request():
            return problems.server_error()
        return error_page(500, error=error)


def error_page(status: int, **context):
    """The shop's error page; a bare one when the error page cannot render either (a theme's
    broken base layout breaks every page, the error page included)."""
    try:
        return render_template("errors/error.html", status=status, **context), status
    except TemplateError as error:
        log.error(
            "the error page cannot render either, at %s: %s",
            locate(error) or "an unknown place",
            describe(error),
        )
        heading = _("Something went wrong") if status >= 500 else _("Error %(status)s", status=status)
        page = (
            '<!doctype html>\n<html><head><meta charset="utf-8"><title>{heading}</title></head>\n'
            '<body><h1 data-testid="error-title">{heading}</h1>\n'
            '<p><a href="{home}">{back}</a></p></body></html>\n'
        ).format(
            heading=escape(heading),
            home=escape(url_for("shop.home")),
            back=escape(_("Back to the home page")),
        )
        return page, status
