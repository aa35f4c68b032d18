"""What every import of a file shares, whatever it holds (offers, order statuses…): the stored
file and its record, the seller's limits, claiming a run, the sweep, the refused rows and their
report. Each kind keeps only its own rows' rules (``offer_imports``, ``status_imports``).

- :func:`submit` stores the file (hashing it, refusing it as soon as it is too big), checks it
  can be read at all, applies the seller's limits (preferences ``offer_import_min_minutes`` and
  ``imports_per_day``, per kind) and records a QUEUED :class:`DataImport`. The same file sent
  again by the same seller, for the same kind, is the same import (unless it FAILED: then it is
  queued again and goes on where it stopped).
- :func:`claim` takes a run in one conditional UPDATE; :func:`stalled` finds what the sweep
  must run again; :func:`run` runs an import by its kind (the worker's one job for all kinds).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import preferences
from .errors import DomainError, InvalidValue, NotFound
from .import_files import Reader, check_size, csv_text, open_file
from .models import (
    DataImport,
    DataImportError,
    ImportColumnMapping,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    Seller,
)
from .refusals import Refusal
from .unit_of_work import transaction

STALE_AFTER = timedelta(minutes=10)  # far longer than a batch takes: a silent run is dead


class RowRefused(InvalidValue):
    """One row of the file is refused (nothing of it is applied)."""


@dataclass(frozen=True)
class Storage:
    """Where files are kept and how big they may be (the settings IMPORT_STORAGE_DIR and
    IMPORT_MAX_BYTES, handed in by the web, the API, the CLI and the worker)."""

    root: Path
    max_bytes: int

    @classmethod
    def from_settings(cls, settings) -> Storage:
        return cls(Path(settings["IMPORT_STORAGE_DIR"]), int(settings["IMPORT_MAX_BYTES"]))


# -- headers -----------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """``"Délai d'expédition"`` → ``"delai-d-expedition"``: how aliases are looked up."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", text))


@lru_cache(maxsize=4096)
def choice_key(value: str) -> str:
    """``"Expédié"`` → ``"EXPEDIE"``: how a choice written in a cell is looked up."""
    return header_key(value).upper().replace("-", "_")


def column_map(headers: Iterable[str], aliases: dict[str, str],
               saved: dict[str, str] | None = None) -> dict[str, str]:
    """The file's headers → our fields: the seller's saved mapping first, then the aliases; the
    first header to claim a field wins, others are ignored."""
    saved = saved or {}
    keyed = {header_key(h): f for h, f in saved.items()}
    result: dict[str, str] = {}
    for header in headers:
        field = saved.get(header) or keyed.get(header_key(header)) or aliases.get(header_key(header))
        if field and field not in result.values():
            result[header] = field
    return result


def saved_mapping(session: Session, seller_id: int | None, kind: ImportKind) -> dict[str, str]:
    if seller_id is None:
        return {}
    row = session.scalar(select(ImportColumnMapping).where(
        ImportColumnMapping.seller_id == seller_id, ImportColumnMapping.kind == kind))
    return dict(row.columns) if row is not None else {}


# -- submitting a file -------------------------------------------------------------------------------


