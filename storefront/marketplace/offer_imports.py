"""Seller offer imports: a file of offers (CSV, XLSX, JSON lines) becomes offers, in batches,
through ``catalog.bulk_upsert_offers`` — the rules of the portal and the API, nothing of its own.

- :func:`submit` stores the file, checks it can be read at all (file-level refusals), applies
  the seller's limits (preferences ``offer_import_min_minutes`` and ``imports_per_day``) and
  records a QUEUED :class:`DataImport`. The same file sent again by the same seller is the same
  import (unless it FAILED: then it is queued again and goes on where it stopped).
- :func:`run` (the worker's job, or the CLI) applies the rows ``BATCH_SIZE`` at a time, one
  transaction per batch that also saves the counts, the refused rows and ``rows_done``: a run
  that crashes midway is run again from the last committed batch, and nothing applies twice.
- Modes: NORMAL creates and updates the rows given (``update-delete`` = ``delete`` takes an
  offer off sale); REPLACE also takes off sale the seller's offers the file does not list.
- A column left out keeps the offer's value (a file of SKU and stock updates the stock only);
  a new offer needs a product (GTIN or product id), a price and a stock.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from . import catalog, preferences
from . import clock as shop_clock
from .errors import DomainError, InvalidValue, NotFound
from .import_files import FileRefused, Reader, Row, check_size, csv_text, open_file
from .models import (
    Condition,
    DataImport,
    DataImportError,
    Fulfillment,
    ImportColumnMapping,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    Offer,
    OfferState,
    Seller,
)
from .refusals import Refusal
from .unit_of_work import atomic, transaction

log = logging.getLogger(__name__)

BATCH_SIZE = 500
assert BATCH_SIZE <= catalog.MAX_BULK_LINES

# The import's fields, in the order of the documentation and the mapping form.
FIELDS = ("sku", "gtin", "product_id", "product_id_type", "price", "origin_price", "stock",
          "lead_time_days", "condition", "fulfillment", "state", "update_delete", "confirm_price")

# Headers recognised without a mapping (Mirakl's offer file, French and English words), written
# as :func:`header_key` makes them: lower case, no accents, "-" between words.
ALIASES: dict[str, str] = {
    **dict.fromkeys(("sku", "offer-sku", "shop-sku", "seller-sku", "sku-vendeur", "reference-vendeur",
                     "ref-vendeur", "reference", "sku-offre"), "sku"),
    **dict.fromkeys(("gtin", "ean", "ean13", "ean-13", "code-barres", "barcode", "upc"), "gtin"),
    **dict.fromkeys(("product-id", "id-produit", "product", "produit", "numero-produit"), "product_id"),
    **dict.fromkeys(("product-id-type", "type-id-produit"), "product_id_type"),
    **dict.fromkeys(("price", "prix", "prix-de-vente", "sale-price", "offer-price"), "price"),
    **dict.fromkeys(("origin-price", "original-price", "price-origin", "prix-barre", "prix-d-origine",
                     "strike-price", "prix-de-reference"), "origin_price"),
    **dict.fromkeys(("quantity", "stock", "quantite", "qty", "qte"), "stock"),
    **dict.fromkeys(("leadtime-to-ship", "lead-time", "lead-time-days", "delai-d-expedition",
                     "delai-expedition", "delai"), "lead_time_days"),
    **dict.fromkeys(("condition", "etat", "offer-condition", "etat-du-produit"), "condition"),
    **dict.fromkeys(("fulfillment", "logistique", "expedie-par", "shipped-by"), "fulfillment"),
    **dict.fromkeys(("state", "statut", "status", "offer-state", "active"), "state"),
    **dict.fromkeys(("update-delete", "mise-a-jour-suppression", "action"), "update_delete"),
    **dict.fromkeys(("confirm-price", "confirmer-prix", "confirmer-le-prix"), "confirm_price"),
}

_CONDITIONS = {
    **{c.value: c for c in Condition},
    "NEUF": Condition.NEW, "COMME_NEUF": Condition.LIKE_NEW, "TRES_BON_ETAT": Condition.VERY_GOOD,
    "BON_ETAT": Condition.GOOD, "RECONDITIONNE": Condition.REFURBISHED, "OCCASION": Condition.USED,
    "11": Condition.NEW,  # Mirakl's code for new
}
_FULFILLMENTS = {
    "SELLER": Fulfillment.SELLER, "VENDEUR": Fulfillment.SELLER,
    "OPERATOR": Fulfillment.OPERATOR, "OPERATEUR": Fulfillment.OPERATOR, "FULFILLMENT": Fulfillment.OPERATOR,
}
_STATES = {
    "ACTIVE": OfferState.ACTIVE, "ACTIF": OfferState.ACTIVE, "ACTIVE_": OfferState.ACTIVE, "1": OfferState.ACTIVE,
    "TRUE": OfferState.ACTIVE, "OUI": OfferState.ACTIVE, "YES": OfferState.ACTIVE,
    "INACTIVE": OfferState.INACTIVE, "INACTIF": OfferState.INACTIVE, "0": OfferState.INACTIVE,
    "FALSE": OfferState.INACTIVE, "NON": OfferState.INACTIVE, "NO": OfferState.INACTIVE,
}
_UPDATE = {"", "UPDATE", "U", "MAJ", "MISE_A_JOUR", "MODIFIER"}
_DELETE = {"DELETE", "D", "SUPPRIMER", "SUPPRESSION", "SUPPRIME"}
_YES = {"1", "TRUE", "OUI", "YES", "Y", "O"}
MAX_CENTS = 100_000_000_00  # a hundred million euros: a typo, not a price


class RowRefused(InvalidValue):
    """One row of the file is refused (nothing of it is applied)."""


# -- headers and the seller's mapping --------------------------------------------------------------


def header_key(header: str) -> str:
    """``"Délai d'expédition"`` → ``"delai-d-expedition"``: how aliases are looked up."""
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", text))


def _choice_key(value: str) -> str:
    return header_key(value).upper().replace("-", "_")


def column_map(headers: Iterable[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """The file's headers → our fields: the seller's saved mapping first, then the aliases; the
    first header to claim a field wins, others are ignored."""
    saved = saved or {}
    keyed = {header_key(h): f for h, f in saved.items()}
    result: dict[str, str] = {}
    for header in headers:
        field = saved.get(header) or keyed.get(header_key(header)) or ALIASES.get(header_key(header))
        if field and field not in result.values():
            result[header] = field
    return result


def saved_mapping(session: Session, seller_id: int | None) -> dict[str, str]:
    if seller_id is None:
        return {}
    row = session.scalar(select(ImportColumnMapping).where(
        ImportColumnMapping.seller_id == seller_id, ImportColumnMapping.kind == ImportKind.OFFERS))
    return dict(row.columns) if row is not None else {}


@atomic
def save_mapping(session: Session, seller: Seller,
                 columns: dict[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Keep ``columns`` (the seller's header → our field; an empty field drops the header) for
    the seller's next offer files. A header given twice, or a field twice, is refused."""
    cleaned: dict[str, str] = {}
    for header, field in (columns.items() if isinstance(columns, dict) else columns):
        header = " ".join((header or "").split())[:100]
        field = (field or "").strip()
        if not header or not field:
            continue
        if field not in FIELDS or field in cleaned.values() or header in cleaned:
            raise InvalidValue(f"{header!r} cannot map to {field!r}", reason=Refusal.IMPORT_MAPPING,
                               field="columns")
        cleaned[header] = field
    row = session.scalar(select(ImportColumnMapping).where(
        ImportColumnMapping.seller_id == seller.id, ImportColumnMapping.kind == ImportKind.OFFERS))
    if row is None:
        row = ImportColumnMapping(seller_id=seller.id, kind=ImportKind.OFFERS)
        session.add(row)
    row.columns = cleaned
    session.flush()
    return cleaned


