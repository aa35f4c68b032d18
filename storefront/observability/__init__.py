"""What operations see of the running shop: logs, request ids, metrics, error reports.

``init_app`` (called by ``create_app``) sets up, from the settings:

- logging (``logs.py``): JSON lines in production, with the request id;
- the request id: from a well-formed ``X-Request-ID`` header or a new one, echoed in the
  response, set for the request's logs, its jobs and its emails (``context.py``, no Flask);
- the access line (``storefront.access`` logger) and the latency histogram of each request;
- ``/metrics`` (``metrics.py``) and, when ``SENTRY_DSN`` is set, Sentry (``sentry.py``).

``context.py`` stays free of Flask: the outbox service and the worker import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

# Nothing here imports Flask at import time: the service layer imports ``context``.


def init_app(app: Flask) -> None:
    from flask.logging import default_handler

    from storefront.observability import logs, metrics, sentry, web

    logs.configure(
        log_format=app.config["LOG_FORMAT"],
        level=app.config["LOG_LEVEL"],
        env_name=app.config["ENV_NAME"],
    )
    if app.config["LOG_FORMAT"] == "json":
        app.logger.removeHandler(default_handler)  # the root logger's JSON handler has them
    web.init_app(app)
    metrics.init_app(app)
    sentry.init_app(app)
