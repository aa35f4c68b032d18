"""People who sign in: customers, sellers' staff and the operator's staff.

Storefront data rather than marketplace data, but orders, threads and ratings point at it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Timestamped
from .sellers import Seller


class Role(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    SELLER = "SELLER"
    OPERATOR = "OPERATOR"


class OperatorRole(enum.StrEnum):
    """What an operator's staff member does in the back office (marketplace.staff maps each to
    the permissions it grants). ADMIN can do everything."""

    ADMIN = "ADMIN"
    CATALOG = "CATALOG"
    SUPPORT = "SUPPORT"  # customer service
    FINANCE = "FINANCE"


class User(Timestamped, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=10), default=Role.CUSTOMER)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("seller.id"), index=True)
    # Operator accounts only: the staff role that limits their back-office pages (None elsewhere).
    operator_role: Mapped[OperatorRole | None] = mapped_column(
        Enum(OperatorRole, native_enum=False, length=10)
    )
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    message_emails: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    # When the owner opened the confirmation link emailed at registration; None until then (no
    # order nor message from the account before: marketplace.email_confirmation).
    email_confirmed_at: Mapped[datetime | None] = mapped_column()
    # When the last confirmation link was sent: at most one per few minutes per inbox.
    confirmation_sent_at: Mapped[datetime | None] = mapped_column()

    seller: Mapped[Seller | None] = relationship()

    # Flask-Login's "alternative id" of this user in the browser being served: "<id>:<token>",
    # the token being the secret of one UserSession row (marketplace.user_sessions sets it when
    # it opens or loads a session). Not a column: each browser has its own.
    login_id = None

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

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the alternative id
        of a server-side session, never the bare user id, so that deleting the session's row
        (log out, log out everywhere, a new password) makes every copy of those cookies void."""
        if self.login_id is None:
            raise RuntimeError("sign users in through storefront.auth.sign_in (it opens a session)")
        return self.login_id

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(Base):
    """One signed-in browser: the server's side of a session cookie and a remember-me cookie.

    The cookies carry ``<user id>:<token>``; the row keeps only the SHA-256 of the token (its
    ``id``), so a copy of this table gives no cookie. Deleting the row signs that browser out
    for good, whatever copies of its cookies exist (marketplace.user_sessions).
    """

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token), hex
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the housekeeping purge
