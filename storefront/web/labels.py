"""The words for every state a page shows, in the visitor's language: one table per state enum.

Templates use the ``state_label`` filter (``seller_order.state|state_label``), Python calls
:func:`state_label`; both read the tables below, so a state is worded the same everywhere and a
test checks that none lacks its words.
"""

from __future__ import annotations

import enum

from flask import Flask
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from storefront.marketplace.event_categories import EventState
from storefront.marketplace.models import (
    ApplicationState,
    BillingDocumentKind,
    BlockReason,
    DeliveryStatus,
    FeedFrequency,
    FeedStatus,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    LedgerKind,
    LineState,
    PayoutState,
    PeriodState,
    SellerOrderState,
    SellerState,
    ShipmentStatus,
    ThreadKind,
    ThreadStatus,
)
from storefront.marketplace.models.orders import CustomerOrderStatus
from storefront.marketplace.payment_operations import PaymentEventKind

STATE_LABELS: dict[type[enum.StrEnum], dict[enum.StrEnum, LazyString]] = {
    CustomerOrderStatus: {
        CustomerOrderStatus.WAITING_ACCEPTANCE: _l("Waiting for the sellers' confirmation"),
        CustomerOrderStatus.SHIPPING: _l("Being prepared"),
        CustomerOrderStatus.PARTIALLY_SHIPPED: _l("Partly shipped"),
        CustomerOrderStatus.SHIPPED: _l("Shipped"),
        CustomerOrderStatus.RECEIVED: _l("Delivered"),
        CustomerOrderStatus.CANCELED: _l("Cancelled"),
    },
    PaymentEventKind: {  # the money of a customer's order, on its page
        PaymentEventKind.CHARGED: _l("Charged"),
        PaymentEventKind.REFUNDED: _l("Refunded"),
        PaymentEventKind.REFUND_PENDING: _l("Refund in progress"),
    },
    LedgerKind: {  # a seller's ledger lines (seller portal, Finance)
        LedgerKind.CAPTURE: _l("Sale"),
        LedgerKind.REFUND: _l("Refund"),
        LedgerKind.COMMISSION: _l("Commission"),
        LedgerKind.COMMISSION_REFUND: _l("Commission refunded"),
        LedgerKind.COMMISSION_VAT: _l("VAT on commission"),
        LedgerKind.SHIPPING_FEE: _l("Shipping"),
        LedgerKind.ADJUSTMENT: _l("Adjustment"),
        LedgerKind.PAYOUT: _l("Payout"),
    },
    PayoutState: {  # a statement's payout (seller portal and back office, Finance)
        PayoutState.ESTIMATED: _l("Estimated"),
        PayoutState.PAYABLE: _l("Payable"),
        PayoutState.BLOCKED: _l("Blocked"),
        PayoutState.PAID: _l("Paid"),
    },
    BlockReason: {  # why the operator holds a payout back
        BlockReason.DISPUTE: _l("Dispute"),
        BlockReason.KYC: _l("Identity or bank checks (KYC)"),
        BlockReason.OTHER: _l("Other reason"),
    },
    PeriodState: {
        PeriodState.OPEN: _l("Open"),
        PeriodState.CLOSED: _l("Closed"),
    },
    BillingDocumentKind: {
        BillingDocumentKind.COMMISSION_INVOICE: _l("Commission invoice"),
        BillingDocumentKind.CREDIT_NOTE: _l("Credit note"),
    },
    SellerOrderState: {
        SellerOrderState.WAITING_ACCEPTANCE: _l("Waiting for the seller's confirmation"),
        SellerOrderState.SHIPPING: _l("Confirmed, being prepared"),
        SellerOrderState.SHIPPED: _l("Shipped"),
        SellerOrderState.TO_COLLECT: _l("Ready to collect"),
        SellerOrderState.RECEIVED: _l("Delivered"),
        SellerOrderState.CLOSED: _l("Completed"),
        SellerOrderState.REFUSED: _l("Refused by the seller"),
        SellerOrderState.CANCELED: _l("Cancelled"),
    },
    # Lower case: a cell of the seller's table of lines.
    LineState: {
        LineState.WAITING_ACCEPTANCE: _l("to accept"),
        LineState.ACCEPTED: _l("accepted"),
        LineState.REFUSED: _l("refused"),
        LineState.CANCELED: _l("cancelled"),
    },
    ShipmentStatus: {
        ShipmentStatus.PENDING: _l("Not shipped yet"),
        ShipmentStatus.SHIPPED: _l("Shipped"),
        ShipmentStatus.DELIVERED: _l("Delivered"),
        ShipmentStatus.CANCELED: _l("Cancelled"),
    },
    ThreadStatus: {
        ThreadStatus.OPEN: _l("Open"),
        ThreadStatus.CLOSED: _l("Closed"),
    },
    ThreadKind: {
        ThreadKind.DISCUSSION: _l("Discussion"),
        ThreadKind.CLAIM: _l("Claim"),
    },
    DeliveryStatus: {  # a webhook delivery
        DeliveryStatus.PENDING: _l("Waiting"),
        DeliveryStatus.SENDING: _l("Sending"),
        DeliveryStatus.DELIVERED: _l("Delivered"),
        DeliveryStatus.FAILED: _l("Failed"),
    },
    SellerState: {  # a seller's shop
        SellerState.OPEN: _l("Open"),
        SellerState.SUSPENDED: _l("Suspended"),
        SellerState.CLOSED: _l("Closed"),
    },
    ApplicationState: {  # a seller application (onboarding)
        ApplicationState.SUBMITTED: _l("To review"),
        ApplicationState.INFO_REQUESTED: _l("Information requested"),
        ApplicationState.APPROVED: _l("Approved"),
        ApplicationState.REJECTED: _l("Rejected"),
    },
    ImportStatus: {  # an import (offers, products…)
        ImportStatus.QUEUED: _l("Waiting"),
        ImportStatus.RUNNING: _l("In progress"),
        ImportStatus.COMPLETE: _l("Complete"),
        ImportStatus.FAILED: _l("Failed"),
    },
    ImportMode: {
        ImportMode.NORMAL: _l("Add and update"),
        ImportMode.REPLACE: _l("Replace all my offers"),
    },
    ImportSource: {
        ImportSource.UPLOAD: _l("Uploaded file"),
        ImportSource.API: _l("API"),
        ImportSource.FEED: _l("Scheduled feed"),
        ImportSource.CLI: _l("Command line"),
    },
    ImportKind: {
        ImportKind.OFFERS: _l("Offers"),
        ImportKind.PRODUCTS: _l("Products"),
        ImportKind.CATEGORIES: _l("Categories"),
        ImportKind.STATUSES: _l("Order statuses"),
    },
    ImportLevel: {
        ImportLevel.ERROR: _l("Refused"),
        ImportLevel.WARNING: _l("Warning"),
        ImportLevel.SKIPPED: _l("Skipped"),
    },
    FeedStatus: {  # how a seller's offer feed's last fetch went
        FeedStatus.NEW: _l("Not fetched yet"),
        FeedStatus.IMPORTED: _l("New file imported"),
        FeedStatus.UNCHANGED: _l("Unchanged"),
        FeedStatus.FAILED: _l("Failed"),
    },
    FeedFrequency: {
        FeedFrequency.EVERY_15_MINUTES: _l("Every 15 minutes"),
        FeedFrequency.HOURLY: _l("Every hour"),
        FeedFrequency.DAILY: _l("Every day at a time"),
    },
    EventState: {  # an event category (Black Friday…) in the back office
        EventState.UPCOMING: _l("Upcoming"),
        EventState.LIVE: _l("Live"),
        EventState.ENDED: _l("Ended"),
        EventState.INACTIVE: _l("Deactivated"),
    },
}

