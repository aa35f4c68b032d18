"""Customer accounts as customer service runs them: a block keeps a customer out of the shop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base


class CustomerBlock(Base):
    """A blocked customer account: it cannot log in nor order until customer service unblocks it
    (marketplace/customer_admin.py). One row while blocked, deleted on unblocking; the audit log
    keeps the history (who, when, why). A row of its own rather than ``User.active``, which means
    "closed" to every other part of the shop (password resets, registration, message emails)."""

    __tablename__ = "customer_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(500))
    blocked_at: Mapped[datetime]
    blocked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    blocked_by: Mapped[User | None] = relationship(foreign_keys=[blocked_by_id])
