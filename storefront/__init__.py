"""Storefront: a Flask web shop with an integrated marketplace.

``create_app`` reads like the table of contents of the application.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from storefront.settings import ConfigError, default_instance_path, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["ConfigError", "create_app"]


def create_app(environ: Mapping[str, str] | None = None, **overrides) -> Flask:
    """Build the application.

    ``environ`` defaults to ``os.environ``; tests pass their own mapping instead of patching the
    process environment. ``overrides`` are Flask configuration keys applied last.
    Raises :class:`ConfigError` with a one-line explanation when the configuration is wrong.
    """
    environ = os.environ if environ is None else environ
    app = Flask(
        __name__,
        instance_path=str(default_instance_path(environ)),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_settings(environ, app.instance_path))
    app.config.update(overrides)
    refuse_public_development_server(app)

    register_observability(app)  # first: its hooks run before the others and see every request
    register_proxies(app)
    register_themes(app)  # first: it chooses the template environment the others extend
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    register_jobs(app)
    return app


def refuse_public_development_server(app: Flask) -> None:
    """``flask run --host 0.0.0.0`` in development would show captured emails to anyone."""
    from storefront import listening

    listening.check_flask_run(app.config["ENV_NAME"])


def register_observability(app: Flask) -> None:
    """Logs with request ids, /metrics, Sentry when configured, and the /healthz and /readyz
    probes."""
    from storefront import health, observability

    observability.init_app(app)
    health.init_app(app)


def register_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` proxies, take the client's address and scheme from their
    X-Forwarded-For and X-Forwarded-Proto headers (rate limits, secure cookies, CSRF checks)."""
    count = app.config.get("TRUSTED_PROXIES", 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def register_themes(app: Flask) -> None:
    from storefront import themes

    themes.register_themes(app)


def register_extensions(app: Flask) -> None:
    from storefront import clock, database, i18n, page_cache, rate_limit_storage
    from storefront.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    database.configure_engine(app)
    clock.init_app(app)  # the shop's time zone and "now", for views, jobs and services
    from storefront.marketplace import reference_cache

    with app.app_context():  # how soon this process sees preferences another one saved
        reference_cache.set_ttl(
            db.engine,
            app.config.get("REFERENCE_CACHE_SECONDS", reference_cache.TTL_SECONDS),
            check_every=app.config.get("REFERENCE_CHECK_SECONDS", reference_cache.CHECK_SECONDS),
        )
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    page_cache.init_app(app)
    i18n.init_app(app)
    rate_limit_storage.init_app(app)  # limits count where every worker sees them
    login_manager.init_app(app)
    from storefront import auth

    auth.init_login(login_manager)


def register_blueprints(app: Flask) -> None:
    from storefront.account import bp as account_bp
    from storefront.backoffice import bp as backoffice_bp
    from storefront.cart import bp as cart_bp
    from storefront.checkout import bp as checkout_bp
    from storefront.discussions import bp as discussions_bp
    from storefront.media import bp as media_bp
    from storefront.seller import bp as seller_bp
    from storefront.shop import bp as shop_bp

    app.register_blueprint(shop_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(discussions_bp)
    app.register_blueprint(seller_bp)
    app.register_blueprint(backoffice_bp)
    from storefront.onboarding import bp as onboarding_bp

    app.register_blueprint(onboarding_bp)
    # The marketplace API (/api/v1), its OAuth 2.0 token endpoint and its public keys.
    from storefront import api

    api.init_app(app)
    # Captured mail (/_dev/mail) shows every email, reset links included: development only.
    if app.config["ENV_NAME"] == "development":
        from storefront.devmail import bp as devmail_bp

        app.register_blueprint(devmail_bp)


def register_errorhandlers(app: Flask) -> None:
    from storefront import errors

    errors.init_app(app)


def register_security_headers(app: Flask) -> None:
    from storefront import security

    security.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from storefront import formatting
    from storefront.web import labels

    formatting.init_app(app)
    labels.init_app(app)


def register_jobs(app: Flask) -> None:
    from storefront import jobs

    jobs.init_app(app)


def register_commands(app: Flask) -> None:
    from storefront.backup import backup_command
    from storefront.demo.command import seed_demo
    from storefront.export_commands import export_command
    from storefront.import_commands import import_command
    from storefront.setup_commands import shop_command

    app.cli.add_command(seed_demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(shop_command)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
