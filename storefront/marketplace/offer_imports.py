"""Seller offer imports: a file of offers (CSV, XLSX, JSON lines) becomes offers, in batches,
through ``catalog.apply_offer_lines`` — the rules of the portal and the API, nothing of its own.

- :func:`submit` stores and records the file through ``data_imports.submit`` (shared by every
  kind of import: storage, limits, the same file twice), refusing a file without a SKU column.
- :func:`run` (the worker's job, or the CLI) applies the rows ``BATCH_SIZE`` at a time, one
  transaction per batch that also saves the counts, the refused rows and ``rows_done``: a run
  that crashes midway is run again from the last committed batch, and nothing applies twice.
- Modes: NORMAL creates and updates the rows given (``update-delete`` = ``delete`` takes an
  offer off sale); REPLACE also takes off sale the seller's offers the file does not list.
- A column left out keeps the offer's value (a file of SKU and stock updates the stock only);
  a new offer needs a product (GTIN or product id), a price and a stock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import catalog, data_imports, listing
from . import clock as shop_clock
from .data_imports import (  # the generic parts, moved out; kept here under their old names too
    STALE_AFTER,
    RowRefused,
    Storage,
    as_error,
    choice_key,
    claim,
    error_report,
    error_row,
    errors_of,
    fail,
    file_error,
    header_key,
    imports_of,
)
from .errors import DomainError, InvalidValue, NotFound
from .import_files import FileRefused, Reader, Row, read_ahead
from .many import among
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
    Product,
    Seller,
)
from .refusals import Refusal
from .unit_of_work import atomic, transaction

__all__ = ["STALE_AFTER", "RowRefused", "Storage", "as_error", "error_report", "errors_of", "file_error",
           "header_key", "imports_of"]

log = logging.getLogger(__name__)

# Rows per transaction: large enough that the statements of a batch (a few per table) cost
# little per row, small enough that a crash redoes little and the shop follows along.
BATCH_SIZE = 2000

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


# -- headers and the seller's mapping --------------------------------------------------------------


def column_map(headers: Iterable[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """The file's headers → the offer fields (the seller's mapping first, then the aliases)."""
    return data_imports.column_map(headers, ALIASES, saved)


def saved_mapping(session: Session, seller_id: int | None) -> dict[str, str]:
    return data_imports.saved_mapping(session, seller_id, ImportKind.OFFERS)


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
    again: bool = False,
) -> tuple[DataImport, bool]:
    """Record an import of the offer file read from ``stream`` (see ``data_imports.submit``, and
    its ``again`` for feeds); a file without a SKU column is refused."""
    try:
        mode = ImportMode(str(mode).upper())
    except ValueError:
        raise InvalidValue(f"the mode is NORMAL or REPLACE, not {mode!r}", reason=Refusal.IMPORT_MODE,
                           field="mode") from None

    def check(reader: Reader) -> None:
        if "sku" not in column_map(reader.headers, saved_mapping(session, seller.id)).values():
            raise FileRefused("no column of the first line is the seller SKU", reason=Refusal.IMPORT_HEADER,
                              columns=", ".join(reader.headers)[:300])

    return data_imports.submit(session, seller, stream, kind=ImportKind.OFFERS, storage=storage, check=check,
                               file_name=file_name, mode=mode, source=source, user_id=user_id,
                               declared_size=declared_size, again=again)


# -- reading -----------------------------------------------------------------------------------------


def get_import(session: Session, seller_id: int | None, import_id: int) -> DataImport:
    """The offer import, if it is ``seller_id``'s (None: the operator); else NotFound."""
    return data_imports.get_import(session, seller_id, import_id, ImportKind.OFFERS)


# -- running -----------------------------------------------------------------------------------------