# -- submitting a file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Storage:
    """Where files are kept and how big they may be (the settings IMPORT_STORAGE_DIR and
    IMPORT_MAX_BYTES, handed in by the web, the API, the CLI and the worker)."""

    root: Path
    max_bytes: int

    @classmethod
    def from_settings(cls, settings) -> Storage:
        return cls(Path(settings["IMPORT_STORAGE_DIR"]), int(settings["IMPORT_MAX_BYTES"]))


def submit(
    session: Session,
    seller: Seller,
    stream: BinaryIO,
    *,
    storage: Storage,
    file_name: str = "",
    mode: ImportMode | str = ImportMode.NORMAL,
    source: ImportSource = ImportSource.UPLOAD,
    user_id: int | None = None,
    declared_size: int | None = None,
) -> tuple[DataImport, bool]:
    """Record an import of the file read from ``stream``; returns it and whether it is to run
    (False: the same file was already imported, this is that import). Refusals
    (``FileRefused``, the limits) record nothing and keep no file."""
    try:
        mode = ImportMode(str(mode).upper())
    except ValueError:
        raise InvalidValue(f"the mode is NORMAL or REPLACE, not {mode!r}", reason=Refusal.IMPORT_MODE,
                           field="mode") from None
    check_size(declared_size, storage.max_bytes)
    temporary, digest, size = _store(stream, storage)
    try:
        existing = session.scalar(
            select(DataImport).where(DataImport.kind == ImportKind.OFFERS, DataImport.seller_id == seller.id,
                                     DataImport.file_hash == digest).order_by(DataImport.id.desc()).limit(1))
        if existing is not None and Path(existing.stored_path).is_file():
            temporary.unlink(missing_ok=True)
            if existing.status != ImportStatus.FAILED:
                return existing, False
            with transaction(session):
                existing.status, existing.error, existing.error_code = ImportStatus.QUEUED, "", ""
                existing.finished_at = None
            return existing, True
        now = shop_clock.of(session).now()
        if source != ImportSource.CLI:
            _check_limits(session, seller.id, now)
        reader = open_file(temporary, storage.max_bytes)
        if "sku" not in column_map(reader.headers, saved_mapping(session, seller.id)).values():
            raise FileRefused("no column of the first line is the seller SKU", reason=Refusal.IMPORT_HEADER,
                              columns=", ".join(reader.headers)[:300])
        folder = storage.root / f"seller-{seller.id}"
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{digest}.{reader.format.lower()}"
        temporary.replace(final)
        with transaction(session):
            record = DataImport(
                kind=ImportKind.OFFERS, seller_id=seller.id, user_id=user_id, source=source, mode=mode,
                status=ImportStatus.QUEUED, file_name=(file_name or final.name)[-200:], stored_path=str(final),
                file_hash=digest, file_size=size, created_at=now,
            )
            session.add(record)
        return record, True
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _store(stream: BinaryIO, storage: Storage) -> tuple[Path, str, int]:
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


