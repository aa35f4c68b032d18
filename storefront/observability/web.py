"""The web layer's part: the request id of each request, its access line and its latency."""

from __future__ import annotations

import contextlib
import logging
import time

from flask import Flask, g, request

from storefront.observability import context

access_log = logging.getLogger("storefront.access")

# Probes and scrapes every few seconds would drown the access log: they log at DEBUG.
QUIET_ENDPOINTS = frozenset({"health.healthz", "health.readyz", "metrics.scrape"})


def init_app(app: Flask) -> None:
    def start_request():
        supplied = request.headers.get("X-Request-ID")
        g.request_id = supplied if context.well_formed(supplied) else context.new_request_id()
        g.request_id_token = context.set_request_id(g.request_id)
        g.request_started = time.perf_counter()

    # First of all before-request functions, so the others' logs carry the id and their time
    # counts.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)

    @app.after_request
    def finish_request(response):
        from storefront.observability import metrics

        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        endpoint = request.endpoint
        metrics.observe_request(endpoint, response.status_code, seconds)
        access_log.log(
            logging.DEBUG if endpoint in QUIET_ENDPOINTS else logging.INFO,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "remote_addr": request.remote_addr,
            },
        )
        return response

    @app.teardown_request
    def forget_request_id(error=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            # ValueError: set in another context (a test client's copied context)
            with contextlib.suppress(ValueError):
                context.reset_request_id(token)
