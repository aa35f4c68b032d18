"""Webhooks: the URLs clients subscribe to events, the events, and their deliveries.

An event is written in the transaction of the change it reports, with one delivery row per
subscription that wants it (an outbox, like the emails' ``outbox_message``): if the change rolls
back, there is no event; if it commits, the worker delivers it (storefront/webhooks/delivery.py).

``WebhookDelivery.next_attempt_at`` is when a worker may next try a PENDING row;
``leased_until`` is the end of the lease of the worker holding a SENDING row, after which another
worker takes it back (the first one died).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow


class WebhookSubscription(Timestamped, Base):
    """A URL that receives the events of one seller (``seller_id``), or of every seller when
    ``seller_id`` is empty (the operator's systems).

    ``secret`` is the Standard Webhooks signing secret, ``whsec_`` + base64 of 24 random bytes,
    shown once to the client when the subscription is made. It is stored as is, not hashed: the
    worker needs the secret itself to sign every delivery (an HMAC cannot be checked against a
    hash, unlike a password or an OAuth client secret).

    ``api_client_id`` names the API client (OAuth) that made the subscription, if one did. The
    subscription is the seller's, not the client's: deleting a client (they are revoked, not
    deleted, but an operator may clean up) leaves it in place with no client (ON DELETE SET NULL).
    """

    __tablename__ = "webhook_subscription"
    # The lookup of every event: the active subscriptions of a seller, and the operator's.
    __table_args__ = (Index("ix_webhook_subscription_active_seller", "active", "seller_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"))
    api_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_client.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    event_types: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["order.created"]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(200), default="")

    def wants(self, event_type: str) -> bool:
        return event_type in (self.event_types or [])

    def __repr__(self) -> str:
        return f"<WebhookSubscription {self.id} {self.url}>"


class WebhookEvent(Base):
    """Something that happened, as the receivers see it: ``payload`` is the JSON ``data`` of the
    body. ``message_id`` (``msg_…``) is the ``webhook-id`` header: the same for every attempt and
    every replay, so a receiver can ignore a duplicate."""

    __tablename__ = "webhook_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id", ondelete="SET NULL"), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<WebhookEvent {self.message_id} {self.type}>"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"  # waiting for its first or next attempt
    SENDING = "SENDING"  # claimed by a worker, under lease
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    FAILED = "FAILED"  # given up after the retry schedule (24 h); can be replayed


class WebhookDelivery(Timestamped, Base):
    """One event to one subscription, and how its attempts went."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        # The worker's sweep: due PENDING rows, and SENDING rows whose lease ran out.
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_leased", "status", "leased_until"),
        # The deliveries of one subscription, newest first (the portal and the back office).
        Index("ix_webhook_delivery_subscription", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=9), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_status_code: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    event: Mapped[WebhookEvent] = relationship(lazy="joined")
    subscription: Mapped[WebhookSubscription] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.status} ({self.attempts} attempts)>"
