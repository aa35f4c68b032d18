"""Payment jobs: carry out a payment operation (capture, refund, void) right after the
transaction that recorded it commits, and a sweep every minute that retries those the provider
could not take (``marketplace.payment_operations``).

Both run in a session of their own: the first one may run inside the commit of the web request's
session (immediate mode under test), where that session cannot be used.
"""

from __future__ import annotations

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import periodic_task, task
from storefront.marketplace import payment_operations


@task
def settle_payment_operation(operation_id: int) -> str:
    """Returns the operation's status afterwards (PENDING: the provider was unavailable)."""
    with Session(db.engine) as session:
        return payment_operations.settle(
            session, current_app.extensions["payment_provider"], operation_id
        ).value


@periodic_task(crontab(minute="*"))
def retry_payment_operations() -> int:
    """Every minute; returns how many operations the provider answered."""
    with Session(db.engine) as session:
        return payment_operations.settle_due(session, current_app.extensions["payment_provider"])


# Queued on the queue of the application whose transaction committed.
payment_operations.settle_after_commit(settle_payment_operation)
