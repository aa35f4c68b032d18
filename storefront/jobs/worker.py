"""The job worker: ``python -m storefront.jobs [options]`` (the Procfile's ``worker``).

Huey's consumer, with the options of ``huey_consumer`` (``--workers``, ``--worker-type``,
``--shutdown-timeout``…), on the queue of an application built from the environment, and what a
deploy needs:

- SIGTERM (what platforms, systemd, Docker and honcho send to stop a process) stops it
  *gracefully*: no new task is taken and the running ones finish (the outbox sweep stops after
  the message it is on), for at most ``--shutdown-timeout`` seconds, 20 by default, under the
  usual 30 s before a SIGKILL. A second SIGTERM, or SIGINT, stops it at once. SIGHUP restarts it
  gracefully in place.
- Deliveries still running when it stops (past the timeout, or stopped at once) are given back:
  their outbox rows go back to PENDING, due at once, and their delivery is queued again, so the
  next worker sends them without waiting for the lease to run out
  (:func:`storefront.notifications.delivery.release_held`).

A worker that is killed outright (SIGKILL, a crash, the machine) releases nothing: its rows wait
for their lease (ten minutes) and the sweep takes them again. Nothing is lost either way.
"""

from __future__ import annotations

import logging
import sys
import threading

from huey.consumer import Consumer as HueyConsumer
from huey.consumer_options import ConsumerConfig, OptionParserHandler
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.notifications import delivery
from storefront.webhooks import delivery as webhook_delivery

# Set when the worker is asked to stop: long tasks check it between units of work.
stopping = threading.Event()

DEFAULT_SHUTDOWN_TIMEOUT = 20.0  # seconds

log = logging.getLogger(__name__)


class Consumer(HueyConsumer):
    """Huey's consumer on ``app``'s queue, giving back what it still holds when it stops."""

    def __init__(self, app, **options):
        from storefront import jobs

        self.app = app
        super().__init__(jobs.queue(app), **options)

    def stop(self, graceful: bool = False) -> None:
        stopping.set()
        try:
            super().stop(graceful=graceful)  # graceful: waits for the workers, up to the timeout
        finally:
            self.release()

    def release(self) -> list[int]:
        """Release the outbox claims still held, and queue their delivery again."""
        from storefront.jobs.email import deliver_outbox_message

        try:
            with self.app.app_context(), Session(db.engine) as session:
                released = delivery.release_held(session)
                for message_id in released:
                    deliver_outbox_message(message_id)
        except Exception:  # the database is down: the leases will run out instead
            log.exception("could not release the outbox messages this worker holds")
            return []
        if released:
            log.warning("released %s outbox message(s) unsent, queued again", len(released))
        self.release_webhooks()
        return released

    def release_webhooks(self) -> list[int]:
        """Release the webhook deliveries still held (the sweep, or the next worker, sends them)."""
        try:
            with self.app.app_context(), Session(db.engine) as session:
                released = webhook_delivery.release_held(session)
        except Exception:
            log.exception("could not release the webhook deliveries this worker holds")
            return []
        if released:
            log.warning("released %s webhook deliveries unsent", len(released))
        return released


def main(argv: list[str] | None = None) -> None:
    parser = OptionParserHandler().get_option_parser()
    parser.set_usage("python -m storefront.jobs [options]")
    options, args = parser.parse_args(argv)
    if args:
        parser.error("no import path: the queue is the application's (from the environment)")
    values = {k: v for k, v in vars(options).items() if v is not None}
    values.setdefault("graceful_signal", "TERM")
    values.setdefault("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT)
    config = ConsumerConfig(**values)
    config.validate()
    config.setup_logger(logging.getLogger("huey"))
    config.setup_logger(logging.getLogger("storefront"))

    from storefront import ConfigError, create_app

    try:
        app = create_app()
    except ConfigError as error:
        sys.exit(f"storefront: configuration error: {error}")
    Consumer(app, **config.values).run()

