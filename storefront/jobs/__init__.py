"""Background jobs on Huey: a real queue, with SQLite storage on one machine (``instance/jobs.db``)
and Redis when ``REDIS_URL`` is set (several workers on several hosts).

Tasks are declared once, unbound (:func:`task`, :func:`periodic_task`). :func:`init_app` builds
an application's own queue from its settings, registers every task on it to run inside that
application, and keeps it in ``app.extensions``: two apps in one process never share a queue.
Calling a task queues it on the queue of the current application. Tasks are thin: they call a
marketplace service, like a view does.

The consumer is ``python -m storefront.jobs`` (the Procfile's worker: Huey's consumer stopping
gracefully on SIGTERM, :mod:`storefront.jobs.worker`). ``huey_consumer storefront.jobs.huey``
works too (it stops at once on SIGTERM): ``huey`` is the queue of an application built from the
process environment, on first access (the web processes never touch it).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import Result, TaskWrapper
from huey.signals import SIGNAL_ERROR

from storefront.observability.context import current_request_id, request_id_set_to

logger = logging.getLogger(__name__)

EXTENSION = "jobs"
# The keyword a queued task carries the request id of the request that queued it under; the
# worker sets it again while the task runs (its logs and the emails it records show it).
REQUEST_ID_KWARG = "_request_id"


def build_queue(settings: Mapping) -> Huey:
    """The queue ``settings`` (Flask configuration keys) ask for: Redis, or a SQLite file."""
    # results=False: nothing reads a task's return value from the queue, so none is stored (they
    # would pile up in jobs.db or Redis); ``call_local`` and the consumer's log still see it.
    redis_url = settings.get("REDIS_URL")
    if redis_url:
        return RedisHuey("storefront", url=redis_url, utc=True, results=False)
    filename = settings["JOBS_DB"]
    Path(filename).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("storefront", filename=filename, utc=True, results=False)


class Task:
    """A job every application's queue runs. Calling it queues it for the current application;
    ``call_local`` runs it at once, in the current application, as the worker would."""

    def __init__(self, func: Callable, schedule: Callable | None = None):
        functools.update_wrapper(self, func)
        self.func = func
        self.schedule = schedule  # a crontab for periodic tasks

    def __call__(self, *args, **kwargs) -> Result | None:
        request_id = current_request_id()
        if request_id:
            kwargs[REQUEST_ID_KWARG] = request_id
        return self.bound_to(current_app)(*args, **kwargs)

    def call_local(self, *args, **kwargs):
        return self.bound_to(current_app).call_local(*args, **kwargs)

    def bound_to(self, app: Flask) -> TaskWrapper:
        return app.extensions[EXTENSION].tasks[self.func.__name__]

    def register(self, huey: Huey, app: Flask) -> TaskWrapper:
        """Register on ``huey`` under the function's own name (the name queued messages carry)."""

        run = self.func if self.schedule is None else _recorded(self.func)

        @functools.wraps(self.func)
        def run_in_app(*args, **kwargs):
            request_id = kwargs.pop(REQUEST_ID_KWARG, None)
            with app.app_context(), request_id_set_to(request_id or current_request_id()):
                return run(*args, **kwargs)

        if self.schedule is None:
            return huey.task()(run_in_app)
        return huey.periodic_task(self.schedule)(run_in_app)


def _recorded(func: Callable) -> Callable:
    """``func`` (a scheduled job) writing each of its runs to ``job_run`` (start, end, result or
    error) for the back office's operations page, in a session of its own: the job's own
    transaction, committed or rolled back, does not carry it. Recording never stops the job."""
    from sqlalchemy.orm import Session

    from storefront.extensions import db
    from storefront.marketplace import job_runs

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            with Session(db.engine) as session:
                run_id = job_runs.started(session, func.__name__)
        except Exception:  # the database is down: the job will say so itself
            logger.exception("could not record the start of %s", func.__name__)
            run_id = None
        ok, message = False, ""
        try:
            result = func(*args, **kwargs)
            ok, message = True, "" if result is None else str(result)
            return result
        except BaseException as error:
            message = f"{type(error).__name__}: {error}"
            raise
        finally:
            # Whatever the job left uncommitted ends here, as the app context's teardown would end
            # it: still open, its locks could hold the row the next line writes (on PostgreSQL
            # that write would wait for this very thread, for ever).
            db.session.rollback()
            if run_id is not None:
                try:
                    with Session(db.engine) as session:
                        job_runs.finished(session, run_id, ok=ok, message=message)
                except Exception:
                    logger.exception("could not record the end of %s", func.__name__)

    return run


_tasks: list[Task] = []


def task(func: Callable) -> Task:
    """Declare a task (a decorator)."""
    declared = Task(func)
    _tasks.append(declared)
    return declared


def periodic_task(schedule: Callable) -> Callable[[Callable], Task]:
    """Declare a task the consumer runs on ``schedule`` (a huey ``crontab``)."""

    def declare(func: Callable) -> Task:
        declared = Task(func, schedule)
        _tasks.append(declared)
        return declared

    return declare


@dataclass(frozen=True)
class BoundQueue:
    """What ``app.extensions["jobs"]`` holds: the app's queue and its tasks, bound to the app."""

    huey: Huey
    tasks: dict[str, TaskWrapper]


def init_app(app: Flask) -> None:
    """Give ``app`` its own queue. Under test, tasks run at once, in the test's process."""
    huey = build_queue(app.config)
    huey.immediate = bool(app.config["TESTING"])
    tasks = {t.func.__name__: t.register(huey, app) for t in _tasks}
    app.extensions[EXTENSION] = BoundQueue(huey, tasks)
    _observe(huey)


def _observe(huey: Huey) -> None:
    """Count failed tasks (``storefront_job_failures_total``)."""
    from storefront.observability import metrics

    huey.signal(SIGNAL_ERROR)(metrics.count_job_failure)


def queue(app: Flask) -> Huey:
    """``app``'s queue."""
    return app.extensions[EXTENSION].huey


@functools.cache
def _worker_queue() -> Huey:
    from storefront import create_app

    return queue(create_app())


def __getattr__(name: str):
    # ``storefront.jobs.huey``: the consumer's queue, built when the consumer imports it.
    if name == "huey":
        return _worker_queue()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from storefront.jobs import billing, deadlines, email, events, exports, housekeeping, imports, payments, webhooks  # noqa: E402,F401,I001  (tasks are declared on import)


def scheduled_names() -> list[str]:
    """The names of the scheduled jobs (their runs are recorded: ``marketplace.job_runs``)."""
    return sorted(declared.func.__name__ for declared in _tasks if declared.schedule is not None)
