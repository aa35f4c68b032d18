"""Customers' address books.

Storefront data: an order copies the address it ships to (``CustomerOrder.ship_*``), so editing
or deleting an entry here never rewrites an order. Column lengths match those copies.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamped


class Address(Timestamped, Base):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(60), default="")  # "Maison", "Bureau"…
    name: Mapped[str] = mapped_column(String(120))  # the recipient
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    phone: Mapped[str] = mapped_column(String(30), default="")
    # At most one per user; kept so by the service (addresses.set_default_address).
    is_default: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<Address {self.id} of user {self.user_id} {self.postal_code} {self.city}>"
