"""The customer's emails about an order, written to the outbox in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storefront.settings import LOCALES

from .. import outbox
from ..models import CustomerOrder


def _locale_of(order: CustomerOrder) -> str:
    return order.locale if order.locale in LOCALES else LOCALES[0]


def _email_customer(session: Session, order: CustomerOrder, template: str, context: dict) -> None:
    """``context`` holds plain values (``email_contexts``): the worker renders the email."""
    outbox.record_email(
        session,
        to=order.email,
        template=template,
        context=context,
        locale=_locale_of(order),
        kind=template,
    )
