"""Why a service said no: the codes services put in ``DomainError.details["reason"]``.

A member rather than a bare string, so a misspelt code fails where it is written instead of
showing the service's English text to a French shopper. The web and the API turn a code into
words (``storefront/web/refusals.py`` holds each one's sentence and says which details it uses).
"""

from __future__ import annotations

import enum


class Refusal(enum.StrEnum):
    # Cart: quantities, offers, delivery modes (storefront/marketplace/cart.py).
    NOT_A_NUMBER = "not_a_number"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    UNKNOWN_OFFER = "unknown_offer"
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_SELLER = "unknown_seller"
    NOT_IN_CART = "not_in_cart"
    WRONG_PRODUCT = "wrong_product"
    INACTIVE = "inactive"
    OUT_OF_STOCK = "out_of_stock"
    STOCK = "stock"
    MAX_PER_ORDER = "max_per_order"
    NO_SHIPMENT = "no_shipment"
    MODE_NOT_OFFERED = "mode_not_offered"

    # Address fields: named by ``details["field"]`` when the service gives no reason.
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    COUNTRY = "country"

    # Checkout (storefront/marketplace/checkout.py).
    BAD_KEY = "bad_key"
    NO_ADDRESS = "no_address"
    EMPTY_CART = "empty_cart"
    UNDELIVERABLE = "undeliverable"
    CART_CHANGED = "cart_changed"
    TOTAL_CHANGED = "total_changed"
    SOLD_OUT = "sold_out"
    BUSY = "busy"  # another request held the database or the order number: nothing was written

    # Payments (storefront/marketplace/payments.py).
    CARD_NUMBER = "card_number"
    NOT_A_TEST_CARD = "not_a_test_card"
    EXPIRY_FORMAT = "expiry_format"
    EXPIRED = "expired"
    CVC = "cvc"
    HOLDER = "holder"
    BAD_TOKEN = "bad_token"
    NOTHING_TO_CONFIRM = "nothing_to_confirm"
    NO_PAYMENT_CODE = "no_payment_code"

    # Seller orders: accept, refuse, cancel, ship, refund, notes (orders.py, tracking.py).
    STALE = "stale"  # changed by someone else since it was read (optimistic lock)
    NOT_WAITING = "not_waiting"
    LINE_DECIDED = "line_decided"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_SHIPPABLE = "not_shippable"
    NOT_REFUNDABLE = "not_refundable"
    NOT_SHIPPER = "not_shipper"
    LINE = "line"
    NO_LINES = "no_lines"
    REASON_NEEDED = "reason_needed"
    REASON_CODE = "reason_code"
    QUANTITY = "quantity"
    TOO_MANY = "too_many"
    TRACKING_NUMBER = "tracking_number"
    CARRIER = "carrier"
    FUTURE_DATE = "future_date"
    DATE_BEFORE_ORDER = "date_before_order"
    DUPLICATE_PARCEL = "duplicate_parcel"
    ALL_SHIPPED = "all_shipped"
    ZERO = "zero"
    ABOVE_PAID = "above_paid"
    ABOVE_LINE = "above_line"
    ABOVE_SHIPPING = "above_shipping"
    NOTE_TOO_LONG = "note_too_long"

    # Offers a seller edits by hand (storefront/marketplace/seller_portal.py).
    LEAD_TIME = "lead_time"
    # A price of 0 or a drop of more than half, not yet confirmed (price_changes.py).
    PRICE_NEEDS_CONFIRMATION = "price_needs_confirmation"

    # Conversations (storefront/marketplace/discussions.py).
    EMPTY = "empty"
    TOO_LONG = "too_long"
    RECIPIENT = "recipient"
    CLOSED = "closed"

    # Logging in (storefront/web/login_throttle.py).
    LOGIN_THROTTLED = "login_throttled"  # too many failed log-ins on this account from here

    # Accounts (storefront/marketplace/accounts.py).
    WRONG_PASSWORD = "wrong_password"
    EMAIL_NOT_CONFIRMED = "email_not_confirmed"  # ordering or writing before confirming

    # Webhooks (storefront/marketplace/webhooks.py).
    WEBHOOK_URL = "webhook_url"  # not an https URL with a host
    PRIVATE_ADDRESS = "private_address"  # the host resolves to a private, loopback… address
    EVENT_TYPE = "event_type"  # an event type the shop does not send
    # API clients (storefront/marketplace/api_clients.py).
    UNKNOWN_SCOPE = "unknown_scope"
    NO_SCOPE = "no_scope"
    # Back office: preferences and mappings (preferences.py, mappings.py, reason_codes.py).
    SETTING_RANGE = "setting_range"  # a whole number outside its range (details: low, high)
    SETTING_CHOICE = "setting_choice"  # not one of the choices
    MARKETPLACE_CODE = "marketplace_code"  # not capitals, digits, "_" or "-", at most 40
    REASON_FORMAT = "reason_format"  # a reason's own code: capitals, digits and "_"
    REASON_EXISTS = "reason_exists"
    LABEL_NEEDED = "label_needed"