# A seller order's state inside a sentence of the seller portal ("This order is shipped: …").
STATE_IN_SENTENCE: dict[SellerOrderState, LazyString] = {
    SellerOrderState.WAITING_ACCEPTANCE: _l("waiting for acceptance"),
    SellerOrderState.SHIPPING: _l("accepted"),
    SellerOrderState.SHIPPED: _l("shipped"),
    SellerOrderState.TO_COLLECT: _l("ready to collect"),
    SellerOrderState.RECEIVED: _l("delivered"),
    SellerOrderState.CLOSED: _l("closed"),
    SellerOrderState.REFUSED: _l("refused"),
    SellerOrderState.CANCELED: _l("cancelled"),
}

_ENUMS = {kind.__name__: kind for kind in STATE_LABELS}


def state_label(value: enum.StrEnum | str, of: str | None = None) -> str:
    """The label of a state: a member of a state enum, or its value with the enum's name in
    ``of`` (``state_label("SHIPPED", "ShipmentStatus")``) where a model keeps a plain string."""
    kind = _ENUMS[of] if of is not None else type(value)
    if kind not in STATE_LABELS:
        raise TypeError(f"no labels for {value!r}: pass a state enum member, or its enum in `of`")
    return str(STATE_LABELS[kind][kind(value)])


def state_in_sentence(state: SellerOrderState | str) -> str:
    return str(STATE_IN_SENTENCE[SellerOrderState(state)])


def init_app(app: Flask) -> None:
    app.jinja_env.filters["state_label"] = state_label
