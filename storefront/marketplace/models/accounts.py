"""People who sign in: customers, sellers' staff and the operator's staff.

Storefront data rather than marketplace data, but orders, threads and ratings point at it.
"""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped
from .sellers import Seller


class Role(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    SELLER = "SELLER"
    OPERATOR = "OPERATOR"


class User(Timestamped, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=10), default=Role.CUSTOMER)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    message_emails: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    seller: Mapped[Seller | None] = relationship()

    # The four members Flask-Login expects, written out so models need no Flask import.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
