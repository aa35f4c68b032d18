"""Email delivery jobs: one message right after the transaction that wrote it commits, and a
sweep every minute that delivers whatever is due (retries, and anything the first missed).

Both run in a session of their own: the first one may run inside the commit of the web request's
session (immediate mode under test), where that session cannot be used.
"""

from __future__ import annotations

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import periodic_task, task, worker
from storefront.marketplace import outbox
from storefront.notifications import delivery
from storefront.notifications.render import render_and_store


@task
def deliver_outbox_message(message_id: int) -> str:
    """Returns the outcome (SENT, RETRY, FAILED, or SKIPPED when not due or already taken)."""
    with Session(db.engine) as session:
        return delivery.deliver(
            session, message_id, mail_url=current_app.config["MAIL_URL"], render=render_and_store
        ).value


@periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Every minute; returns how many messages were sent. A stopping worker ends the sweep after
    the message it is on."""
    with Session(db.engine) as session:
        return delivery.deliver_due(
            session,
            mail_url=current_app.config["MAIL_URL"],
            render=render_and_store,
            should_stop=worker.stopping.is_set,
        ).sent


# Queued on the queue of the application whose transaction committed.
outbox.deliver_after_commit(deliver_outbox_message)
