"""Billing job: every hour (at minute 23), make the billing periods up to now and close those
that have ended (statements, commission invoices, credit notes: ``marketplace.billing``). A
closing already done is not done again, so an hour missed or a second worker costs nothing."""

from __future__ import annotations

from huey import crontab

from storefront.extensions import db
from storefront.jobs import periodic_task
from storefront.marketplace import billing


@periodic_task(crontab(minute="23"))
def close_billing_periods() -> int:
    """Returns how many statements were written."""
    closings = billing.close_ended_periods(db.session)
    return sum(len(closing.statements) for closing in closings)