def _check_limits(session: Session, seller_id: int, now) -> None:
    """The operator's limits on a seller's imports (back-office preferences)."""
    minutes = int(preferences.get(session, "offer_import_min_minutes"))
    per_day = int(preferences.get(session, "imports_per_day"))
    last = session.scalar(select(func.max(DataImport.created_at)).where(DataImport.seller_id == seller_id))
    if last is not None and now - last < timedelta(minutes=minutes):
        raise InvalidValue(f"at least {minutes} minutes between two imports", reason=Refusal.IMPORT_TOO_SOON,
                           minutes=minutes)
    today = session.scalar(select(func.count(DataImport.id)).where(
        DataImport.seller_id == seller_id, DataImport.created_at > now - timedelta(days=1)))
    if today >= per_day:
        raise InvalidValue(f"at most {per_day} imports a day", reason=Refusal.IMPORT_DAILY_LIMIT, limit=per_day)


# -- reading -----------------------------------------------------------------------------------------


def get_import(session: Session, seller_id: int | None, import_id: int) -> DataImport:
    """The import, if it is ``seller_id``'s (None: the operator, any import); else NotFound, the
    same answer as for an id that does not exist."""
    record = session.get(DataImport, import_id)
    if record is None or record.kind != ImportKind.OFFERS or (seller_id is not None and record.seller_id != seller_id):
        raise NotFound("no such import")
    return record


def imports_of(session: Session, seller_id: int, limit: int = 50) -> list[DataImport]:
    return list(session.scalars(select(DataImport).where(DataImport.seller_id == seller_id)
                                .order_by(DataImport.created_at.desc(), DataImport.id.desc()).limit(limit)))


