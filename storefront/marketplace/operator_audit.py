"""The back office's audit log: every operator write, who made it, when, and the values before
and after.

Services call :func:`record` inside the transaction of the change, so an entry exists exactly
when the change does (a refused or rolled-back write leaves none). Entries are never updated nor
purged. :func:`search` lists them newest first for /backoffice/audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from .models import OperatorAuditEntry, User

MAX_TEXT = 500  # characters kept of one value (a product description is summarised, not copied)


def record(
    session: Session,
    actor: User | None,
    action: str,
    target: Any = None,
    *,
    target_kind: str | None = None,
    target_id: str | int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
) -> OperatorAuditEntry:
    """Add one entry. ``target`` is a model instance (its table and primary key name it) or
    None with ``target_kind``/``target_id`` given. ``before``/``after`` hold only the fields the
    write touched; values are made JSON-safe (dates as ISO text, enums as their value)."""
    if target is not None:
        target_kind = target_kind or target.__tablename__
        if target_id is None:
            identity = inspect(target).identity
            target_id = identity[0] if identity else getattr(target, "id", None)
    entry = OperatorAuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", "") or "",
        action=action[:64],
        target_kind=(target_kind or "")[:32],
        target_id="" if target_id is None else str(target_id)[:64],
        summary=summary[:255],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    session.add(entry)
    session.flush()
    return entry


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``{field: value}`` of ``obj`` for the fields about to change (the ``before`` of a write)."""
    return {field: _plain(getattr(obj, field)) for field in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields whose value differs, as (before, after)."""
    keys = [key for key in after if _plain(before.get(key)) != _plain(after[key])]
    return {key: _plain(before.get(key)) for key in keys}, {key: _plain(after[key]) for key in keys}


@dataclass(frozen=True)
class AuditPage:
    entries: list[OperatorAuditEntry]
    total: int


def search(
    session: Session,
    *,
    actor: str = "",
    action: str = "",
    target_kind: str = "",
    target_id: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Entries newest first, filtered by actor email (part of), action (prefix), target, and
    creation day (``until`` included)."""
    query = select(OperatorAuditEntry)
    if actor:
        query = query.where(OperatorAuditEntry.actor_email.contains(actor.lower(), autoescape=True))
    if action:
        query = query.where(OperatorAuditEntry.action.startswith(action, autoescape=True))
    if target_kind:
        query = query.where(OperatorAuditEntry.target_kind == target_kind)
    if target_id:
        query = query.where(OperatorAuditEntry.target_id == target_id)
    if since:
        query = query.where(OperatorAuditEntry.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        query = query.where(OperatorAuditEntry.created_at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = session.scalars(
        query.order_by(OperatorAuditEntry.created_at.desc(), OperatorAuditEntry.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return AuditPage(list(entries), total)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
