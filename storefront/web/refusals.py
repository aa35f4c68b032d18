"""What the shop tells a visitor when a service says no, in the visitor's language.

Services explain themselves in English for logs and the API, with a reason code
(:class:`~storefront.marketplace.refusals.Refusal`) and the values the sentence needs in the
error's details. ``SENTENCES`` holds one sentence per code: a translated string, or a function of
the details where the sentence has placeholders. :func:`explain` is what every view shows; a code
without a sentence (or no code) falls back to the service's own words, and a test keeps every
code in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from babel.numbers import format_percent
from flask_babel import LazyString, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from storefront.formatting import money, short_day
from storefront.marketplace.cart import MAX_QUANTITY, Notice, NoticeKind
from storefront.marketplace.errors import DomainError
from storefront.marketplace.price_changes import PriceWarningKind
from storefront.marketplace.refusals import Refusal
from storefront.web.labels import state_in_sentence, state_label

Details = Mapping[str, object]
Sentence = LazyString | Callable[[Details], str]

# Errors that name the address field they are about instead of giving a reason.
_FIELD_CODES = frozenset({Refusal.EMAIL, Refusal.POSTAL_CODE, Refusal.COUNTRY})


def explain(error: DomainError) -> str:
    """The sentence for ``error`` in the visitor's language (the service's words otherwise)."""
    sentence = SENTENCES.get(_code(error.details))
    if sentence is None:
        return error.message
    if isinstance(sentence, LazyString):
        return str(sentence)
    return sentence(error.details)


def notice_message(notice: Notice) -> str:
    """The sentence for a correction the cart review applied."""
    return NOTICES[notice.kind](notice)


def _code(details: Details) -> Refusal | None:
    reason = details.get("reason") or details.get("field")
    try:
        code = Refusal(reason)
    except ValueError:
        return None
    if not details.get("reason") and code not in _FIELD_CODES:
        return None
    return code


# --- the sentences that need the error's details ------------------------------------------------


# The import's and the offer's fields, as a seller reads them in an error.
_FIELD_NAMES: dict[str, LazyString] = {
    "sku": _l("The seller SKU"),
    "gtin": _l("The GTIN"),
    "product_id": _l("The product number"),
    "product": _l("The product (GTIN or number)"),
    "price": _l("The price"),
    "origin_price": _l("The struck-through price"),
    "stock": _l("The stock"),
    "lead_time_days": _l("The lead time"),
    "condition": _l("The condition"),
    "fulfillment": _l("The fulfillment"),
    "state": _l("The state"),
    "update_delete": _l("update-delete"),
    "max_per_order": _l("The maximum per order"),
    "order": _l("The order number"),
    "action": _l("The action"),
    "quantity": _l("The quantity"),
    "carrier": _l("The carrier"),
    "tracking_number": _l("The tracking number"),
    "line_id": _l("The line id"),
    "line_number": _l("The line number"),
}


def _field_name(details: Details) -> str:
    name = _FIELD_NAMES.get(str(details.get("field", "")))
    return str(name) if name is not None else str(details.get("field", ""))


def _already(count: int) -> str:
    if not count:
        return ""
    return _(" (you already have %(count)d in your cart)", count=count)


def _too_large(details: Details) -> str:
    return _("The quantity is at most %(limit)d.", limit=MAX_QUANTITY)


def _inactive(details: Details) -> str:
    return _("%(title)s is no longer sold by this seller.", title=details.get("title", ""))


def _out_of_stock(details: Details) -> str:
    return _("%(title)s is out of stock.", title=details.get("title", ""))


def _stock(details: Details) -> str:
    return _(
        "Only %(available)d of %(title)s left in stock%(already)s.",
        available=details.get("available", 0),
        title=details.get("title", ""),
        already=_already(details.get("already", 0)),
    )


def _max_per_order(details: Details) -> str:
    return _(
        "You can order at most %(limit)d of %(title)s at once%(already)s.",
        limit=details.get("limit", 1),
        title=details.get("title", ""),
        already=_already(details.get("already", 0)),
    )


def _sold_out(details: Details) -> str:
    return _(
        "%(title)s has just sold out. Your order has not been placed and you have not been "
        "charged; your cart has been updated.",
        title=details.get("title", ""),
    )


def _undeliverable(details: Details) -> str:
    return _(
        "%(shippers)s cannot deliver to this address. Remove those items or choose another "
        "address.",
        shippers=details.get("shippers", ""),
    )


def _not_waiting(details: Details) -> str:
    return _("This order is %(state)s: its lines can no longer be accepted or refused.",
             state=state_in_sentence(details["state"]))


def _not_cancellable(details: Details) -> str:
    return _("This order is %(state)s: lines can only be cancelled before they ship. "
             "Refund them instead.", state=state_in_sentence(details["state"]))


def _not_shippable(details: Details) -> str:
    return _("This order is %(state)s: only an accepted order can ship.",
             state=state_in_sentence(details["state"]))


def _not_refundable(details: Details) -> str:
    return _("This order is %(state)s: refunds come after shipment (before it, cancel lines).",
             state=state_in_sentence(details["state"]))


def _too_many(details: Details) -> str:
    return _("Only %(count)d unit(s) of %(title)s are left for this.",
             count=details.get("available", 0), title=details.get("title", ""))


def _limit(details: Details) -> str:
    return money(details.get("limit", 0), details.get("currency", "EUR"))


def _above_paid(details: Details) -> str:
    return _("At most %(amount)s can still be refunded: refunds never exceed what the "
             "customer paid.", amount=_limit(details))


def _above_shipping(details: Details) -> str:
    return _("At most %(amount)s of shipping can still be refunded.", amount=_limit(details))


def _price_needs_confirmation(details: Details) -> str:
    currency = str(details.get("currency") or "EUR")
    new = money(int(details.get("new_price") or 0), currency)
    if details.get("kind") == PriceWarningKind.BIG_DROP:
        # The locale's own pattern ("62 %" / "62%"), with the hundredths only when there are some.
        percent = format_percent(Decimal(str(details.get("drop_percent") or 0)) / 100,
                                 locale=get_locale(), decimal_quantization=False)
        return _("Price drop of %(percent)s: from %(old)s to %(new)s. Confirm?", percent=percent,
                 old=money(int(details.get("old_price") or 0), currency), new=new)
    return _("Price of %(price)s: the offer would be free. Confirm?", price=new)


def _message_too_long(details: Details) -> str:
    return _("A message has at most 5,000 characters (yours has %(count)s).",
             count=details.get("length", 0))


def _seller_state(details: Details) -> str:
    try:
        state = state_label(str(details.get("seller_state")), "SellerState").lower()
    except ValueError:
        return _("This step is not possible for this shop now.")
    return _("This shop is %(state)s: this step is not possible now.", state=state)


_UNAVAILABLE = _l("This item is not available: it may have been removed meanwhile.")
_MODE_NOT_OFFERED = _l("This delivery mode is not offered for this shipment to your address.")
_CART_CHANGED = _l(
    "Your cart changed since you last saw it (a price, a stock or a total). Nothing has "
    "been charged: check it again below before placing your order."
)
_CARD_EXPIRED_FORM = _l("Your payment details have expired: please enter your card again.")

SENTENCES: dict[Refusal, Sentence] = {
    # Cart
    Refusal.NOT_A_NUMBER: _l("Enter the quantity as a whole number, for example 1 or 2."),
    Refusal.TOO_SMALL: _l(
        "The quantity is at least 1. To take an item out of your cart, use “Remove”."
    ),
    Refusal.TOO_LARGE: _too_large,
    Refusal.UNKNOWN_OFFER: _UNAVAILABLE,
    Refusal.UNKNOWN_PRODUCT: _UNAVAILABLE,
    Refusal.NOT_IN_CART: _UNAVAILABLE,
    Refusal.UNKNOWN_SELLER: _MODE_NOT_OFFERED,
    Refusal.WRONG_PRODUCT: _l("This offer does not belong to this product."),
    Refusal.INACTIVE: _inactive,
    Refusal.OUT_OF_STOCK: _out_of_stock,
    Refusal.STOCK: _stock,
    Refusal.MAX_PER_ORDER: _max_per_order,
    Refusal.NO_SHIPMENT: _MODE_NOT_OFFERED,
    Refusal.MODE_NOT_OFFERED: _MODE_NOT_OFFERED,
    # Address fields
    Refusal.EMAIL: _l("Enter a valid email address, like name@example.com."),
    Refusal.POSTAL_CODE: _l("This postal code is not valid, or we do not deliver there."),
    Refusal.COUNTRY: _l("We deliver to France and Belgium only."),
    # Checkout
    Refusal.BAD_KEY: _l("This order form has expired. Check your order and place it again."),
    Refusal.NO_ADDRESS: _l("Give a delivery address first."),
    Refusal.EMPTY_CART: _l("Your cart is empty."),
    Refusal.UNDELIVERABLE: _undeliverable,
    Refusal.CART_CHANGED: _CART_CHANGED,
    Refusal.TOTAL_CHANGED: _CART_CHANGED,
    Refusal.SOLD_OUT: _sold_out,
    Refusal.BUSY: _l(
        "The shop is very busy right now: your order has not been placed and you have not been "
        "charged. Please place it again."
    ),
    # Payments
    Refusal.CARD_NUMBER: _l(
        "This card number is not valid: check the 16 digits on the front of your card."
    ),
    Refusal.NOT_A_TEST_CARD: _l(
        "Payments are in test mode: use a test card, for example 4242 4242 4242 4242."
    ),
    Refusal.EXPIRY_FORMAT: _l("Enter the expiry date as MM/YY, for example 08/29."),
    Refusal.EXPIRED: _l("This card has expired."),
    Refusal.CVC: _l("The security code is the 3 digits on the back of your card."),
    Refusal.HOLDER: _l("Enter the name printed on the card."),
    Refusal.BAD_TOKEN: _CARD_EXPIRED_FORM,
    Refusal.NOTHING_TO_CONFIRM: _CARD_EXPIRED_FORM,
    Refusal.NO_PAYMENT_CODE: _l(
        "This payment method cannot be used at the moment. Please choose another one."
    ),
    # Seller orders
    Refusal.STALE: _l(
        "This order has just been changed elsewhere (another tab or a colleague). Nothing was "
        "changed by your action: check the order as it is now, then try again."
    ),
    Refusal.NOT_WAITING: _not_waiting,
    Refusal.LINE_DECIDED: _l(
        "A line of this order has already been accepted or refused. Check the order again."
    ),
    Refusal.NOT_CANCELLABLE: _not_cancellable,
    Refusal.NOT_SHIPPABLE: _not_shippable,
    Refusal.NOT_REFUNDABLE: _not_refundable,
    Refusal.NOT_CAPTURED: _l(
        "The customer's payment for this order has not been collected yet: nothing can be "
        "refunded before it is. No money was moved."
    ),
    Refusal.NOTHING_TO_CAPTURE: _l("There is nothing to collect for this order."),
    Refusal.NOT_SHIPPER: _l(
        "This order ships from the shop's warehouse: the shop records its parcels."
    ),
    Refusal.LINE: _l("This line is not part of this order. Check the order again."),
    Refusal.NO_LINES: _l("Choose at least one line (and a quantity above 0)."),
    Refusal.REASON_NEEDED: _l("Choose a reason for refusing."),
    Refusal.REASON_CODE: _l("This reason cannot be used here. Choose one from the list."),
    Refusal.QUANTITY: _l("A quantity is a whole number, 0 or more."),
    Refusal.TOO_MANY: _too_many,
    Refusal.TRACKING_NUMBER: _l(
        "A tracking number has 4 to 40 letters, digits or dashes, without spaces."
    ),
    Refusal.CARRIER: _l("Choose a carrier from the list."),
    Refusal.FUTURE_DATE: _l("The shipping date cannot be in the future."),
    Refusal.DATE_BEFORE_ORDER: _l("The shipping date cannot be before the order was placed."),
    Refusal.DUPLICATE_PARCEL: _l("This tracking number is already recorded for this order."),
    Refusal.ALL_SHIPPED: _l("Every unit of this order has shipped already."),
    Refusal.ZERO: _l("Enter an amount above 0."),
    Refusal.ABOVE_PAID: _above_paid,
    Refusal.ABOVE_LINE: _above_paid,
    Refusal.ABOVE_SHIPPING: _above_shipping,
    Refusal.NOTE_TOO_LONG: _l("A note has at most 1,000 characters."),
    # Offers
    Refusal.LEAD_TIME: _l("The lead time is at most 60 days."),
    Refusal.PRICE_NEEDS_CONFIRMATION: _price_needs_confirmation,
    # Conversations
    Refusal.EMPTY: _l("Write a message before sending it."),
    Refusal.TOO_LONG: _message_too_long,
    Refusal.RECIPIENT: _l("Choose whom the message is for: the customer or the seller."),
    Refusal.CLOSED: _l("This conversation is closed: no more messages can be added."),
    # Logging in
    Refusal.LOGIN_THROTTLED: _l(
        "Too many unsuccessful attempts to log in to this account from your connection. Please "
        "wait 15 minutes before trying again, or choose a new password with “Forgotten password?”."
    ),
    # Accounts
    Refusal.WRONG_PASSWORD: _l("Your current password is not this one."),
    Refusal.EMAIL_NOT_CONFIRMED: _l(
        "Confirm your email address first: open the link we emailed you when you created your "
        "account. Your cart is kept."
    ),
    # Webhooks
    Refusal.WEBHOOK_URL: _l("A webhook address is a full https:// URL, such as https://example.com/hooks."),
    Refusal.PRIVATE_ADDRESS: _l(
        "This address leads to a private or local network: webhooks are sent only to public "
        "addresses."
    ),
    Refusal.EVENT_TYPE: _l("Choose event types from the list the shop sends."),
    # API clients
    Refusal.UNKNOWN_SCOPE: lambda details: _(
        "%(scope)s is not an access scope of the API.", scope=details.get("scope", "")
    ),
    Refusal.NO_SCOPE: _l("Choose at least one access scope for the API client."),
    # Sellers in the back office
    Refusal.SELLER_STATE: _seller_state,
    Refusal.RETAILER_SHOP: _l("The retailer's own shop cannot be suspended or closed."),
    Refusal.SUSPENSION_REASON: _l("Say why (the seller will read it)."),
    Refusal.OPEN_ORDERS: lambda details: _(
        "This shop still has %(count)s open orders: it can be closed once they are all "
        "delivered, refused or cancelled. Suspend it meanwhile.",
        count=details.get("count", 0),
    ),
    # Seller ratings
    Refusal.RATING_GRADE: _l("Choose a grade from 1 to 5 stars."),
    Refusal.RATING_NOT_DELIVERED: _l("You can rate the seller once the order has been delivered."),
    Refusal.ALREADY_RATED: _l("You have already rated this seller for this order: a rating is given once."),
    Refusal.RATING_TEXT_TOO_LONG: lambda details: _(
        "At most %(limit)s characters.", limit=details.get("limit", 0)
    ),
    Refusal.RATING_ANSWER_EMPTY: _l("Write your answer before sending it."),
    Refusal.ALREADY_ANSWERED: _l("This rating already has your answer: a rating is answered once."),
    Refusal.RATING_HIDE_REASON: _l("Say why the rating is hidden (at most 300 characters)."),
    Refusal.RATING_ALREADY_HIDDEN: _l("This rating is hidden already."),
    Refusal.RATING_NOT_HIDDEN: _l("This rating is not hidden."),
    # Colleagues in the seller portal
    Refusal.NOT_SELLER_ADMIN: _l("Only your shop's administrator may invite or remove colleagues."),
    Refusal.COLLEAGUE_OF_OTHER_SHOP: _l(
        "This email address belongs to the account of another shop's staff: a person works for "
        "one shop only. Ask your colleague for another address."
    ),
    Refusal.EMAIL_TAKEN: _l(
        "An account already uses this email address: invite your colleague with another one."
    ),
    Refusal.REMOVE_SELF: _l("You cannot remove your own account."),
    Refusal.LAST_SELLER_ADMIN: _l(
        "This account is your shop's administrator: the shop cannot be left without one."
    ),
    Refusal.NOT_A_COLLEAGUE: _l("This person is not one of your shop's colleagues."),
    # Delivery set-up (back office)
    Refusal.DELIVERY_CODE: _l("A code has 1 to 20 letters, digits, “-”, “_” or “.”, without spaces."),
    Refusal.CODE_TAKEN: lambda details: _("The code %(code)s is already used.", code=details.get("code", "")),
    Refusal.LABEL_NEEDED: _l("Enter a name of at most 80 characters."),
    Refusal.ZONE_RULE: lambda details: _(
        "“%(rule)s” is not a rule: write a country code, then optionally the start of a postal "
        "code or a range, for example “FR”, “FR 20” or “FR 971-976”.",
        rule=details.get("rule", ""),
    ),
    Refusal.ZONE_RULE_TWICE: lambda details: _(
        "%(rule)s is listed twice.", rule=details.get("rule", "")
    ),
    Refusal.ZONE_OVERLAP: lambda details: _(
        "%(rule)s already belongs to the zone %(zone)s: take it out of that zone first.",
        rule=details.get("rule", ""), zone=details.get("zone", ""),
    ),
    Refusal.ZONE_EMPTY: _l("A zone needs at least one country or postal-code rule."),
    Refusal.ZONE_IN_USE: _l(
        "This zone has shipping rates or orders: it cannot be deleted. Remove its rates first; "
        "a zone with orders stays."
    ),
    Refusal.TRACKING_TEMPLATE: _l(
        "A tracking link is an http:// or https:// address containing {tracking} where the "
        "tracking number goes, for example https://carrier.example/track?n={tracking}."
    ),
    Refusal.AMOUNT: _l("An amount is 0 or more and at most 100 000 €."),
    Refusal.TRANSIT_DAYS: _l("A number of days is a whole number from 0 to 60."),
    Refusal.TRANSIT_RANGE: _l("The longest transit time cannot be shorter than the shortest."),
    Refusal.CUTOFF: _l("Enter a time of day as HH:MM, for example 14:00."),
}

# Catalog in the back office, and new offers of the seller portal.
SENTENCES |= {
    Refusal.ATTRIBUTE_UNKNOWN: _l("This attribute does not apply to the product's category."),
    Refusal.ATTRIBUTE_REQUIRED: _l("This attribute is required in this category."),
    Refusal.ATTRIBUTE_NOT_IN_LIST: _l("Choose a value from the list."),
    Refusal.ATTRIBUTE_INTEGER: _l("Enter a whole number, for example 12."),
    Refusal.ATTRIBUTE_NUMBER: _l("Enter a number, for example 8,5."),
    Refusal.ATTRIBUTE_BOOLEAN: _l("Choose yes or no."),
    Refusal.ATTRIBUTE_TOO_LONG: _l("At most 250 characters, on one line."),
    Refusal.PRODUCT_WITHDRAWN: _l("This product is no longer sold: it cannot take a new offer."),
    Refusal.GTIN: _l("A GTIN (EAN) has 8, 12, 13 or 14 digits and a valid check digit."),
    Refusal.GTIN_TAKEN: _l("A product with this GTIN already exists."),
    Refusal.TITLE: _l("Give the product a title (at most 250 characters)."),
    Refusal.UNKNOWN_CATEGORY: _l("Choose a category from the list."),
    Refusal.IMAGE_TOO_BIG: _l("An image is at most 8 MB."),
    Refusal.IMAGE_TOO_MANY_PIXELS: _l("This image is too large (at most 40 megapixels)."),
    Refusal.IMAGE_TYPE: _l("Only JPEG, PNG and WebP images are accepted (no SVG)."),
    Refusal.IMAGE_MISMATCH: _l("This file's name does not match its content: it is not the image type it claims."),
    Refusal.IMAGE_COUNT: _l("A product has at most 12 images."),
    Refusal.CATEGORY_CODE: _l("A code has 1 to 60 letters, digits, '-', '_' or '.', and is not used by another category."),
    Refusal.CATEGORY_LABEL: _l("Give the category a French label (at most 120 characters)."),
    Refusal.CATEGORY_CYCLE: _l("A category cannot move under itself or one of its subcategories."),
    Refusal.CATEGORY_DEPTH: _l("The category tree is at most 6 levels deep."),
    Refusal.CATEGORY_NOT_EMPTY: lambda details: _(
        "This category cannot be deleted: it still has %(children)d subcategories and %(products)d "
        "products. Move them first.", children=details.get("children", 0), products=details.get("products", 0)
    ),
    Refusal.ATTRIBUTE_LINKED: _l("This attribute is already attached to this category."),
    Refusal.VALUE_CODE: _l("A code has 1 to 60 letters, digits, '-', '_' or '.'."),
    Refusal.VALUE_TAKEN: _l("This code is already used in this list."),
    Refusal.VALUE_IN_USE: lambda details: _(
        "This value is used by %(count)d products: change them first.", count=details.get("count", 0)
    ),
    Refusal.VALUE_LABEL: _l("Give a label (at most 120 characters)."),
    Refusal.BRAND_NAME: _l("Give the brand a name (at most 120 characters)."),
    Refusal.BRAND_TAKEN: _l("Another brand already has this name."),
    Refusal.BRAND_SAME: _l("Choose another brand to merge into."),
    Refusal.DUPLICATE_OFFER: _l("You already sell this product in this condition: change that offer instead."),
    Refusal.OFFER_SKU: _l("A seller SKU has 1 to 60 characters."),
    Refusal.OFFER_SKU_TAKEN: _l("This SKU already sells another product: give this offer another SKU."),
    Refusal.OFFER_AMOUNT: lambda details: _(
        "%(field)s is an amount of 0 or more, such as 12.99.", field=_field_name(details)
    ),
    Refusal.OFFER_COUNT: lambda details: _(
        "%(field)s is a whole number, 0 or more.", field=_field_name(details)
    ),
    Refusal.OFFER_STOCK_MAX: lambda details: _("The stock is at most %(limit)s.", limit=details.get("limit", "")),
    Refusal.ORIGIN_PRICE: _l("The struck-through price cannot be below the price."),
    # Imports: the file
    Refusal.IMPORT_TOO_BIG: lambda details: _(
        "The file is too big: at most %(size)s MB.", size=int(details.get("limit", 0)) // 1_000_000
    ),
    Refusal.IMPORT_EMPTY: _l("The file is empty."),
    Refusal.IMPORT_NO_ROWS: _l("The file has its column headers but no rows."),
    Refusal.IMPORT_FORMAT: _l("This file is neither CSV, XLSX (Excel) nor JSON lines."),
    Refusal.IMPORT_HEADER: lambda details: _(
        "No column of the first line was recognised as the seller SKU (columns read: %(columns)s). "
        "Check the delimiter (“;” or “,”) and the headers, or save a column mapping.",
        columns=details.get("columns", ""),
    ),
    Refusal.IMPORT_ZIP_BOMB: _l("This XLSX file would unpack to far more than it weighs: it is refused."),
    Refusal.IMPORT_MODE: _l("Choose the mode NORMAL or REPLACE."),
    Refusal.IMPORT_TOO_SOON: lambda details: ngettext(
        "Wait %(num)d minute between two imports.", "Wait %(num)d minutes between two imports.",
        int(details.get("minutes", 1)),
    ),
    Refusal.IMPORT_DAILY_LIMIT: lambda details: ngettext(
        "At most %(num)d import a day: try again tomorrow.", "At most %(num)d imports a day: try again tomorrow.",
        int(details.get("limit", 1)),
    ),
    Refusal.IMPORT_MAPPING: _l("Map each header to one field, and each field from one header at most."),
    Refusal.IMPORT_CRASHED: _l("The import stopped on an unexpected error; run it again: it goes on where it stopped."),
    # Imports: a row
    Refusal.IMPORT_DUPLICATE_SKU: lambda details: _(
        "This SKU is already on line %(first)s of the file: this line is ignored.", first=details.get("first", "")
    ),
    Refusal.IMPORT_REQUIRED: lambda details: _("%(field)s is missing.", field=_field_name(details)),
    Refusal.IMPORT_NUMBER: lambda details: _(
        "%(field)s: “%(value)s” is not a whole number.", field=_field_name(details), value=details.get("value", "")
    ),
    Refusal.IMPORT_PRICE: lambda details: _(
        "%(field)s: “%(value)s” is not an amount (write 12.99 or 12,99).", field=_field_name(details),
        value=details.get("value", ""),
    ),
    Refusal.IMPORT_CHOICE: lambda details: _(
        "%(field)s: “%(value)s” is not one of the allowed values.", field=_field_name(details),
        value=details.get("value", ""),
    ),
    Refusal.IMPORT_UNKNOWN_SKU: _l("You have no offer with this SKU to delete."),
    Refusal.IMPORT_BAD_ROW: _l("This line is not a JSON object."),
    # Offer feeds
    Refusal.FEED_URL: _l("A feed address is a full https:// (or http://) URL, such as https://example.com/offers.csv."),
    Refusal.FEED_PRIVATE_ADDRESS: _l(
        "This address leads to a private or local network: feeds are fetched only from public addresses."
    ),
    Refusal.FEED_FREQUENCY: lambda details: _(
        "The shop allows an import every %(minutes)s minutes at most, and %(limit)s a day: choose a "
        "less frequent schedule.", minutes=details.get("minutes", ""), limit=details.get("limit", ""),
    ),
    Refusal.FEED_DAILY_TIME: _l("Give the time of day of a daily feed, such as 06:30."),
    Refusal.FEED_TIMEOUT: lambda details: _(
        "The feed's server did not answer within %(seconds)s seconds.", seconds=details.get("seconds", "")
    ),
    Refusal.FEED_REDIRECTS: lambda details: _(
        "The feed's address redirects more than %(limit)s times.", limit=details.get("limit", "")
    ),
    Refusal.FEED_HTTP: lambda details: _(
        "The feed's server answered with the error HTTP %(status)s.", status=details.get("status", "")
    ),
    Refusal.FEED_DISABLED: _l("Your feed is switched off: switch it on before asking for a fetch."),
    Refusal.FEED_UNREACHABLE: lambda details: _(
        "The feed's server could not be reached (%(error)s).", error=details.get("error", "")
    ),
    # Imports: a row of a status and tracking file
    Refusal.IMPORT_STATUS_HEADER: lambda details: _(
        "The first line needs a column of order numbers and a column of actions (columns read: %(columns)s). "
        "Check the delimiter (“;” or “,”) and the headers.",
        columns=details.get("columns", ""),
    ),
    Refusal.IMPORT_TOO_MANY_ROWS: lambda details: _(
        "A status file has at most %(limit)s lines: split it.", limit=details.get("limit", "")
    ),
    Refusal.IMPORT_UNKNOWN_ORDER: _l("You have no order with this number."),
    Refusal.IMPORT_UNKNOWN_LINE: _l("This order has no such line (check the line id, line number or SKU)."),
    Refusal.IMPORT_AMBIGUOUS_SKU: _l("Several lines of this order have this SKU: give the line number."),
    Refusal.IMPORT_DUPLICATE_LINE: lambda details: _(
        "This order line has the same action on line %(first)s of the file: this line is ignored.",
        first=details.get("first", ""),
    ),
    Refusal.IMPORT_WHOLE_LINE: lambda details: _(
        "A line is accepted or refused whole (%(quantity)s units here): leave the quantity empty.",
        quantity=details.get("quantity", ""),
    ),
    Refusal.IMPORT_LINE_NOT_SHIPPABLE: _l("This line is refused or cancelled: it cannot be shipped."),
    Refusal.IMPORT_ALREADY_DONE: _l("Already done: nothing changed."),
    Refusal.IMPORT_TRACKING_URL: lambda details: _(
        "The tracking link comes from the carrier (%(url)s): the one in the file is not kept.",
        url=details.get("url", ""),
    ),
    # Catalog and category imports
    Refusal.IMPORT_COLUMNS: lambda details: _(
        "The file needs the columns %(needed)s (columns read: %(columns)s). Check the delimiter and the headers.",
        needed=details.get("needed", ""), columns=details.get("columns", ""),
    ),
    Refusal.IMPORT_ROW_TYPE: lambda details: _(
        "“%(value)s” is not a row type: write category, attribute or value.", value=details.get("value", "")
    ),
    Refusal.IMPORT_UNKNOWN_PARENT: lambda details: _(
        "The parent category “%(value)s” is neither in the shop nor in the file.", value=details.get("value", "")
    ),
    Refusal.IMPORT_UNMAPPED: lambda details: _(
        "The file’s category “%(source)s” is not mapped to a shop category yet (Catalog → Imports): "
        "the line is skipped.", source=details.get("source", "")
    ),
    Refusal.IMPORT_EXCLUDED: lambda details: _(
        "The file’s category “%(source)s” is excluded from imports: the line is skipped.",
        source=details.get("source", "")
    ),
    Refusal.IMPORT_RECOMMENDED: lambda details: _(
        "Imported, but recommended attributes are missing: %(codes)s.", codes=details.get("codes", "")
    ),
    Refusal.IMPORT_IMAGE_URL: lambda details: _(
        "“%(value)s” is not an image address (http or https).", value=details.get("value", "")
    ),
    Refusal.IMPORT_DUPLICATE_KEY: lambda details: _(
        "This line repeats line %(first)s of the file: it is ignored.", first=details.get("first", "")
    ),
    # Customer accounts blocked by customer service
    Refusal.ACCOUNT_BLOCKED: _l(
        "This account is blocked: it can neither log in nor order. Please contact customer service."
    ),
    Refusal.BLOCK_REASON_MISSING: _l("Give the reason: it is kept in the audit log."),
    Refusal.BLOCK_REASON_TOO_LONG: _l("A reason has at most 500 characters."),
    Refusal.ALREADY_BLOCKED: _l("This customer is already blocked."),
    Refusal.NOT_BLOCKED: _l("This customer is not blocked."),
    # Back office: preferences and mappings
    Refusal.SETTING_RANGE: lambda details: _(
        "Enter a whole number from %(low)s to %(high)s.", low=details.get("low", ""),
        high=details.get("high", ""),
    ),
    Refusal.SETTING_CHOICE: _l("Choose one of the options."),
    Refusal.MARKETPLACE_CODE: _l(
        "A marketplace code has at most 40 capital letters, digits, “_” or “-”, without spaces."
    ),
    Refusal.REASON_FORMAT: _l("A reason code has at most 40 capital letters, digits or “_”."),
    Refusal.REASON_EXISTS: _l("A reason of this type already has this code."),
    Refusal.REASON_LABEL: _l("Enter a label of at most 120 characters."),
}


# --- corrections the cart review applied (cart.NoticeKind) --------------------------------------


def _price_changed(notice: Notice) -> str:
    return _(
        "The price of %(title)s has changed from %(old)s to %(new)s.",
        title=notice.title,
        old=money(notice.old, notice.currency),
        new=money(notice.new, notice.currency),
    )


def _quantity_reduced(notice: Notice) -> str:
    return _(
        "Only %(new)d of %(title)s can be ordered now: the quantity went from %(old)d to %(new)d.",
        title=notice.title,
        old=notice.old,
        new=notice.new,
    )


def _removed_inactive(notice: Notice) -> str:
    return _("%(title)s is no longer on sale and has been removed from your cart.", title=notice.title)


def _removed_out_of_stock(notice: Notice) -> str:
    return _("%(title)s is out of stock and has been removed from your cart.", title=notice.title)


def _mode_unavailable(notice: Notice) -> str:
    return _(
        "The delivery mode chosen for the parcel from %(shipper)s is not offered to this address "
        "any more: the cheapest one is selected.",
        shipper=notice.title,
    )


NOTICES: dict[NoticeKind, Callable[[Notice], str]] = {
    NoticeKind.PRICE_CHANGED: _price_changed,
    NoticeKind.QUANTITY_REDUCED: _quantity_reduced,
    NoticeKind.REMOVED_INACTIVE: _removed_inactive,
    NoticeKind.REMOVED_OUT_OF_STOCK: _removed_out_of_stock,
    NoticeKind.MODE_UNAVAILABLE: _mode_unavailable,
}

# Back office: commissions, outbox, staff.
SENTENCES.update({
    Refusal.COMMISSION_RATE: _l("Enter a percentage from 0 to 100, for example 12,5."),
    Refusal.RETAILER_COMMISSION: _l("The retailer pays no commission on its own sales."),
    Refusal.RATE_IN_PAST: _l("Choose today or a later day: orders already placed keep the rate they were placed with."),
    Refusal.RATE_PERIOD: _l("The end date must come after the start date."),
    Refusal.RATE_OVERLAP: _l("Another rate of the same scope already applies during this period: withdraw or end it first."),
    Refusal.RATE_STARTED: _l("This rate has already applied to orders: end it instead of withdrawing it."),
    Refusal.EMAIL_NOT_RETRYABLE: _l("This email is sent or being sent: there is nothing to retry."),
    Refusal.EMAIL_NOT_CANCELABLE: _l("This email is sent or being sent: it can no longer be cancelled."),
    Refusal.LAST_ADMIN: _l("The shop needs at least one active administrator."),
    Refusal.DEACTIVATE_SELF: _l("You cannot deactivate your own account."),
    Refusal.NOT_STAFF: _l("This account is not a staff account."),
})

# Order exports.
SENTENCES.update({
    Refusal.EXPORT_SINCE: _l("Enter a date (2026-12-01) or a date and time (2026-12-01 08:30)."),
    Refusal.EXPORT_FORMAT: _l("Choose CSV, Excel (XLSX) or JSON lines."),
    Refusal.EXPORT_FOLDER: _l(
        "Enter a folder inside your drop folder: letters, digits, “-”, “_” and “/”, without “..” "
        "and not starting with “/”."
    ),
})

# Finance reports.
SENTENCES.update({
    Refusal.REPORT_DATE: _l("Enter a date, for example 2026-12-01."),
    Refusal.REPORT_PERIOD: _l("The end date must not come before the start date."),
    Refusal.REPORT_TOO_LONG: lambda details: ngettext(
        "A report covers at most %(num)d day: choose a shorter period.",
        "A report covers at most %(num)d days: choose a shorter period.", int(details.get("days", 731))),
    Refusal.REPORT_CHOICE: _l("Choose one of the options offered."),
})

# Billing.
SENTENCES.update({
    Refusal.PERIOD_NOT_ENDED: _l("This billing period has not ended yet: it closes once it has. Nothing was issued."),
    Refusal.EARLIER_PERIOD_OPEN: _l("An earlier billing period is still open: close it first. Nothing was issued."),
    Refusal.NO_ISSUER: _l("The shop has no retailer account to issue the invoices in its name. Nothing was issued."),
})


# Payouts.
def _payout_statement(details: Details) -> str:
    return str(details.get("statement", ""))


def _payout_not_due(details: Details) -> str:
    return _("Statement no. %(statement)s is still in its holding period: it can be paid from %(day)s. "
             "Nothing was paid.", statement=_payout_statement(details), day=short_day(details.get("payable_on")))


SENTENCES.update({
    Refusal.SETTING_IBAN: _l("This IBAN is not valid: check it against the bank's details (its check digits do not match)."),
    Refusal.SETTING_BIC: _l("A BIC has 8 or 11 letters and digits, for example BNPAFRPPXXX."),
    Refusal.PAYOUT_BLOCKED: lambda details: _(
        "Statement no. %(statement)s is blocked: unblock it first. Nothing was paid.",
        statement=_payout_statement(details)),
    Refusal.PAYOUT_PAID: lambda details: _(
        "Statement no. %(statement)s is paid already. Nothing was paid twice.", statement=_payout_statement(details)),
    Refusal.PAYOUT_NOT_DUE: _payout_not_due,
    Refusal.PAYOUT_NOTHING_DUE: lambda details: _(
        "Statement no. %(statement)s has nothing to pay: its negative balance is carried over to the "
        "seller's next statement.", statement=_payout_statement(details)),
    Refusal.PAYOUT_NO_IBAN: lambda details: _(
        "%(seller)s has no valid IBAN: ask the seller for its bank details. Nothing was paid.",
        seller=details.get("seller", "")),
    Refusal.PAYOUT_NO_DEBTOR: _l("Enter the retailer's bank account (IBAN and BIC) in the preferences first. Nothing was paid."),
    Refusal.PAYOUT_EMPTY: _l("Choose at least one payable statement."),
    Refusal.PAYOUT_DATE: _l("Choose today or a later day for the transfer."),
    Refusal.BLOCK_REASON: _l("Choose a reason; the note is at most 200 characters."),
})
