"""Error reports to Sentry, only when ``SENTRY_DSN`` is set: otherwise ``sentry_sdk`` is not even
imported.

Unhandled exceptions of requests (Flask integration) and error-level log records are sent, with
the environment name (``STOREFRONT_ENV``) and the release (``SENTRY_RELEASE``, else the
package's version). No personal data: ``send_default_pii`` is off (no addresses, cookies or user
fields, no form bodies). ``SENTRY_TRACES_SAMPLE_RATE`` (default 0) is the share of requests traced.
"""

from __future__ import annotations

import inspect
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
        **_no_personal_data(sentry_sdk),
    )


def _no_personal_data(sentry_sdk) -> dict:
    """``send_default_pii=False``, in the words of the installed SDK: recent ones replace it with
    ``data_collection`` (and warn about the old option), where we also leave out request bodies
    (checkout and sign-in forms), cookies and the local variables of stack frames (addresses,
    emails)."""
    options = inspect.signature(sentry_sdk.consts.ClientConstructor.__init__).parameters
    if "data_collection" not in options:
        return {"send_default_pii": False}
    return {
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "stack_frame_variables": False,
        }
    }


def _release() -> str:
    try:
        return f"storefront@{version('storefront')}"
    except PackageNotFoundError:
        return "storefront@unknown"
