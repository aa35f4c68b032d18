"""The operator's reason codes, managed from the back office: create, relabel in French and
English, say who may use each (customer, seller, operator), map it to the marketplace's code, and
deactivate it.

A deactivated code is no longer offered in forms nor accepted by the API
(``orders.reasons``); the cancellations, refunds and transitions that used it keep it. Reasons
are never deleted for that reason. Each change is recorded in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import operator_audit
from .errors import InvalidValue
from .mappings import clean_code
from .models import ReasonCode, ReasonType, User
from .paging import MAX_SEARCH, Page, page_of
from .refusals import Refusal
from .unit_of_work import atomic

_OWN_CODE = re.compile(r"[A-Z0-9_]{1,40}")
EDITABLE = ("label", "label_en", "customer_allowed", "seller_allowed", "operator_allowed",
            "marketplace_code", "active")


@dataclass(frozen=True)
class ReasonFields:
    """What the operator edits of a reason."""

    label: str
    label_en: str = ""
    customer_allowed: bool = False
    seller_allowed: bool = False
    operator_allowed: bool = True
    marketplace_code: str = ""
    active: bool = True


REASON_SORTS = ("type", "code", "label", "active")


def reason_page(
    session: Session, *, type: ReasonType | None = None, q: str = "", sort: str = "type",
    descending: bool = False, page: int = 1, per_page: int = 50,
) -> Page[ReasonCode]:
    """Reasons of ``type`` (every type when None) whose code or labels hold ``q``, sorted by one
    of :data:`REASON_SORTS`; by type, the active ones first in the order forms show them."""
    query = select(ReasonCode)
    if type is not None:
        query = query.where(ReasonCode.type == type)
    text = " ".join(q.split()).lower()[:MAX_SEARCH]
    if text:
        query = query.where(func.lower(ReasonCode.code).contains(text, autoescape=True)
                            | func.lower(ReasonCode.label).contains(text, autoescape=True)
                            | func.lower(ReasonCode.label_en).contains(text, autoescape=True))
    key = {"type": ReasonCode.type, "code": ReasonCode.code, "label": ReasonCode.label,
           "active": ReasonCode.active}[sort if sort in REASON_SORTS else "type"]
    query = query.order_by(key.desc() if descending else key.asc(), ReasonCode.type, ReasonCode.active.desc(),
                           ReasonCode.position, ReasonCode.code)
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page([reason for (reason,) in rows], total, page, per_page)


@atomic
def create(session: Session, actor: User | None, code: str, type: ReasonType | str,
           fields: ReasonFields) -> ReasonCode:
    code = (code or "").strip().upper()
    if not _OWN_CODE.fullmatch(code):
        raise InvalidValue(f"reason code {code[:50]!r} must be capitals, digits or '_'", field="code",
                           reason=Refusal.REASON_FORMAT)
    try:
        type = ReasonType(type)
    except ValueError:
        raise InvalidValue(f"unknown reason type {type!r}", field="type", reason=Refusal.SETTING_CHOICE) from None
    values = _checked(fields)
    if session.scalar(select(ReasonCode.id).where(ReasonCode.type == type, ReasonCode.code == code)):
        raise InvalidValue(f"reason {type}/{code} already exists", field="code", reason=Refusal.REASON_EXISTS)
    last = session.scalar(select(ReasonCode.position).where(ReasonCode.type == type)
                          .order_by(ReasonCode.position.desc()).limit(1))
    reason = ReasonCode(code=code, type=type, position=(last or 0) + 1, **values)
    session.add(reason)
    session.flush()
    operator_audit.record(session, actor, "reason_code.create", reason, before=None,
                          after={"code": code, "type": type.value, **values}, summary=f"{type}/{code}")
    return reason


@atomic
def update(session: Session, actor: User | None, reason: ReasonCode, fields: ReasonFields) -> bool:
    """Change what the operator edits of ``reason``; returns whether anything changed."""
    values = _checked(fields)
    before, after = operator_audit.changes(operator_audit.snapshot(reason, EDITABLE), values)
    if not after:
        return False
    for key, value in after.items():
        setattr(reason, key, value)
    session.flush()
    action = "reason_code.deactivate" if after.get("active") is False else "reason_code.update"
    operator_audit.record(session, actor, action, reason, before=before, after=after,
                          summary=f"{reason.type}/{reason.code}")
    return True


def _checked(fields: ReasonFields) -> dict:
    label, label_en = _label(fields.label, "label", True), _label(fields.label_en, "label_en", False)
    return {
        "label": label,
        "label_en": label_en,
        "customer_allowed": bool(fields.customer_allowed),
        "seller_allowed": bool(fields.seller_allowed),
        "operator_allowed": bool(fields.operator_allowed),
        "marketplace_code": clean_code(fields.marketplace_code),
        "active": bool(fields.active),
    }


def _label(value: str | None, field: str, required: bool) -> str:
    text = " ".join((value or "").split())
    if (required and not text) or len(text) > 120 or any(ord(ch) < 32 for ch in text):
        raise InvalidValue(f"a label is 1 to 120 characters, not {text[:40]!r}", field=field,
                           reason=Refusal.REASON_LABEL)
    return text