def errors_of(session: Session, record: DataImport, limit: int | None = None) -> list[DataImportError]:
    query = select(DataImportError).where(DataImportError.import_id == record.id).order_by(
        DataImportError.line, DataImportError.id)
    return list(session.scalars(query.limit(limit) if limit else query))


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
    """The refused rows as CSV (cells escaped against CSV injection), the file-level error first."""
    rows: list[list[object]] = [list(headers)]
    if record.error:
        rows.append(["", "", "", ImportLevel.ERROR.value, explain(file_error(record))])
    rows += [[e.line, e.key, e.field, e.level.value, explain(as_error(e))] for e in errors_of(session, record)]
    return csv_text(rows)


# -- running -----------------------------------------------------------------------------------------


def run(session: Session, import_id: int, *, storage: Storage, batch_size: int = BATCH_SIZE,
        progress: Callable[[DataImport], object] | None = None) -> DataImport:
    """Apply a QUEUED (or stopped) import; COMPLETE ones are left as they are. ``progress`` is
    called after each committed batch (the CLI's bar)."""
    record = session.get(DataImport, import_id)
    if record is None or record.status == ImportStatus.COMPLETE:
        return record
    now = shop_clock.of(session).now()
    if not _claim(session, record, now):  # another worker runs it now
        return record
    seller = session.get(Seller, record.seller_id)
    try:
        reader = Reader(Path(record.stored_path), storage.max_bytes)
        total = reader.count_rows()
        if not total:
            raise FileRefused("the file has headers but no rows", reason=Refusal.IMPORT_NO_ROWS)
    except (FileRefused, OSError) as error:
        return _fail(session, record, error)
    with transaction(session):
        record.status, record.rows_total, record.error, record.error_code = ImportStatus.RUNNING, total, "", ""
        record.started_at = record.started_at or now
    mapping = column_map(reader.headers, saved_mapping(session, seller.id))
    sku_header = next(h for h, f in mapping.items() if f == "sku")
    seen: dict[str, int] = {}
    try:
        batch: list[Row] = []
        for index, row in enumerate(reader.rows()):
            if index < record.rows_done:  # committed by an earlier run
                sku = row.values.get(sku_header, "").strip()
                if sku and not row.error:
                    seen.setdefault(sku, row.line)
                continue
            batch.append(row)
            if len(batch) >= batch_size:
                _apply(session, record, seller, mapping, batch, seen)
                batch = []
                if progress:
                    progress(record)
        if batch:
            _apply(session, record, seller, mapping, batch, seen)
            if progress:
                progress(record)
        if record.mode == ImportMode.REPLACE:
            _replace(session, record, seller, set(seen))
        with transaction(session):
            record.status, record.finished_at = ImportStatus.COMPLETE, shop_clock.of(session).now()
    except Exception as error:  # a crash midway: what committed stays, the run can go on later
        session.rollback()
        log.exception("offer import %s stopped after %s rows", record.id, record.rows_done)
        return _fail(session, record, InvalidValue(f"the import stopped: {error.__class__.__name__}",
                                                   reason=Refusal.IMPORT_CRASHED))
    return record


STALE_AFTER = timedelta(minutes=10)  # far longer than a batch takes: a silent run is dead


def _claim(session: Session, record: DataImport, now) -> bool:
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


def stalled(session: Session, now, *, limit: int = 20,
            kinds: Iterable[ImportKind] = (ImportKind.OFFERS,)) -> list[int]:
    """Imports (of ``kinds``) to run again: queued ten minutes ago and never started (their task
    was lost), or RUNNING without a heartbeat for ``STALE_AFTER`` (their worker was killed)."""
    return list(session.scalars(select(DataImport.id).where(
        DataImport.kind.in_(list(kinds)),
        or_(
            (DataImport.status == ImportStatus.QUEUED) & (DataImport.created_at < now - timedelta(minutes=10)),
            (DataImport.status == ImportStatus.RUNNING) & (DataImport.heartbeat_at < now - STALE_AFTER),
        ),
    ).order_by(DataImport.id).limit(limit)))


def _fail(session: Session, record: DataImport, error: DomainError) -> DataImport:
    with transaction(session):
        record.status, record.finished_at = ImportStatus.FAILED, shop_clock.of(session).now()
        record.error, record.error_code = error.message, str(error.details.get("reason") or "")
    return record


@dataclass
class _Parsed:
    row: Row
    sku: str
    line: catalog.OfferLine | None  # None: a delete row


