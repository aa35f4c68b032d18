"""Reason codes: the operator's list of why an order is refused, cancelled or refunded, with who
may give each reason."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidValue, NotAllowed, NotFound
from ..models import ActorRole, ReasonCode, ReasonType
from ..refusals import Refusal
from ..unit_of_work import atomic


@atomic
def create_reason_code(
    session: Session,
    code: str,
    type: ReasonType,
    label: str,
    *,
    label_en: str = "",
    customer_allowed: bool = False,
    seller_allowed: bool = False,
    operator_allowed: bool = True,
    position: int = 0,
    marketplace_code: str = "",
) -> ReasonCode:
    code = (code or "").strip().upper()
    if not code or not all(ch.isalnum() or ch == "_" for ch in code):
        raise InvalidValue(f"reason code {code!r} must be letters, digits or '_'")
    try:
        type = ReasonType(type)
    except ValueError:
        raise InvalidValue(f"unknown reason type {type!r}") from None
    if not label.strip():
        raise InvalidValue("a reason code needs a label")
    exists = session.scalar(
        select(ReasonCode.id).where(ReasonCode.type == type, ReasonCode.code == code)
    )
    if exists is not None:
        raise InvalidValue(f"reason {type}/{code} already exists")
    reason = ReasonCode(
        code=code,
        type=type,
        label=label.strip(),
        label_en=label_en.strip(),
        customer_allowed=customer_allowed,
        seller_allowed=seller_allowed,
        operator_allowed=operator_allowed,
        position=position,
        marketplace_code=marketplace_code,
    )
    session.add(reason)
    session.flush()
    return reason


def reason_codes(session: Session, type: ReasonType, role: ActorRole) -> list[ReasonCode]:
    """The active reasons of ``type`` that ``role`` may pick, in the operator's order."""
    reasons = session.scalars(
        select(ReasonCode)
        .where(ReasonCode.type == ReasonType(type), ReasonCode.active.is_(True))
        .order_by(ReasonCode.position, ReasonCode.code)
    )
    return [reason for reason in reasons if reason.allows(role)]


def get_reason(session: Session, type: ReasonType, code: str, role: ActorRole) -> ReasonCode:
    reason = session.scalar(
        select(ReasonCode).where(ReasonCode.type == ReasonType(type), ReasonCode.code == code)
    )
    if reason is None:
        raise NotFound(f"unknown {ReasonType(type).lower()} reason {code!r}", reason=Refusal.REASON_CODE)
    _check_reason(reason, ReasonType(type), ActorRole(role))
    return reason


def _check_reason(reason: ReasonCode, type: ReasonType, role: ActorRole) -> None:
    if not reason.active and role != ActorRole.SYSTEM:
        # Deactivated by the operator: records that used it keep it, new ones cannot.
        raise InvalidValue(f"reason {reason.code} is no longer in use", reason=Refusal.REASON_CODE)
    if reason.type != type:
        raise InvalidValue(
            f"reason {reason.code} is a {reason.type} reason, not a {type} one", reason=Refusal.REASON_CODE
        )
    if not reason.allows(role):
        raise NotAllowed(
            f"reason {reason.code} is not available to a {role.lower()}", reason=Refusal.REASON_CODE
        )