def run(session: Session, import_id: int, *, storage: Storage, batch_size: int = BATCH_SIZE,
        progress: Callable[[DataImport], object] | None = None) -> DataImport:
    """Apply a QUEUED (or stopped) import; COMPLETE ones are left as they are. ``progress`` is
    called after each committed batch (the CLI's bar)."""
    record = session.get(DataImport, import_id)
    if record is None or record.status == ImportStatus.COMPLETE:
        return record
    now = shop_clock.of(session).now()
    if not claim(session, record, now):  # another worker runs it now
        return record
    seller = session.get(Seller, record.seller_id)
    try:
        reader = Reader(Path(record.stored_path), storage.max_bytes)
        total = reader.count_rows()
        if not total:
            raise FileRefused("the file has headers but no rows", reason=Refusal.IMPORT_NO_ROWS)
    except (FileRefused, OSError) as error:
        return fail(session, record, error)
    with transaction(session):
        record.status, record.rows_total, record.error, record.error_code = ImportStatus.RUNNING, total, "", ""
        record.started_at = record.started_at or now
    mapping = column_map(reader.headers, saved_mapping(session, seller.id))
    sku_header = next(h for h, f in mapping.items() if f == "sku")
    seen: dict[str, int] = {}
    try:
        with listing.one_snapshot(session):  # one read of the rates for every batch
            batch: list[Row] = []
            for index, row in enumerate(read_ahead(reader.rows())):
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
        return fail(session, record, InvalidValue(f"the import stopped: {error.__class__.__name__}",
                                                   reason=Refusal.IMPORT_CRASHED))
    return record


def stalled(session: Session, now, *, limit: int = 20) -> list[int]:
    return data_imports.stalled(session, now, limit=limit)


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
        existing = {o.sku: o for o in catalog.offer_drafts(session, seller.id, among(session, Offer.sku, skus))} \
            if skus else {}
        errors: list[DataImportError] = []
        parsed: list[_Parsed] = []
        for row, values in zip(rows, fields, strict=True):
            try:
                parsed.append(_parse(row, values, existing, seen))
            except DomainError as error:
                errors.append(error_row(record, row.line, values.get("sku", ""), error))
        upserts = [p for p in parsed if p.line is not None]
        gtins = dict(session.execute(select(Product.id, Product.gtin).where(among(
            session, Product.id, {existing[p.sku].product_id for p in upserts if p.sku in existing}))).all()) \
            if existing else {}
        # A row that says what the offer already is changes nothing: skipped (a daily feed
        # repeats most of its rows; only the changed ones cost a write and a listing refresh).
        upserts = [p for p in upserts if not _unchanged(p.line, existing.get(p.sku), gtins)]
        results = catalog.apply_offer_lines(session, seller, [p.line for p in upserts]) if upserts else []
        for item, result in zip(upserts, results, strict=True):
            if result.error is not None:
                errors.append(error_row(record, item.row.line, item.sku, result.error))
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
                    errors.append(error_row(record, item.row.line, item.sku, NotFound(
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


def _parse(row: Row, values: dict[str, str], existing: dict[str, catalog.OfferDraft], seen: dict[str, int]) -> _Parsed:
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
    action = choice_key(values.get("update_delete", ""))
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
    confirmed = choice_key(values.get("confirm_price", "")) in _YES
    return _Parsed(row, sku, catalog.OfferLine(
        sku=sku, price=price, stock=stock, product_id=product_id, gtin=gtin, lead_time_days=lead,
        condition=condition, state=state, confirmed=confirmed, origin_price=origin, fulfillment=fulfillment,
    ))


def _unchanged(line: catalog.OfferLine, offer: catalog.OfferDraft | None, gtins: dict[int, str]) -> bool:
    """Whether applying ``line`` would leave ``offer`` as it is (``None`` fields keep a value)."""
    if offer is None:
        return False
    same_product = offer.product_id == line.product_id if line.product_id is not None else \
        gtins.get(offer.product_id) == (line.gtin or "").strip()
    return (
        same_product
        and (line.price, line.stock, line.condition, line.state) == (offer.price, offer.stock, offer.condition,
                                                                     offer.state)
        and line.origin_price == offer.origin_price
        and line.lead_time_days in (None, offer.lead_time_days)
        and line.fulfillment in (None, offer.fulfillment)
    )


def _product(values: dict[str, str], offer: catalog.OfferDraft | None) -> tuple[int | None, str | None]:
    gtin = values.get("gtin", "").strip()
    raw = values.get("product_id", "").strip()
    kind = choice_key(values.get("product_id_type", ""))
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
        return choices[choice_key(raw)]
    except KeyError:
        raise _bad_choice(field, raw) from None


def _bad_choice(field: str, raw: str) -> RowRefused:
    return RowRefused(f"{field}: {raw!r} is not one of the allowed values", reason=Refusal.IMPORT_CHOICE,
                      field=field, value=raw[:40])

