"""Domain errors of orders, parcels and conversations, told in the visitor's language.

Services raise errors with an English message and a ``reason`` code (plus the numbers the
sentence needs); the seller portal, the back office and the messages pages show the sentence
written here for that code, and the service's own words for anything not listed.
"""

from __future__ import annotations

from flask_babel import gettext as _

from storefront.formatting import money
from storefront.marketplace.errors import Conflict, DomainError
from storefront.marketplace.models import SellerOrderState

STATE_NAMES = {
    "WAITING_ACCEPTANCE": lambda: _("waiting for acceptance"),
    "SHIPPING": lambda: _("accepted"),
    "SHIPPED": lambda: _("shipped"),
    "TO_COLLECT": lambda: _("ready to collect"),
    "RECEIVED": lambda: _("delivered"),
    "CLOSED": lambda: _("closed"),
    "REFUSED": lambda: _("refused"),
    "CANCELED": lambda: _("cancelled"),
}


def state_name(state: str | SellerOrderState) -> str:
    value = SellerOrderState(state).value
    return STATE_NAMES[value]()


def explain(error: DomainError) -> str:
    details = error.details
    reason = details.get("reason")
    state = details.get("state")
    if isinstance(error, Conflict):
        return _(
            "This order has just been changed elsewhere (another tab or a colleague). Nothing was "
            "changed by your action: check the order as it is now, then try again."
        )
    if reason == "not_waiting":
        return _("This order is %(state)s: its lines can no longer be accepted or refused.",
                 state=state_name(state))
    if reason == "line_decided":
        return _("A line of this order has already been accepted or refused. Check the order again.")
    if reason == "not_cancellable":
        return _("This order is %(state)s: lines can only be cancelled before they ship. "
                 "Refund them instead.", state=state_name(state))
    if reason == "not_shippable":
        return _("This order is %(state)s: only an accepted order can ship.", state=state_name(state))
    if reason == "not_refundable":
        return _("This order is %(state)s: refunds come after shipment (before it, cancel lines).",
                 state=state_name(state))
    if reason == "not_shipper":
        return _("This order ships from the shop's warehouse: the shop records its parcels.")
    if reason == "no_lines":
        return _("Choose at least one line (and a quantity above 0).")
    if reason == "reason_needed":
        return _("Choose a reason for refusing.")
    if reason == "too_many":
        return _("Only %(count)d unit(s) of %(title)s are left for this.",
                 count=details.get("available", 0), title=details.get("title", ""))
    if reason == "quantity":
        return _("A quantity is a whole number, 0 or more.")
    if reason == "tracking_number":
        return _("A tracking number has 4 to 40 letters, digits or dashes, without spaces.")
    if reason == "carrier":
        return _("Choose a carrier from the list.")
    if reason == "future_date":
        return _("The shipping date cannot be in the future.")
    if reason == "date_before_order":
        return _("The shipping date cannot be before the order was placed.")
    if reason == "duplicate_parcel":
        return _("This tracking number is already recorded for this order.")
    if reason == "all_shipped":
        return _("Every unit of this order has shipped already.")
    if reason == "zero":
        return _("Enter an amount above 0.")
    if reason in ("above_paid", "above_line", "above_shipping"):
        limit = money(details.get("limit", 0), details.get("currency", "EUR"))
        if reason == "above_shipping":
            return _("At most %(amount)s of shipping can still be refunded.", amount=limit)
        return _("At most %(amount)s can still be refunded: refunds never exceed what the "
                 "customer paid.", amount=limit)
    if reason == "note_too_long":
        return _("A note has at most 1,000 characters.")
    if reason == "empty":
        return _("Write a message before sending it.")
    if reason == "too_long":
        return _("A message has at most 5,000 characters (yours has %(count)s).",
                 count=details.get("length", 0))
    if reason == "recipient":
        return _("Choose whom the message is for: the customer or the seller.")
    if reason == "closed":
        return _("This conversation is closed: no more messages can be added.")
    if reason == "reason_code":
        return _("This reason cannot be used here. Choose one from the list.")
    return error.message