def submit(
    session: Session,
    seller: Seller,
    stream: BinaryIO,
    *,
    kind: ImportKind,
    storage: Storage,
    check: Callable[[Reader], None],
    file_name: str = "",
    mode: ImportMode = ImportMode.NORMAL,
    source: ImportSource = ImportSource.UPLOAD,
    user_id: int | None = None,
    declared_size: int | None = None,
    again: bool = False,
) -> tuple[DataImport, bool]:
    """Record an import of ``kind`` of the file read from ``stream``; returns it and whether it is
    to run (False: the same file was already imported, this is that import). ``check`` refuses a
    file whose headers the kind cannot use (``FileRefused``). Refusals record nothing and keep no
    file.

    ``again``: a COMPLETE import of the same file does not stop a new one (a feed whose content
    comes back to an earlier file — yesterday's stocks — must apply it again; the feed itself
    skips a file identical to its last one). A QUEUED, RUNNING or FAILED one is still that import."""
    check_size(declared_size, storage.max_bytes)
    temporary, digest, size = store_upload(stream, storage)
    try:
        existing = session.scalar(
            select(DataImport).where(DataImport.kind == kind, DataImport.seller_id == seller.id,
                                     DataImport.file_hash == digest).order_by(DataImport.id.desc()).limit(1))
        if existing is not None and Path(existing.stored_path).is_file() and not (
                again and existing.status == ImportStatus.COMPLETE):
            temporary.unlink(missing_ok=True)
            if existing.status != ImportStatus.FAILED:
                return existing, False
            with transaction(session):
                existing.status, existing.error, existing.error_code = ImportStatus.QUEUED, "", ""
                existing.finished_at = None
            return existing, True
        now = shop_clock.of(session).now()
        if source != ImportSource.CLI:
            check_limits(session, seller.id, kind, now)
        reader = open_file(temporary, storage.max_bytes)
        check(reader)
        folder = storage.root / f"seller-{seller.id}"
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{digest}.{reader.format.lower()}"
        if kind != ImportKind.OFFERS:  # one file sent as two kinds is two imports, two files
            final = folder / f"{kind.value.lower()}-{digest}.{reader.format.lower()}"
        temporary.replace(final)
        with transaction(session):
            record = DataImport(
                kind=kind, seller_id=seller.id, user_id=user_id, source=source, mode=mode,
                status=ImportStatus.QUEUED, file_name=(file_name or final.name)[-200:], stored_path=str(final),
                file_hash=digest, file_size=size, created_at=now,
            )
            session.add(record)
        return record, True
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def store_upload(stream: BinaryIO, storage: Storage) -> tuple[Path, str, int]:
    """Copy the upload to a file of the storage, hashing it, and stop as soon as it is too big."""
    storage.root.mkdir(parents=True, exist_ok=True)
    temporary = storage.root / f"incoming-{uuid.uuid4().hex}"
    digest, size = hashlib.sha256(), 0
    try:
        with temporary.open("wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                check_size(size, storage.max_bytes)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, digest.hexdigest(), size


def check_limits(session: Session, seller_id: int, kind: ImportKind, now) -> None:
    """The operator's limits on a seller's imports of one kind (back-office preferences): an offer
    file just sent does not hold back the day's tracking numbers. Also asked before a feed is
    fetched on demand (``offer_feeds.run_now``), so that the refusal comes at once."""
    minutes = int(preferences.get(session, "offer_import_min_minutes"))
    per_day = int(preferences.get(session, "imports_per_day"))
    mine = (DataImport.seller_id == seller_id) & (DataImport.kind == kind)
    last = session.scalar(select(func.max(DataImport.created_at)).where(mine))
    if last is not None and now - last < timedelta(minutes=minutes):
        raise InvalidValue(f"at least {minutes} minutes between two imports", reason=Refusal.IMPORT_TOO_SOON,
                           minutes=minutes)
    today = session.scalar(select(func.count(DataImport.id)).where(
        mine, DataImport.created_at > now - timedelta(days=1)))
    if today >= per_day:
        raise InvalidValue(f"at most {per_day} imports a day", reason=Refusal.IMPORT_DAILY_LIMIT, limit=per_day)


# -- reading -----------------------------------------------------------------------------------------


def get_import(session: Session, seller_id: int | None, import_id: int,
               kind: ImportKind | None = None) -> DataImport:
    """The import, if it is ``seller_id``'s (None: the operator, any import) and of ``kind`` (if
    given); else NotFound, the same answer as for an id that does not exist."""
    record = session.get(DataImport, import_id)
    if (record is None or (kind is not None and record.kind != kind)
            or (seller_id is not None and record.seller_id != seller_id)):
        raise NotFound("no such import")
    return record


def imports_of(session: Session, seller_id: int, limit: int = 50, *, kind: ImportKind | None = None,
               before_id: int | None = None) -> list[DataImport]:
    """The seller's imports (of ``kind``, if given), newest first; ``before_id``: only those
    older than that import (the API's cursor: ids grow with time, so the order is stable)."""
    query = select(DataImport).where(DataImport.seller_id == seller_id)
    if kind is not None:
        query = query.where(DataImport.kind == kind)
    if before_id is not None:
        query = query.where(DataImport.id < before_id)
    return list(session.scalars(query.order_by(DataImport.id.desc()).limit(limit)))


def errors_of(session: Session, record: DataImport, limit: int | None = None) -> list[DataImportError]:
    query = select(DataImportError).where(DataImportError.import_id == record.id).order_by(
        DataImportError.line, DataImportError.id)
    return list(session.scalars(query.limit(limit) if limit else query))


def count_code(session: Session, record: DataImport, code: str) -> int:
    """How many rows of the import were reported with ``code`` (one query)."""
    return session.scalar(select(func.count(DataImportError.id)).where(
        DataImportError.import_id == record.id, DataImportError.code == code)) or 0


def as_error(row: DataImportError) -> DomainError:
    """The refusal a row was recorded with, for ``web.refusals.explain`` to word it."""
    return DomainError(row.message, **({"reason": row.code} if row.code else {}), **(row.details or {}))


def file_error(record: DataImport) -> DomainError | None:
    """Why the whole file failed, if it did."""
    if not record.error:
        return None
    return DomainError(record.error, **({"reason": record.error_code} if record.error_code else {}))


def error_report(session: Session, record: DataImport, explain: Callable[[DomainError], str] = lambda e: e.message,
                 headers: tuple[str, ...] = ("line", "sku", "field", "level", "message")) -> str:
    """The reported rows as CSV (cells escaped against CSV injection), the file-level error first."""
    rows: list[list[object]] = [list(headers)]
    if record.error:
        rows.append(["", "", "", ImportLevel.ERROR.value, explain(file_error(record))])
    rows += [[e.line, e.key, e.field, e.level.value, explain(as_error(e))] for e in errors_of(session, record)]
    return csv_text(rows)


def error_row(record: DataImport, line: int, key: str, error: DomainError,
              level: ImportLevel = ImportLevel.ERROR) -> DataImportError:
    """A reported row: the refusal's code and plain details (what the page needs to word it)."""
    details = {k: v for k, v in error.details.items()
               if k != "reason" and isinstance(v, str | int | float | bool) and not isinstance(v, bool)}
    if "warning" in error.details and hasattr(error.details["warning"], "as_details"):
        details.update({k: v for k, v in error.details["warning"].as_details().items()
                        if isinstance(v, str | int | float)})
    return DataImportError(
        import_id=record.id, line=line, key=(key or "")[:200], field=str(error.details.get("field", ""))[:40],
        code=str(error.details.get("reason") or "")[:40], details=details, message=error.message,
        level=level,
    )


# -- running -----------------------------------------------------------------------------------------


def run(session: Session, import_id: int, *, storage: Storage, progress=None) -> DataImport | None:
    """Run an import by its kind (the worker's job and the sweep call this for every kind)."""
    from . import catalog_imports, offer_imports, status_imports  # they import this module

    record = session.get(DataImport, import_id)
    if record is None:
        return None
    runner = {ImportKind.OFFERS: offer_imports.run, ImportKind.STATUSES: status_imports.run,
              ImportKind.PRODUCTS: catalog_imports.run, ImportKind.CATEGORIES: catalog_imports.run}.get(record.kind)
    if runner is None:
        return record
    return runner(session, import_id, storage=storage, progress=progress)


def claim(session: Session, record: DataImport, now) -> bool:
    """Take the import for this run, in one conditional UPDATE: a QUEUED or FAILED import, or a
    RUNNING one whose run stopped beating ``STALE_AFTER`` ago (a killed worker). Two workers
    given the same import (a task queued twice, the sweep and a re-send) never both run it."""
    with transaction(session):
        claimed = session.execute(
            update(DataImport)
            .where(DataImport.id == record.id, or_(
                DataImport.status.in_([ImportStatus.QUEUED, ImportStatus.FAILED]),
                (DataImport.status == ImportStatus.RUNNING)
                & (DataImport.heartbeat_at.is_(None) | (DataImport.heartbeat_at < now - STALE_AFTER)),
            ))
            .values(status=ImportStatus.RUNNING, heartbeat_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    session.refresh(record)
    return claimed == 1


def stalled(session: Session, now, *, limit: int = 20) -> list[int]:
    """Imports of any kind to run again: queued ten minutes ago and never started (their task was
    lost), or RUNNING without a heartbeat for ``STALE_AFTER`` (their worker was killed)."""
    return list(session.scalars(select(DataImport.id).where(
        or_(
            (DataImport.status == ImportStatus.QUEUED) & (DataImport.created_at < now - timedelta(minutes=10)),
            (DataImport.status == ImportStatus.RUNNING) & (DataImport.heartbeat_at < now - STALE_AFTER),
        ),
    ).order_by(DataImport.id).limit(limit)))


def fail(session: Session, record: DataImport, error: DomainError) -> DataImport:
    with transaction(session):
        record.status, record.finished_at = ImportStatus.FAILED, shop_clock.of(session).now()
        record.error, record.error_code = error.message, str(error.details.get("reason") or "")
    return record
