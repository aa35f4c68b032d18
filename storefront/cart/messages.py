"""What to tell the shopper when the cart or checkout services say no.

Services explain themselves in English for logs and the API; the shop speaks the shopper's
language, so each refusal the shopper can cause has its own translated sentence here, chosen by
the ``reason`` the service put in the error's details (the service's text otherwise).
"""

from __future__ import annotations

from flask_babel import gettext as _

from storefront.marketplace.cart import MAX_QUANTITY, Notice, NoticeKind
from storefront.marketplace.errors import DomainError


def describe(error: DomainError) -> str:
    details = error.details
    reason = details.get("reason") or _field_reason(details)
    title = details.get("title", "")
    if reason == "not_a_number":
        return _("Enter the quantity as a whole number, for example 1 or 2.")
    if reason == "too_small":
        return _("The quantity is at least 1. To take an item out of your cart, use “Remove”.")
    if reason == "too_large":
        return _("The quantity is at most %(limit)d.", limit=MAX_QUANTITY)
    if reason in ("unknown_offer", "not_in_cart"):
        return _("This item is not available: it may have been removed meanwhile.")
    if reason == "inactive":
        return _("%(title)s is no longer sold by this seller.", title=title)
    if reason == "wrong_product":
        return _("This offer does not belong to this product.")
    if reason == "out_of_stock":
        return _("%(title)s is out of stock.", title=title)
    if reason == "stock":
        return _stock_message(title, details.get("available", 0), details.get("already", 0))
    if reason == "max_per_order":
        return _(
            "You can order at most %(limit)d of %(title)s at once%(already)s.",
            limit=details.get("limit", 1),
            title=title,
            already=_already(details.get("already", 0)),
        )
    if reason in ("mode_not_offered", "no_shipment", "unknown_seller"):
        return _("This delivery mode is not offered for this shipment to your address.")
    if reason == "sold_out":
        return _(
            "%(title)s has just sold out. Your order has not been placed and you have not been "
            "charged; your cart has been updated.",
            title=title,
        )
    if reason in ("cart_changed", "total_changed"):
        return _(
            "Your cart changed since you last saw it (a price, a stock or a total). Nothing has "
            "been charged: check it again below before placing your order."
        )
    if reason == "undeliverable":
        return _(
            "%(shippers)s cannot deliver to this address. Remove those items or choose another "
            "address.",
            shippers=details.get("shippers", ""),
        )
    if reason == "empty_cart":
        return _("Your cart is empty.")
    if reason == "no_address":
        return _("Give a delivery address first.")
    if reason == "bad_key":
        return _("This order form has expired. Check your order and place it again.")
    if reason == "card_number":
        return _("This card number is not valid: check the 16 digits on the front of your card.")
    if reason == "not_a_test_card":
        return _("Payments are in test mode: use a test card, for example 4242 4242 4242 4242.")
    if reason == "expiry_format":
        return _("Enter the expiry date as MM/YY, for example 08/29.")
    if reason == "expired":
        return _("This card has expired.")
    if reason == "cvc":
        return _("The security code is the 3 digits on the back of your card.")
    if reason == "holder":
        return _("Enter the name printed on the card.")
    if reason in ("bad_token", "nothing_to_confirm"):
        return _("Your payment details have expired: please enter your card again.")
    if reason == "no_payment_code":
        return _("This payment method cannot be used at the moment. Please choose another one.")
    if reason == "email":
        return _("Enter a valid email address, like name@example.com.")
    if reason == "postal_code":
        return _("This postal code is not valid, or we do not deliver there.")
    if reason == "country":
        return _("We deliver to France and Belgium only.")
    return error.message


def notice_message(notice: Notice) -> str:
    """The sentence for a correction the cart review applied."""
    if notice.kind == NoticeKind.PRICE_CHANGED:
        return _(
            "The price of %(title)s has changed from %(old)s to %(new)s.",
            title=notice.title,
            old=_money(notice.old, notice.currency),
            new=_money(notice.new, notice.currency),
        )
    if notice.kind == NoticeKind.QUANTITY_REDUCED:
        return _(
            "Only %(new)d of %(title)s can be ordered now: the quantity went from %(old)d to %(new)d.",
            title=notice.title,
            old=notice.old,
            new=notice.new,
        )
    if notice.kind == NoticeKind.REMOVED_INACTIVE:
        return _("%(title)s is no longer on sale and has been removed from your cart.", title=notice.title)
    if notice.kind == NoticeKind.REMOVED_OUT_OF_STOCK:
        return _("%(title)s is out of stock and has been removed from your cart.", title=notice.title)
    return _(
        "The delivery mode chosen for the parcel from %(shipper)s is not offered to this address "
        "any more: the cheapest one is selected.",
        shipper=notice.title,
    )


def _field_reason(details: dict) -> str:
    return details.get("field", "") if details.get("field") in ("email", "postal_code", "country") else ""


def _stock_message(title: str, available: int, already: int) -> str:
    return _(
        "Only %(available)d of %(title)s left in stock%(already)s.",
        available=available,
        title=title,
        already=_already(already),
    )


def _already(count: int) -> str:
    if not count:
        return ""
    return _(" (you already have %(count)d in your cart)", count=count)


def _money(amount: int | None, currency: str) -> str:
    from storefront.formatting import money

    return money(amount, currency)
