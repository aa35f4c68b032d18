"""Seller onboarding: companies that apply to sell on the marketplace, and their KYC documents."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, Timestamped
from .sellers import Seller


class ApplicationState(enum.StrEnum):
    SUBMITTED = "SUBMITTED"            # waiting for the operator's review
    INFO_REQUESTED = "INFO_REQUESTED"  # the operator asked the company to complete it
    APPROVED = "APPROVED"              # the seller exists (``seller_id``)
    REJECTED = "REJECTED"              # with a reason, sent to the company


class DocumentKind(enum.StrEnum):
    IDENTITY = "IDENTITY"  # the legal representative's ID card or passport
    KBIS = "KBIS"          # the company registration extract (Kbis, or the foreign equivalent)
    BANK = "BANK"          # proof that the IBAN is the company's (RIB)


class SellerApplication(Timestamped, Base):
    """What a company filled in on /vendre, and where the operator's review stands.

    ``siret`` (France) or ``company_number`` with ``country`` (elsewhere); ``iban`` normalised
    (no spaces). ``round`` counts the operator's requests for information: the link in each
    request's email names its round, so an older link stops working once the company re-submits.
    """

    __tablename__ = "seller_application"
    __table_args__ = (
        Index("ix_seller_application_state_submitted", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ApplicationState] = mapped_column(
        Enum(ApplicationState, native_enum=False, length=16), default=ApplicationState.SUBMITTED
    )
    shop_name: Mapped[str] = mapped_column(String(120))
    legal_name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), default="FR")
    siret: Mapped[str] = mapped_column(String(14), default="", index=True)
    company_number: Mapped[str] = mapped_column(String(40), default="")
    vat_number: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(12), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254), index=True)
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    categories: Mapped[list] = mapped_column(JSON, default=list)  # category codes
    iban: Mapped[str] = mapped_column(String(34), default="")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    info_request: Mapped[str] = mapped_column(Text, default="")  # the operator's last question
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was rejected
    round: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)

    reviewer: Mapped[User | None] = relationship()
    seller: Mapped[Seller | None] = relationship()
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )


class ApplicationDocument(Timestamped, Base):
    """One uploaded file, stored under ``stored_name`` in KYC_STORAGE_DIR (never in static/)."""

    __tablename__ = "application_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("seller_application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(Enum(DocumentKind, native_enum=False, length=12))
    content_type: Mapped[str] = mapped_column(String(40))  # from the content (uploads.check)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int] = mapped_column(default=0)

    application: Mapped[SellerApplication] = relationship(back_populates="documents")