def _apply(session: Session, record: DataImport, seller: Seller, mapping: dict[str, str], rows: list[Row],
           seen: dict[str, int]) -> None:
    """One batch in one transaction: the offers, the refused rows, the counts and rows_done."""
    with transaction(session):
        fields = [{mapping[h]: v for h, v in row.values.items() if h in mapping} for row in rows]
        skus = {f.get("sku", "").strip() for f in fields} - {""}
        existing = {o.sku: o for o in session.scalars(
            select(Offer).where(Offer.seller_id == seller.id, Offer.sku.in_(skus)))} if skus else {}
        errors: list[DataImportError] = []
        parsed: list[_Parsed] = []
        for row, values in zip(rows, fields, strict=True):
            try:
                parsed.append(_parse(row, values, existing, seen))
            except DomainError as error:
                errors.append(_error_row(record, row.line, values.get("sku", ""), error))
        upserts = [p for p in parsed if p.line is not None]
        results = catalog.bulk_upsert_offers(session, seller, [p.line for p in upserts]) if upserts else []
        for item, result in zip(upserts, results, strict=True):
            if result.error is not None:
                errors.append(_error_row(record, item.row.line, item.sku, result.error))
            elif result.created:
                record.created_count += 1
            else:
                record.updated_count += 1
        deletes = [p for p in parsed if p.line is None]
        if deletes:
            found, changed = catalog.deactivate_offers(session, seller, skus=[p.sku for p in deletes])
            record.deactivated_count += len(changed)
            for item in deletes:
                if item.sku not in found:
                    errors.append(_error_row(record, item.row.line, item.sku, NotFound(
                        f"no offer with SKU {item.sku} to delete", reason=Refusal.IMPORT_UNKNOWN_SKU, field="sku")))
        session.add_all(errors)
        record.refused_count += sum(1 for e in errors if e.level == ImportLevel.ERROR)
        record.rows_read += len(rows)
        record.rows_done += len(rows)
        record.heartbeat_at = shop_clock.of(session).now()


def _replace(session: Session, record: DataImport, seller: Seller, listed: set[str]) -> None:
    """REPLACE: the seller's offers on sale that the file does not list go off sale, a batch at a
    time (each committed; a re-run finds only those still on sale)."""
    absent = [offer_id for offer_id, sku in session.execute(
        select(Offer.id, Offer.sku).where(Offer.seller_id == seller.id, Offer.state == OfferState.ACTIVE)
    ) if sku not in listed]
    for start in range(0, len(absent), BATCH_SIZE):
        with transaction(session):
            _, changed = catalog.deactivate_offers(session, seller, ids=absent[start:start + BATCH_SIZE])
            record.deactivated_count += len(changed)


def _error_row(record: DataImport, line: int, sku: str, error: DomainError) -> DataImportError:
    details = {k: v for k, v in error.details.items()
               if k != "reason" and isinstance(v, str | int | float | bool) and not isinstance(v, bool)}
    if "warning" in error.details and hasattr(error.details["warning"], "as_details"):
        details.update({k: v for k, v in error.details["warning"].as_details().items()
                        if isinstance(v, str | int | float)})
    return DataImportError(
        import_id=record.id, line=line, key=(sku or "")[:200], field=str(error.details.get("field", ""))[:40],
        code=str(error.details.get("reason") or "")[:40], details=details, message=error.message,
        level=ImportLevel.ERROR,
    )


