"""What the shop's codes are called on the marketplace, set by the operator in the back office.

- discussion topics → marketplace message types (``DiscussionTopic.message_type``, copied onto
  each thread opened with the topic);
- the shop's delivery modes → a marketplace delivery mode and carrier (copied onto each shipment
  at checkout);
- payment methods → marketplace payment codes: the ``PAYMENT_CODES`` setting gives the defaults,
  the operator's mapping overrides them (the code used is copied onto the order).

Reason codes carry theirs on their own rows (``reason_codes.py``). Every change is recorded in
the audit log; readers go through ``reference_cache``, so every process sees a change within
``REFERENCE_CHECK_SECONDS`` (a second) and the process that made it at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import operator_audit, reference_cache
from .errors import InvalidValue, NotFound
from .models import DeliveryMode, DiscussionTopic, MappingKind, MarketplaceMapping, User
from .refusals import Refusal
from .unit_of_work import atomic

_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,39}")
_METHOD = re.compile(r"[a-z][a-z0-9_]{0,29}")


def clean_code(value: str | None, field: str = "marketplace_code") -> str:
    """A marketplace code: capitals, digits, "_" or "-", at most 40; "" for none."""
    code = (value or "").strip().upper()
    if code and not _CODE.fullmatch(code):
        raise InvalidValue(f"{code[:50]!r} is not a marketplace code", field=field,
                           reason=Refusal.MARKETPLACE_CODE)
    return code


# --- Reading (what checkout and discussions use) -------------------------------------------------


@dataclass(frozen=True)
class DeliveryCodes:
    mode: str
    carrier: str


def delivery_codes(session: Session, mode_code: str) -> DeliveryCodes:
    """The marketplace delivery mode and carrier of the shop's mode ``mode_code`` (empty when
    not mapped)."""
    return _mappings(session)[MappingKind.DELIVERY_MODE].get(mode_code, DeliveryCodes("", ""))


def payment_codes(session: Session, defaults: Mapping[str, str]) -> dict[str, str]:
    """Every payment method's marketplace code: ``defaults`` (the PAYMENT_CODES setting) with the
    operator's overrides on top."""
    overrides = _mappings(session)[MappingKind.PAYMENT_METHOD]
    return {**defaults, **{method: codes.mode for method, codes in overrides.items() if codes.mode}}


def _mappings(session: Session) -> Mapping:
    return reference_cache.cached(session, "marketplace_mappings", _load)


def _load(session: Session) -> Mapping:
    found: dict[MappingKind, dict[str, DeliveryCodes]] = {kind: {} for kind in MappingKind}
    for row in session.scalars(select(MarketplaceMapping)):
        found[row.kind][row.local_code] = DeliveryCodes(row.marketplace_code, row.carrier_code)
    return MappingProxyType({kind: MappingProxyType(rows) for kind, rows in found.items()})


# --- The back office's page ----------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    method: str
    default: str  # from PAYMENT_CODES
    override: str  # the operator's, "" when none

    @property
    def used(self) -> str:
        return self.override or self.default


@dataclass(frozen=True)
class Overview:
    topics: list[DiscussionTopic]
    modes: list[tuple[DeliveryMode, DeliveryCodes]]
    payments: list[PaymentRow]


def overview(session: Session, payment_defaults: Mapping[str, str]) -> Overview:
    """Every mapping the back office edits, fresh from the database."""
    stored = _load(session)
    modes = session.scalars(select(DeliveryMode).order_by(DeliveryMode.position, DeliveryMode.code))
    payments = stored[MappingKind.PAYMENT_METHOD]
    methods = sorted({*payment_defaults, *payments})
    return Overview(
        topics=list(session.scalars(select(DiscussionTopic).order_by(DiscussionTopic.position, DiscussionTopic.code))),
        modes=[(mode, stored[MappingKind.DELIVERY_MODE].get(mode.code, DeliveryCodes("", ""))) for mode in modes],
        payments=[PaymentRow(m, payment_defaults.get(m, ""), payments.get(m, DeliveryCodes("", "")).mode) for m in methods],
    )


# --- Writing -------------------------------------------------------------------------------------


@atomic
def set_message_type(session: Session, actor: User | None, topic: DiscussionTopic, message_type: str) -> bool:
    """Map ``topic`` to a marketplace message type; threads opened from now on record it.
    Returns whether anything changed."""
    code = clean_code(message_type, "message_type")
    if code == topic.message_type:
        return False
    before = topic.message_type
    topic.message_type = code
    operator_audit.record(session, actor, "mapping.topic", topic, before={"message_type": before},
                          after={"message_type": code}, summary=topic.code)
    return True


@atomic
def set_delivery_codes(session: Session, actor: User | None, mode_code: str, marketplace_mode: str,
                       carrier: str) -> bool:
    """Map the shop's delivery mode ``mode_code`` to a marketplace mode and carrier; shipments
    chosen from now on record them."""
    mode = session.scalar(select(DeliveryMode).where(DeliveryMode.code == (mode_code or "")[:20]))
    if mode is None:
        raise NotFound(f"unknown delivery mode {mode_code!r}")
    after = {"marketplace_code": clean_code(marketplace_mode), "carrier_code": clean_code(carrier, "carrier_code")}
    return _save(session, actor, MappingKind.DELIVERY_MODE, mode.code, after)


@atomic
def set_payment_code(session: Session, actor: User | None, method: str, code: str) -> bool:
    """Override the marketplace payment code of ``method`` ("" goes back to PAYMENT_CODES)."""
    method = (method or "").strip()
    if not _METHOD.fullmatch(method):
        raise InvalidValue(f"{method[:40]!r} is not a payment method", field="method",
                           reason=Refusal.SETTING_CHOICE)
    return _save(session, actor, MappingKind.PAYMENT_METHOD, method,
                 {"marketplace_code": clean_code(code), "carrier_code": ""})


def _save(session: Session, actor: User | None, kind: MappingKind, local_code: str, values: dict) -> bool:
    row = session.scalar(select(MarketplaceMapping).where(
        MarketplaceMapping.kind == kind, MarketplaceMapping.local_code == local_code))
    current = operator_audit.snapshot(row, list(values)) if row else {key: "" for key in values}
    before, after = operator_audit.changes(current, values)
    if not after:
        return False
    if row is None:
        row = MarketplaceMapping(kind=kind, local_code=local_code)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    operator_audit.record(session, actor, f"mapping.{kind.value.lower()}", row, before=before, after=after,
                          summary=local_code)
    return True
