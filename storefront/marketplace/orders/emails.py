"""The customer's emails about an order, written to the outbox in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storefront.notifications.outbox import enqueue_email
from storefront.settings import LOCALES

from ..models import CustomerOrder


def _locale_of(order: CustomerOrder) -> str:
    return order.locale if order.locale in LOCALES else LOCALES[0]


def _email_customer(session: Session, order: CustomerOrder, template: str, context: dict) -> None:
    enqueue_email(
        session,
        to=order.email,
        template=template,
        context=context,
        locale=_locale_of(order),
        kind=template,
    )