def _parse(row: Row, values: dict[str, str], existing: dict[str, Offer], seen: dict[str, int]) -> _Parsed:
    """A row's values → an OfferLine (or a delete); ``RowRefused`` names the first bad field.
    A column left out (or empty) keeps the existing offer's value."""
    if row.error:
        raise RowRefused("the line is not a JSON object", reason=Refusal.IMPORT_BAD_ROW)
    sku = values.get("sku", "").strip()
    if not sku:
        raise RowRefused("the seller SKU is missing", reason=Refusal.IMPORT_REQUIRED, field="sku")
    first = seen.setdefault(sku, row.line)
    if first != row.line:
        raise RowRefused(f"SKU {sku} is already on line {first}", reason=Refusal.IMPORT_DUPLICATE_SKU,
                         field="sku", first=first)
    action = _choice_key(values.get("update_delete", ""))
    if action in _DELETE:
        return _Parsed(row, sku, None)
    if action not in _UPDATE:
        raise _bad_choice("update_delete", values["update_delete"])
    offer = existing.get(sku)
    product_id, gtin = _product(values, offer)
    price = _cents(values, "price", offer.price if offer else None)
    stock = _whole(values, "stock", offer.stock if offer else None)
    if "origin_price" in values:
        origin = _cents(values, "origin_price", None, required=False)
    else:
        origin = offer.origin_price if offer and offer.origin_price and offer.origin_price >= price else None
    lead = _whole(values, "lead_time_days", None, required=False)
    condition = _pick(values, "condition", _CONDITIONS, offer.condition if offer else Condition.NEW)
    fulfillment = _pick(values, "fulfillment", _FULFILLMENTS, None)
    state = _pick(values, "state", _STATES, OfferState.ACTIVE)
    confirmed = _choice_key(values.get("confirm_price", "")) in _YES
    return _Parsed(row, sku, catalog.OfferLine(
        sku=sku, price=price, stock=stock, product_id=product_id, gtin=gtin, lead_time_days=lead,
        condition=condition, state=state, confirmed=confirmed, origin_price=origin, fulfillment=fulfillment,
    ))


def _product(values: dict[str, str], offer: Offer | None) -> tuple[int | None, str | None]:
    gtin = values.get("gtin", "").strip()
    raw = values.get("product_id", "").strip()
    kind = _choice_key(values.get("product_id_type", ""))
    if raw and kind in {"EAN", "GTIN", "UPC", "EAN13"}:
        gtin, raw = gtin or raw, ""
    if raw:
        if not raw.isdigit() or len(raw) > 10 or int(raw) > 2**31 - 1:
            raise RowRefused(f"product id {raw!r} is not a number", reason=Refusal.IMPORT_NUMBER,
                             field="product_id", value=raw[:40])
        return int(raw), None
    if gtin:
        return None, gtin
    if offer is not None:
        return offer.product_id, None
    raise RowRefused("a new offer needs its product (GTIN or product id)", reason=Refusal.IMPORT_REQUIRED,
                     field="product")


def _cents(values: dict[str, str], field: str, default: int | None, *, required: bool = True) -> int | None:
    raw = values.get(field, "").strip()
    if not raw:
        if default is None and required:
            raise RowRefused(f"{field} is missing", reason=Refusal.IMPORT_REQUIRED, field=field)
        return default
    text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").removesuffix("€").removesuffix("EUR")
    if "," in text and "." in text:
        text = ""
    text = text.replace(",", ".")
    if not re.fullmatch(r"-?\d{1,12}(\.\d{1,2})?", text) or abs(Decimal(text)) * 100 > MAX_CENTS:
        raise RowRefused(f"{field} {raw!r} is not an amount", reason=Refusal.IMPORT_PRICE, field=field,
                         value=raw[:40])
    return int(Decimal(text) * 100)


def _whole(values: dict[str, str], field: str, default: int | None, *, required: bool = True) -> int | None:
    raw = values.get(field, "").strip()
    if not raw:
        if default is None and required:
            raise RowRefused(f"{field} is missing", reason=Refusal.IMPORT_REQUIRED, field=field)
        return default
    if not re.fullmatch(r"-?\d{1,9}", raw):
        raise RowRefused(f"{field} {raw!r} is not a whole number", reason=Refusal.IMPORT_NUMBER, field=field,
                         value=raw[:40])
    return int(raw)


def _pick(values: dict[str, str], field: str, choices: dict, default):
    raw = values.get(field, "").strip()
    if not raw:
        return default
    try:
        return choices[_choice_key(raw)]
    except KeyError:
        raise _bad_choice(field, raw) from None


def _bad_choice(field: str, raw: str) -> RowRefused:
    return RowRefused(f"{field}: {raw!r} is not one of the allowed values", reason=Refusal.IMPORT_CHOICE,
                      field=field, value=raw[:40])


# Shared with ``catalog_imports`` (the operator's product and category files): one way to store
# an upload, claim a run, record a failure and word a refused row, whatever the kind.
store_upload = _store
claim = _claim
fail = _fail
error_row = _error_row
