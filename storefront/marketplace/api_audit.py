"""The audit of the API's writes: what each client changed, when, and what it was answered.

:func:`record` keeps one entry per successful write (the API calls it once, for every domain:
storefront/api/audit.py); :func:`search` lists them newest first for the back office and the
API; the housekeeping purges entries older than :data:`RETENTION`
(``housekeeping.purge_api_audit``).

The change is the request's body as sent, with two limits: a value under a key that names a
secret (``client_secret``, ``password``, ``token``…) is blanked, wherever it is nested, and a
body above :data:`MAX_CHANGE` characters of JSON is kept as a summary (its fields, a list's
length), so a bulk import of a thousand offers does not copy a megabyte into the audit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .models import ApiAuditEntry, utcnow
from .paging import Page
from .unit_of_work import atomic

# An audit answers "who changed this last spring?"; a year covers a season and a year-end close.
RETENTION = timedelta(days=365)
MAX_CHANGE = 4_000  # characters of JSON kept as sent; a larger body is summarised
REDACTED = "[redacted]"
SECRET_KEY = re.compile(r"secret|password|passwd|token|authorization|api_?key|cvc|card_?number|iban",
                        re.IGNORECASE)


def redact(value: Any) -> Any:
    """``value`` with every value under a secret-looking key blanked, at any depth."""
    if isinstance(value, dict):
        return {str(key): REDACTED if SECRET_KEY.search(str(key)) else redact(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def bounded(change: Any) -> Any:
    """``change`` redacted, or a summary of it when its JSON is above :data:`MAX_CHANGE`."""
    if change is None:
        return None
    change = redact(change)
    size = len(json.dumps(change, ensure_ascii=False))
    if size <= MAX_CHANGE:
        return change
    summary: dict[str, Any] = {"truncated": True, "size": size}
    if isinstance(change, dict):
        summary["fields"] = {key: _summary_of(item) for key, item in list(change.items())[:50]}
    elif isinstance(change, list):
        summary["items"] = len(change)
    return summary


def _summary_of(value: Any) -> Any:
    if isinstance(value, list):
        return f"{len(value)} items"
    if isinstance(value, dict):
        return f"{len(value)} fields"
    if isinstance(value, str) and len(value) > 100:
        return value[:100] + "…"
    return value


@atomic
def record(
    session: Session,
    *,
    client_id: str,
    seller_id: int | None,
    method: str,
    path: str,
    object_kind: str,
    object_id: str,
    change: Any,
    status: int,
    at: datetime | None = None,
) -> ApiAuditEntry:
    """Keep one write of ``client_id`` (for ``seller_id``; None: the operator)."""
    entry = ApiAuditEntry(
        client_id=client_id[:64],
        seller_id=seller_id,
        method=method.upper()[:8],
        path=path[:255],
        object_kind=object_kind[:32],
        object_id=object_id[:64],
        change=bounded(change),
        status=status,
        created_at=at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilters:
    """What to list; empty values filter nothing. ``operator``: only the operator's clients."""

    client_id: str = ""
    seller_id: int | None = None
    operator: bool = False
    object_kind: str = ""
    object_id: str = ""
    since: datetime | None = None  # from this moment
    until: datetime | None = None  # before this moment


class AuditPage(Page[ApiAuditEntry]):
    """API audit entries matching the filters, one page of them, newest first."""


def _filtered(filters: AuditFilters):
    query = select(ApiAuditEntry)
    if filters.client_id:
        query = query.where(ApiAuditEntry.client_id == filters.client_id)
    if filters.operator:
        query = query.where(ApiAuditEntry.seller_id.is_(None))
    elif filters.seller_id is not None:
        query = query.where(ApiAuditEntry.seller_id == filters.seller_id)
    if filters.object_kind:
        query = query.where(ApiAuditEntry.object_kind == filters.object_kind)
    if filters.object_id:
        query = query.where(ApiAuditEntry.object_id == filters.object_id)
    if filters.since:
        query = query.where(ApiAuditEntry.created_at >= filters.since.astimezone(UTC))
    if filters.until:
        query = query.where(ApiAuditEntry.created_at < filters.until.astimezone(UTC))
    return query


def _newest_first(query):
    return query.options(joinedload(ApiAuditEntry.seller), joinedload(ApiAuditEntry.client)).order_by(
        ApiAuditEntry.id.desc()
    )


def search(session: Session, filters: AuditFilters, *, page: int = 1, per_page: int = 50) -> AuditPage:
    """A page of entries, newest first, with their seller and client (two queries in all)."""
    query = _filtered(filters)
    total = session.scalar(query.with_only_columns(func.count(ApiAuditEntry.id)).order_by(None)) or 0
    page = max(page, 1)
    items = session.scalars(_newest_first(query).limit(per_page).offset((page - 1) * per_page)).all()
    return AuditPage(list(items), total, page, per_page)


def entries_before(session: Session, filters: AuditFilters, *, before_id: int | None,
                   limit: int) -> list[ApiAuditEntry]:
    """Up to ``limit`` entries older than ``before_id`` (the API's cursor), newest first."""
    query = _filtered(filters)
    if before_id is not None:
        query = query.where(ApiAuditEntry.id < before_id)
    return list(session.scalars(_newest_first(query).limit(limit)).all())


def kinds(session: Session) -> list[str]:
    """The kinds of object written so far, for a filter's choices."""
    return list(session.scalars(
        select(ApiAuditEntry.object_kind).where(ApiAuditEntry.object_kind != "").distinct()
        .order_by(ApiAuditEntry.object_kind)
    ))

