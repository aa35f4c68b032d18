"""Customers' conversations with sellers and customer service (``/messages``).

Also registers what every area needs to show conversations: the unread count in the header, the
links of the notification emails, and the date-and-time filter of message lists.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g
from flask_babel import format_datetime
from flask_login import current_user

bp = Blueprint("discussions", __name__, url_prefix="/messages")


@bp.app_template_filter("datetime")
def datetime_filter(value: datetime | None, fmt: str = "short") -> str:
    """``27/11/2026 14:05`` in the shop's timezone (Babel's), for message and event times."""
    return "" if value is None else format_datetime(value, fmt)


@bp.app_context_processor
def inject_message_helpers():
    return {
        "unread_messages": unread_messages,
        "threads_about_order": threads_about_order,
    }


def unread_messages() -> int:
    """Unread messages of the signed-in person, counted once per request (header and page)."""
    if not current_user or not current_user.is_authenticated:
        return 0
    if "unread_messages" not in g:
        from storefront.extensions import db
        from storefront.marketplace import discussions

        g.unread_messages = discussions.unread_total(db.session, current_user._get_current_object())
    return g.unread_messages


def threads_about_order(seller_order) -> list:
    """The signed-in person's conversations about one seller order (for "My orders")."""
    if not current_user or not current_user.is_authenticated:
        return []
    from storefront.extensions import db
    from storefront.marketplace import discussions

    return discussions.threads_about(db.session, seller_order, current_user._get_current_object())


from storefront.discussions import views  # noqa: E402,F401  (routes register on import)
