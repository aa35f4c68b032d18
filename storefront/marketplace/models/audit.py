"""The back office's audit log: one row per operator write, kept forever."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, Timestamped


class OperatorAuditEntry(Timestamped, Base):
    """Who (``actor``), when (``created_at``), what (``action`` on ``target_kind``/``target_id``)
    and the values before and after, written by the service in the same transaction as the
    change it describes (marketplace/operator_audit.py). Never purged: the housekeeping leaves it.

    ``actor_email`` is copied so the trail still reads after the account is gone."""

    __tablename__ = "operator_audit_entry"
    __table_args__ = (
        Index("ix_operator_audit_entry_created", "created_at", "id"),
        Index("ix_operator_audit_entry_target", "target_kind", "target_id"),
        Index("ix_operator_audit_entry_actor", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(255), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()
