"""What the shop's own codes are called on the marketplace: its delivery modes (a marketplace
delivery mode and carrier) and its payment methods (a marketplace payment code).

Topics and reason codes carry their marketplace code on their own rows
(``DiscussionTopic.message_type``, ``ReasonCode.marketplace_code``); these two have no row of the
shop's to carry it (payment methods are the provider's, delivery modes belong to the delivery
settings), hence one small table keyed by (kind, the shop's code).
"""

from __future__ import annotations

import enum

from sqlalchemy import Enum, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class MappingKind(enum.StrEnum):
    DELIVERY_MODE = "DELIVERY_MODE"  # a DeliveryMode.code -> marketplace mode + carrier
    PAYMENT_METHOD = "PAYMENT_METHOD"  # a provider's method ("card") -> marketplace payment code


class MarketplaceMapping(Base):
    __tablename__ = "marketplace_mapping"
    __table_args__ = (UniqueConstraint("kind", "local_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MappingKind] = mapped_column(Enum(MappingKind, native_enum=False, length=20))
    local_code: Mapped[str] = mapped_column(String(40))
    marketplace_code: Mapped[str] = mapped_column(String(40), default="")
    carrier_code: Mapped[str] = mapped_column(String(40), default="")
