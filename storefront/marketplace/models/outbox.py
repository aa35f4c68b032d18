"""The email outbox: every message the shop sends, written in the transaction of the event that
causes it and delivered afterwards by the worker (storefront/notifications/delivery.py).

``next_attempt_at`` is when a worker may next take the row: for a PENDING row, the time of its
next try (now, or later after a failure); for a SENDING row, the end of the lease of the worker
that claimed it, after which another worker takes it back (the first one died).

A service records *what* to send (``template``, ``context`` as JSON, ``locale``): the row has no
subject or bodies yet (``rendered_at`` is empty). The worker renders it once, in the
recipient's language, stores the three parts and only then sends them, so that every retry sends
exactly the same message.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamped, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "PENDING"  # waiting for its first or next attempt
    SENDING = "SENDING"  # claimed by a worker, under lease
    SENT = "SENT"  # accepted by the SMTP server
    FAILED = "FAILED"  # given up after too many attempts; kept for the operator to look at
    CANCELED = "CANCELED"  # withdrawn by the operator (marketplace/outbox_admin.py); never sent


class OutboxMessage(Timestamped, Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        # Sent messages past their retention (storefront.marketplace.housekeeping).
        Index("ix_outbox_message_sent", "status", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), default="")  # e.g. "password_reset"
    locale: Mapped[str] = mapped_column(String(5))
    sender: Mapped[str] = mapped_column(String(320))
    to_address: Mapped[str] = mapped_column(String(254))
    # What the service recorded: the email's templates (templates/emails/<template>.*) and the
    # values they show, as plain JSON (storefront/marketplace/outbox.py).
    template: Mapped[str] = mapped_column(String(60), default="", server_default="")
    context: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # Filled by the worker when it renders the message, before the first attempt to send it.
    subject: Mapped[str] = mapped_column(String(400), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    rendered_at: Mapped[datetime | None]
    # Chosen once, so that a message sent again after a lost acknowledgement carries the same id
    # and mail clients can recognise the duplicate.
    message_id: Mapped[str] = mapped_column(String(250), unique=True)

    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=8), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The request (X-Request-ID) during which the service recorded it, "" outside requests: the
    # worker sends it as X-Storefront-Request-ID and logs it, so one id follows a click to the
    # email it caused.
    request_id: Mapped[str] = mapped_column(String(64), default="", server_default="")
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
