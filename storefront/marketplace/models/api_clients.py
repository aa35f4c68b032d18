"""API clients: the OAuth 2.0 clients that call /api/v1 for one seller or for the operator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped, utcnow
from .sellers import Seller


class ApiClient(Timestamped, Base):
    """One OAuth 2.0 client (client-credentials grant).

    ``seller_id`` names the one seller the client acts for; None means the operator (every
    seller's data). Only a SHA-256 digest of the secret is kept: the secret is shown once, when
    the client is made. The digest need not be slow (unlike a password's): the secret is 256
    random bits, which no dictionary holds.
    """

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_digest: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)
    scopes: Mapped[str] = mapped_column(Text, default="")  # space-separated, as in OAuth
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    seller: Mapped[Seller | None] = relationship()

    @property
    def is_operator(self) -> bool:
        return self.seller_id is None

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class ApiIdempotencyKey(Timestamped, Base):
    """A POST sent with an ``Idempotency-Key`` header (storefront/api/idempotency.py): the first
    answer is kept, so the client's retry gets it again instead of doing the work twice.
    ``status`` is None while the first request is still being answered."""

    __tablename__ = "api_idempotency_key"
    __table_args__ = (
        UniqueConstraint("client_id", "key"),
        Index("ix_api_idempotency_key_created_at", "created_at"),  # the housekeeping purge
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None]
    body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)


class ApiAuditEntry(Timestamped, Base):
    """One write through the API that succeeded (storefront/api/audit.py records it): which
    client, for which seller (None: the operator's client), what it asked (method, path, the
    object and the body, secrets blanked and size bounded) and what was answered. Shown to the
    operator in the back office; kept ``api_audit.RETENTION``, then purged by the housekeeping.

    ``client_id`` is the OAuth client id as the token said (no foreign key: a client's trail
    outlives the client)."""

    __tablename__ = "api_audit_entry"
    __table_args__ = (
        Index("ix_api_audit_entry_created_at", "created_at"),  # the date filter and the purge
        Index("ix_api_audit_entry_object", "object_kind", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    object_kind: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    change: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[int]

    seller: Mapped[Seller | None] = relationship()
    client: Mapped[ApiClient | None] = relationship(
        primaryjoin="foreign(ApiAuditEntry.client_id) == ApiClient.client_id", viewonly=True
    )
class ApiRevocation(Base):
    """Access tokens the API refuses although their signature and dates are good
    (storefront/marketplace/token_revocations.py). One row is one of:

    - ``jti``: that one token (RFC 7009), until it expires (``expires_at`` is its ``exp``);
    - ``client_id``: every token of that client issued before ``not_before`` (the client was
      revoked), until the last of them has expired;
    - ``seller_id``: every token for that seller, whoever issued it: while the shop is suspended
      ``not_before`` and ``expires_at`` are empty (no token, however new, is accepted); once it
      reopens, the ones issued before it reopened, until they have expired.

    Rows past ``expires_at`` are deleted by the housekeeping job.
    """

    __tablename__ = "api_revocation"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN jti IS NULL THEN 0 ELSE 1 END) + (CASE WHEN client_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN seller_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
        Index("ix_api_revocation_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str | None] = mapped_column(String(255))
    client_id: Mapped[str | None] = mapped_column(String(64))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id", ondelete="CASCADE"))
    not_before: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
