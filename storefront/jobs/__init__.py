"""Background jobs on Huey: a real queue, with SQLite storage on one machine (``instance/jobs.db``)
and Redis when ``REDIS_URL`` is set (several workers on several hosts).

The consumer is ``huey_consumer storefront.jobs.huey`` (see the Procfile). Tasks are thin: they
open an application context and call a marketplace service, like a view does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

from storefront.settings import default_instance_path


def build_queue(environ) -> Huey:
    redis_url = environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("storefront", url=redis_url, utc=True)
    filename = environ.get("JOBS_DB") or str(default_instance_path(environ) / "jobs.db")
    Path(filename).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("storefront", filename=filename, utc=True)


huey = build_queue(os.environ)

_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Let tasks run inside ``app``. Under test, tasks run at once, in the test's process."""
    global _app
    _app = app
    if app.config["TESTING"]:
        huey.immediate = True


@contextmanager
def app_context() -> Iterator[Flask]:
    global _app
    if _app is None:  # in the consumer process: build the app once, from the environment
        from storefront import create_app

        _app = create_app()
    with _app.app_context():
        yield _app


from storefront.jobs import deadlines, email  # noqa: E402,F401  (tasks register on import)
