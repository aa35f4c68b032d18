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
    NOT_CAPTURED = "not_captured"  # the payment was not captured: nothing to give back yet
    NOTHING_TO_CAPTURE = "nothing_to_capture"
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
    # Sellers in the back office (storefront/marketplace/sellers.py).
    SELLER_STATE = "seller_state"  # the shop is not in a state where this step is possible
    RETAILER_SHOP = "retailer_shop"  # the retailer's own shop cannot be suspended nor closed
    SUSPENSION_REASON = "suspension_reason"  # suspending or closing needs a reason
    OPEN_ORDERS = "open_orders"  # closing a shop whose orders are not all delivered or ended
    # Seller ratings (storefront/marketplace/seller_ratings.py).
    RATING_GRADE = "rating_grade"  # not a whole number of stars from 1 to 5
    RATING_NOT_DELIVERED = "rating_not_delivered"  # the seller order is not delivered (yet)
    ALREADY_RATED = "already_rated"  # the seller order has its rating already
    RATING_TEXT_TOO_LONG = "rating_text_too_long"  # details: field, limit
    RATING_ANSWER_EMPTY = "rating_answer_empty"
    ALREADY_ANSWERED = "already_answered"  # the seller answered this rating already
    RATING_HIDE_REASON = "rating_hide_reason"  # hiding a rating needs a reason (at most 300 characters)
    RATING_ALREADY_HIDDEN = "rating_already_hidden"
    RATING_NOT_HIDDEN = "rating_not_hidden"
    # Colleagues in the seller portal (storefront/marketplace/colleagues.py).
    NOT_SELLER_ADMIN = "not_seller_admin"
    COLLEAGUE_OF_OTHER_SHOP = "colleague_of_other_shop"  # the email is another shop's account
    EMAIL_TAKEN = "email_taken"  # an account (customer, staff…) already uses the email
    REMOVE_SELF = "remove_self"
    LAST_SELLER_ADMIN = "last_seller_admin"
    NOT_A_COLLEAGUE = "not_a_colleague"
    # Delivery set-up in the back office (storefront/marketplace/delivery_admin.py).
    DELIVERY_CODE = "delivery_code"  # a zone, mode or carrier code of the wrong shape
    CODE_TAKEN = "code_taken"  # details: code
    LABEL_NEEDED = "label_needed"  # a label or name empty or too long
    ZONE_RULE = "zone_rule"  # details: rule (as typed)
    ZONE_RULE_TWICE = "zone_rule_twice"  # details: rule
    ZONE_OVERLAP = "zone_overlap"  # details: rule, zone (the other zone's label and code)
    ZONE_EMPTY = "zone_empty"
    ZONE_IN_USE = "zone_in_use"  # rates or orders point to it
    TRACKING_TEMPLATE = "tracking_template"
    AMOUNT = "amount"  # not a whole number of cents from 0 to the maximum
    TRANSIT_DAYS = "transit_days"
    TRANSIT_RANGE = "transit_range"
    CUTOFF = "cutoff"  # not a time of day HH:MM

    # Catalog in the back office (product_attributes, product_editing, product_images,
    # category_tree, value_lists, brands) and new offers of a withdrawn product (catalog.py).
    ATTRIBUTE_UNKNOWN = "attribute_unknown"
    ATTRIBUTE_REQUIRED = "attribute_required"
    ATTRIBUTE_NOT_IN_LIST = "attribute_not_in_list"
    ATTRIBUTE_INTEGER = "attribute_integer"
    ATTRIBUTE_NUMBER = "attribute_number"
    ATTRIBUTE_BOOLEAN = "attribute_boolean"
    ATTRIBUTE_TOO_LONG = "attribute_too_long"
    PRODUCT_WITHDRAWN = "product_withdrawn"
    GTIN = "gtin"
    GTIN_TAKEN = "gtin_taken"
    TITLE = "title"
    UNKNOWN_CATEGORY = "unknown_category"
    IMAGE_TOO_BIG = "image_too_big"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    IMAGE_TYPE = "image_type"
    IMAGE_MISMATCH = "image_mismatch"
    IMAGE_COUNT = "image_count"
    CATEGORY_CODE = "category_code"
    CATEGORY_LABEL = "category_label"
    CATEGORY_CYCLE = "category_cycle"
    CATEGORY_DEPTH = "category_depth"
    CATEGORY_NOT_EMPTY = "category_not_empty"
    ATTRIBUTE_LINKED = "attribute_linked"
    VALUE_CODE = "value_code"
    VALUE_TAKEN = "value_taken"
    VALUE_IN_USE = "value_in_use"
    VALUE_LABEL = "value_label"
    BRAND_NAME = "brand_name"
    BRAND_TAKEN = "brand_taken"
    BRAND_SAME = "brand_same"
    DUPLICATE_OFFER = "duplicate_offer"
    # An offer's values, from every way in (catalog._checked_offer: portal, API, imports).
    OFFER_SKU = "offer_sku"  # not 1 to 60 characters
    OFFER_SKU_TAKEN = "offer_sku_taken"  # the SKU already sells another product
    OFFER_AMOUNT = "offer_amount"  # a price not a whole, non-negative number of cents (details: field)
    OFFER_COUNT = "offer_count"  # stock or lead time not a whole number, 0 or more (details: field)
    OFFER_STOCK_MAX = "offer_stock_max"  # details: limit
    ORIGIN_PRICE = "origin_price"  # the struck-through price below the price

    # Imports (storefront/marketplace/import_files.py, offer_imports.py). File-level first.
    IMPORT_TOO_BIG = "import_too_big"  # details: limit (bytes)
    IMPORT_EMPTY = "import_empty"
    IMPORT_NO_ROWS = "import_no_rows"  # headers and nothing else
    IMPORT_FORMAT = "import_format"  # not CSV, XLSX nor JSON lines
    IMPORT_HEADER = "import_header"  # no column recognised as the SKU (wrong delimiter?); details: columns
    IMPORT_ZIP_BOMB = "import_zip_bomb"  # an XLSX that would unpack to far more than it weighs
    IMPORT_MODE = "import_mode"  # not NORMAL nor REPLACE
    IMPORT_TOO_SOON = "import_too_soon"  # details: minutes (the least time between two imports)
    IMPORT_DAILY_LIMIT = "import_daily_limit"  # details: limit
    IMPORT_MAPPING = "import_mapping"  # a mapping to an unknown field, or two headers to one field
    IMPORT_CRASHED = "import_crashed"  # the run stopped on an unexpected error; run it again
    # Rows of an import.
    IMPORT_DUPLICATE_SKU = "import_duplicate_sku"  # details: first (the line that had it first)
    IMPORT_REQUIRED = "import_required"  # details: field
    IMPORT_NUMBER = "import_number"  # details: field, value
    IMPORT_PRICE = "import_price"  # details: field, value
    IMPORT_CHOICE = "import_choice"  # details: field, value
    IMPORT_UNKNOWN_SKU = "import_unknown_sku"  # a delete row for an SKU the seller has no offer with
    IMPORT_BAD_ROW = "import_bad_row"  # a JSON line that is not an object
    # Offer feeds: a URL fetched on a schedule (storefront/marketplace/offer_feeds.py).
    FEED_URL = "feed_url"  # not an http(s) URL with a host, or a user/password in it
    FEED_PRIVATE_ADDRESS = "feed_private_address"  # the host (or a redirect's) resolves to a private… address
    FEED_FREQUENCY = "feed_frequency"  # more often than the operator allows; details: minutes, limit
    FEED_DAILY_TIME = "feed_daily_time"  # a daily feed without a time of day (HH:MM)
    FEED_TIMEOUT = "feed_timeout"  # no answer in time; details: seconds
    FEED_REDIRECTS = "feed_redirects"  # more redirects than allowed; details: limit
    FEED_HTTP = "feed_http"  # the server answered an error; details: status
    FEED_UNREACHABLE = "feed_unreachable"  # no connection (DNS, refused, TLS); details: error
    FEED_DISABLED = "feed_disabled"  # fetch now asked of a feed switched off
    # Rows of a status and tracking import (marketplace/status_imports.py).
    IMPORT_STATUS_HEADER = "import_status_header"  # no order-number or action column; details: columns
    IMPORT_TOO_MANY_ROWS = "import_too_many_rows"  # a status file of more rows than one run holds; details: limit
    IMPORT_UNKNOWN_ORDER = "import_unknown_order"  # no order of the seller has this number (another's neither)
    IMPORT_UNKNOWN_LINE = "import_unknown_line"  # the order has no such line (id, number or SKU)
    IMPORT_AMBIGUOUS_SKU = "import_ambiguous_sku"  # several lines of the order have this SKU
    IMPORT_DUPLICATE_LINE = "import_duplicate_line"  # same line, same action, earlier in the file; details: first
    IMPORT_WHOLE_LINE = "import_whole_line"  # accept/refuse a part of a line; details: quantity
    IMPORT_LINE_NOT_SHIPPABLE = "import_line_not_shippable"  # ship a refused or cancelled line; details: state
    IMPORT_ALREADY_DONE = "import_already_done"  # a warning: the row was applied before, nothing changed
    IMPORT_TRACKING_URL = "import_tracking_url"  # a warning: the link comes from the carrier; details: url
    # Catalog and category imports (the operator's)
    IMPORT_COLUMNS = "import_columns"  # a needed column is missing; details: needed, columns
    IMPORT_ROW_TYPE = "import_row_type"  # a category file's row that is not category/attribute/value; details: value
    IMPORT_UNKNOWN_PARENT = "import_unknown_parent"  # details: value (the parent code)
    IMPORT_UNMAPPED = "import_unmapped"  # details: source (a product file's category, not mapped yet)
    IMPORT_EXCLUDED = "import_excluded"  # details: source (a category the operator chose not to import)
    IMPORT_RECOMMENDED = "import_recommended"  # a warning; details: codes (RECOMMENDED attributes missing)
    IMPORT_IMAGE_URL = "import_image_url"  # details: value (not an http(s) URL)
    IMPORT_DUPLICATE_KEY = "import_duplicate_key"  # details: first (a GTIN or code already on that line)

    # Customer accounts customer service blocks (storefront/marketplace/customer_admin.py).
    ACCOUNT_BLOCKED = "account_blocked"  # logging in or ordering with a blocked account
    BLOCK_REASON_MISSING = "block_reason_missing"
    BLOCK_REASON_TOO_LONG = "block_reason_too_long"
    ALREADY_BLOCKED = "already_blocked"
    NOT_BLOCKED = "not_blocked"

    # Back office: commissions, outbox, staff (marketplace/commission_rates.py, outbox_admin.py,
    # staff_accounts.py).
    COMMISSION_RATE = "commission_rate"  # not a percentage from 0 to 100
    RETAILER_COMMISSION = "retailer_commission"  # the retailer pays itself no commission
    RATE_IN_PAST = "rate_in_past"  # a rate starts (or ends) today or later
    RATE_PERIOD = "rate_period"  # ends before it starts
    RATE_OVERLAP = "rate_overlap"  # another rate of the scope holds then
    RATE_STARTED = "rate_started"  # only a rate not yet started can be withdrawn
    EMAIL_NOT_RETRYABLE = "email_not_retryable"  # sent, or being sent
    EMAIL_NOT_CANCELABLE = "email_not_cancelable"  # sent, or being sent
    LAST_ADMIN = "last_admin"  # the shop keeps at least one active admin
    DEACTIVATE_SELF = "deactivate_self"
    NOT_STAFF = "not_staff"  # not an operator account
    # Back office: preferences and mappings (preferences.py, mappings.py, reason_codes.py).
    SETTING_RANGE = "setting_range"  # a whole number outside its range (details: low, high)
    SETTING_CHOICE = "setting_choice"  # not one of the choices
    MARKETPLACE_CODE = "marketplace_code"  # not capitals, digits, "_" or "-", at most 40
    REASON_FORMAT = "reason_format"  # a reason's own code: capitals, digits and "_"
    REASON_EXISTS = "reason_exists"
    REASON_LABEL = "reason_label"  # a reason code label empty or over 120 characters
    # Order exports (order_exports.py).
    EXPORT_SINCE = "export_since"  # not a date, a date and time, nor an RFC 3339 moment
    EXPORT_FORMAT = "export_format"  # not csv, xlsx or jsonl
    EXPORT_FOLDER = "export_folder"  # absolute, "..", or characters a folder name may not hold
    # Finance reports (finance_reports.py).
    REPORT_DATE = "report_date"  # not a date (YYYY-MM-DD) of the years 2000 to 2999
    REPORT_PERIOD = "report_period"  # the period ends before it starts
    REPORT_TOO_LONG = "report_too_long"  # details: days (the longest period)
    REPORT_CHOICE = "report_choice"  # not one of the buckets or dimensions offered
    # Billing (billing.py).
    PERIOD_NOT_ENDED = "period_not_ended"  # a billing period closes once it has ended
    EARLIER_PERIOD_OPEN = "earlier_period_open"  # periods close in order
    NO_ISSUER = "no_issuer"  # no retailer (operator seller) to issue the invoices
    # Payouts (payouts.py, preferences.py).
    SETTING_IBAN = "setting_iban"  # the retailer's IBAN fails its check
    SETTING_BIC = "setting_bic"  # not a BIC (8 or 11 letters and digits)
    PAYOUT_BLOCKED = "payout_blocked"  # a blocked statement is not paid (details: statement)
    PAYOUT_PAID = "payout_paid"  # paid already (details: statement)
    PAYOUT_NOT_DUE = "payout_not_due"  # still in its holding period (details: statement, payable_on)
    PAYOUT_NOTHING_DUE = "payout_nothing_due"  # a payable of zero: the balance was carried over
    PAYOUT_NO_IBAN = "payout_no_iban"  # the seller has no valid IBAN (details: seller)
    PAYOUT_NO_DEBTOR = "payout_no_debtor"  # the retailer's IBAN or BIC is not set in the preferences
    PAYOUT_EMPTY = "payout_empty"  # no statement chosen
    PAYOUT_DATE = "payout_date"  # an execution date in the past
    BLOCK_REASON = "block_reason"  # not one of the reasons, or a note over 200 characters
