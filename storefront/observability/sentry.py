"""Error reports to Sentry, only when ``SENTRY_DSN`` is set: otherwise ``sentry_sdk`` is not even
imported.

Unhandled exceptions of requests (Flask integration) and error-level log records are sent, with
the environment name (``STOREFRONT_ENV``) and the release (``SENTRY_RELEASE``, else the
package's version). No personal data: ``send_default_pii`` is off (no addresses, cookies or user
fields). ``SENTRY_TRACES_SAMPLE_RATE`` (default 0) is the share of requests traced.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        environment=app.config["ENV_NAME"],
        release=app.config.get("SENTRY_RELEASE") or _release(),
        traces_sample_rate=app.config.get("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,
    )


def _release() -> str:
    try:
        return f"storefront@{version('storefront')}"
    except PackageNotFoundError:
        return "storefront@unknown"
