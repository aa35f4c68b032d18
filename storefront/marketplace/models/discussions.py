"""Discussions domain: threads between a customer, a seller and the operator."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow
from .orders import ActorRole


class RelationsModel(enum.StrEnum):
    DIRECT = "DIRECT"  # customer <-> seller, the operator reads and may step in
    MEDIATED = "MEDIATED"  # customer <-> operator <-> seller; the customer never meets the seller


class ThreadStatus(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class ThreadKind(enum.StrEnum):
    DISCUSSION = "DISCUSSION"
    CLAIM = "CLAIM"  # escalated: the operator has taken over


class DiscussionTopic(Base):
    """The store's typology of subjects, mapped to a marketplace message type."""

    __tablename__ = "discussion_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120), default="")
    message_type: Mapped[str] = mapped_column(String(40), default="")
    about_order: Mapped[bool] = mapped_column(default=True)
    about_offer: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label


class Thread(Timestamped, Base):
    __tablename__ = "thread"
    __table_args__ = (
        Index("ix_thread_customer_last", "customer_id", "last_message_at"),
        Index("ix_thread_seller_last", "seller_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("discussion_topic.id"))
    # The marketplace message type of the topic when the thread was opened.
    message_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(200))
    model: Mapped[RelationsModel] = mapped_column(Enum(RelationsModel, native_enum=False, length=10))
    kind: Mapped[ThreadKind] = mapped_column(
        Enum(ThreadKind, native_enum=False, length=12), default=ThreadKind.DISCUSSION
    )
    status: Mapped[ThreadStatus] = mapped_column(
        Enum(ThreadStatus, native_enum=False, length=8), default=ThreadStatus.OPEN
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    seller_order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_order.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[DiscussionTopic] = relationship()
    messages: Mapped[list[Message]] = relationship(
        back_populates="thread", order_by="Message.id"
    )


class Message(Base):
    """A message. ``visible_to_customer`` and ``visible_to_seller`` implement the mediated model:
    the operator's exchange with the seller is hidden from the customer and vice versa."""

    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint("length(body) > 0", name="body_not_empty"),
        Index("ix_message_thread_id", "thread_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_role: Mapped[ActorRole] = mapped_column(Enum(ActorRole, native_enum=False, length=10))
    body: Mapped[str] = mapped_column(Text)
    visible_to_customer: Mapped[bool] = mapped_column(default=True)
    visible_to_seller: Mapped[bool] = mapped_column(default=True)
    # Indexed for the back office's home: the messages of a period (marketplace_stats).
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    thread: Mapped[Thread] = relationship(back_populates="messages")


class ThreadRead(Base):
    """How far one participant has read a thread (unread = messages after this one)."""

    __tablename__ = "thread_read"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("thread.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    last_read_message_id: Mapped[int] = mapped_column(default=0)
