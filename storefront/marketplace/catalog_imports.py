"""The operator's catalog and category imports: a file of products, or of the category tree with
its attributes and value lists, applied through the services the back office uses
(``product_editing``, ``product_attributes``, ``category_tree``, ``value_lists``), nothing of its own.

The record, the storage, the claim of a run, its heartbeat and the error report are the offer
imports' (``offer_imports``): an import here is a :class:`DataImport` of kind PRODUCTS or
CATEGORIES without a seller.

- **Categories**: one file, a ``type`` column saying what each line is (``value``, ``category``,
  ``attribute``). Value lists are applied first, then categories (a parent may come after its
  child in the file), then the attributes each category asks for. A category already in the shop
  is renamed or moved (``category_tree.move`` refuses a cycle); a line whose parent is neither in
  the shop nor in the file, or whose parents in the file loop back to it, is refused.
- **Products**: one line per product, by GTIN (an existing GTIN is updated, a new one created).
  The file's own category (``category``) goes to the shop category the operator mapped it to
  (:class:`ImportCategoryMapping`, kept for the next files); a line of a category not mapped yet,
  or excluded, is skipped with a line in the report (level SKIPPED). Attribute values are checked
  by ``product_attributes``: a REQUIRED one missing refuses the line, a RECOMMENDED one missing
  is a WARNING. Image URLs are recorded (:class:`ProductImageUrl`) for the worker to fetch.

Every line is applied in its own savepoint, batches of ``BATCH_SIZE`` lines in one transaction
with their counts and report lines: a refused line never undoes the good ones, and a run that
stops midway goes on from the last committed batch. Importing the same file again runs it again
(both kinds are idempotent: a category or a GTIN already there is updated, not duplicated).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from . import category_tree, product_attributes, product_editing, reference, value_lists
from . import clock as shop_clock
from .data_imports import Storage, claim, error_row, fail, header_key, store_upload
from .errors import DomainError, InvalidValue, NotFound
from .import_files import FileRefused, Reader, Row, check_size, open_file
from .models import (
    Attribute,
    AttributeType,
    Category,
    CategoryAttribute,
    DataImport,
    DataImportError,
    ImportCategoryMapping,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    Product,
    ProductImageUrl,
    RequirementLevel,
    User,
    ValueList,
)
from .product_attributes import AttributeErrors
from .refusals import Refusal
from .unit_of_work import atomic, transaction

log = logging.getLogger(__name__)

KINDS = (ImportKind.PRODUCTS, ImportKind.CATEGORIES)
BATCH_SIZE = 200
MAX_ID = 2**31 - 1
MAX_IMAGES = 12
MAX_SOURCE = 200

# Headers recognised, written as ``data_imports.header_key`` makes them.
PRODUCT_ALIASES: dict[str, str] = {
    **dict.fromkeys(("gtin", "ean", "ean13", "ean-13", "code-barres", "barcode"), "gtin"),
    **dict.fromkeys(("title", "titre", "name", "nom", "libelle", "product-title"), "title"),
    **dict.fromkeys(("brand", "marque"), "brand"),
    **dict.fromkeys(("description", "desc"), "description"),
    **dict.fromkeys(("category", "categorie", "source-category", "categorie-source", "category-code",
                     "code-categorie"), "category"),
    **dict.fromkeys(("images", "image", "image-url", "image-urls", "images-urls", "photos", "photo"), "images"),
}
CATEGORY_ALIASES: dict[str, str] = {
    **dict.fromkeys(("type", "row-type", "type-de-ligne"), "type"),
    **dict.fromkeys(("code",), "code"),
    **dict.fromkeys(("parent", "parent-code", "code-parent"), "parent"),
    **dict.fromkeys(("label-fr", "libelle-fr", "label", "libelle"), "label_fr"),
    **dict.fromkeys(("label-en", "libelle-en"), "label_en"),
    **dict.fromkeys(("category", "categorie", "category-code", "code-categorie"), "category"),
    **dict.fromkeys(("attribute", "attribut", "attribute-code", "code-attribut"), "attribute"),
    **dict.fromkeys(("requirement", "niveau", "exigence", "requirement-level"), "requirement"),
    **dict.fromkeys(("list", "liste", "value-list", "liste-de-valeurs", "list-code"), "list"),
    **dict.fromkeys(("attribute-type", "type-attribut", "type-d-attribut"), "attribute_type"),
}
_ROW_TYPES = {
    "CATEGORY": "category", "CATEGORIE": "category", "C": "category",
    "ATTRIBUTE": "attribute", "ATTRIBUT": "attribute", "A": "attribute",
    "VALUE": "value", "VALEUR": "value", "V": "value",
}
_REQUIREMENTS = {
    **{r.value: r for r in RequirementLevel},
    "OBLIGATOIRE": RequirementLevel.REQUIRED, "RECOMMANDE": RequirementLevel.RECOMMENDED,
    "FACULTATIF": RequirementLevel.OPTIONAL, "OPTIONNEL": RequirementLevel.OPTIONAL,
}
_URL = re.compile(r"https?://[^\s|]{1,990}", re.IGNORECASE)


class RowRefused(InvalidValue):
    """One line of the file is refused (nothing of it applied)."""


class RowSkipped(InvalidValue):
    """One line is not applied by the operator's choice (its source category)."""


def _key(value: str) -> str:
    return header_key(value).upper().replace("-", "_")


def columns(kind: ImportKind, headers: Iterable[str]) -> dict[str, str]:
    """The file's headers → the import's fields (the first header to claim a field wins)."""
    aliases = PRODUCT_ALIASES if kind == ImportKind.PRODUCTS else CATEGORY_ALIASES
    found: dict[str, str] = {}
    for header in headers:
        field = aliases.get(header_key(header))
        if field and field not in found.values():
            found[header] = field
    return found


_NEEDED = {ImportKind.PRODUCTS: ("gtin", "category"), ImportKind.CATEGORIES: ("type",)}


# -- submitting ----------------------------------------------------------------------------------


def submit(session: Session, kind: ImportKind | str, stream: BinaryIO, *, storage: Storage, file_name: str = "",
           source: ImportSource = ImportSource.UPLOAD, user_id: int | None = None,
           declared_size: int | None = None) -> tuple[DataImport, bool]:
    """Record an import of the operator's file; returns it and whether it is to run (False: it
    is being run now). The same file again is the same import, queued again (the operator
    mapped its categories since, say): both kinds apply idempotently. Refusals record nothing."""
    try:
        kind = ImportKind(str(kind).upper())
    except ValueError:
        kind = None
    if kind not in KINDS:
        raise InvalidValue("the kind is PRODUCTS or CATEGORIES", reason=Refusal.IMPORT_CHOICE, field="kind",
                           value=str(kind)[:40])
    check_size(declared_size, storage.max_bytes)
    temporary, digest, size = store_upload(stream, storage)
    try:
        existing = session.scalar(
            select(DataImport).where(DataImport.kind == kind, DataImport.seller_id.is_(None),
                                     DataImport.file_hash == digest).order_by(DataImport.id.desc()).limit(1))
        if existing is not None and Path(existing.stored_path).is_file():
            temporary.unlink(missing_ok=True)
            if not existing.finished:
                return existing, False
            return again(session, existing), True
        reader = open_file(temporary, storage.max_bytes)
        found = columns(kind, reader.headers).values()
        missing = [f for f in _NEEDED[kind] if f not in found]
        if missing:
            raise FileRefused(f"the file needs the columns {', '.join(_NEEDED[kind])}", reason=Refusal.IMPORT_COLUMNS,
                              needed=", ".join(_NEEDED[kind]), columns=", ".join(reader.headers)[:300])
        folder = storage.root / "operator"
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{kind.lower()}-{digest}.{reader.format.lower()}"
        temporary.replace(final)
        with transaction(session):
            record = DataImport(
                kind=kind, seller_id=None, user_id=user_id, source=source, mode=ImportMode.NORMAL,
                status=ImportStatus.QUEUED, file_name=(file_name or final.name)[-200:], stored_path=str(final),
                file_hash=digest, file_size=size, created_at=shop_clock.of(session).now(),
            )
            session.add(record)
        return record, True
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@atomic
def again(session: Session, record: DataImport) -> DataImport:
    """Queue a finished import to run from its first line again (its counts and report start
    over); the lines apply idempotently."""
    if record.kind not in KINDS:
        raise NotFound("no such import")
    if not record.finished:
        return record
    session.execute(delete(DataImportError).where(DataImportError.import_id == record.id))
    record.status, record.error, record.error_code = ImportStatus.QUEUED, "", ""
    record.rows_done = record.rows_read = record.created_count = record.updated_count = 0
    record.refused_count = record.warning_count = record.skipped_count = record.deactivated_count = 0
    record.finished_at = None
    session.flush()
    return record


# -- reading ---------------------------------------------------------------------------------------


def get_import(session: Session, import_id: int) -> DataImport:
    record = session.get(DataImport, import_id) if 0 < import_id <= MAX_ID else None
    if record is None or record.kind not in KINDS:
        raise NotFound("no such import")
    return record


def imports(session: Session, limit: int = 50, *, before_id: int | None = None) -> list[DataImport]:
    """The operator's imports, newest first; ``before_id``: those older than it (the API's cursor)."""
    query = select(DataImport).where(DataImport.kind.in_(KINDS))
    if before_id is not None:
        query = query.where(DataImport.id < before_id)
    return list(session.scalars(query.order_by(DataImport.id.desc()).limit(limit)))


# -- the category mapping ------------------------------------------------------------------------


def mappings(session: Session) -> list[ImportCategoryMapping]:
    """Every source category seen or mapped, the unmapped ones first."""
    return list(session.scalars(select(ImportCategoryMapping).order_by(
        ImportCategoryMapping.category_id.is_not(None), ImportCategoryMapping.source)))


@atomic
def save_mapping(session: Session, choices: Iterable[tuple[str, int | None, bool]]) -> list[ImportCategoryMapping]:
    """Keep, for each (source category, shop category id or None, included), the operator's
    choice for the next product files. An unknown shop category is refused (nothing saved)."""
    saved = []
    for source, category_id, included in choices:
        source = " ".join((source or "").split())[:MAX_SOURCE]
        if not source:
            continue
        if category_id is not None and (not 0 < category_id <= MAX_ID or session.get(Category, category_id) is None):
            raise InvalidValue(f"no category {category_id}", reason=Refusal.UNKNOWN_CATEGORY, field="category")
        row = session.scalar(select(ImportCategoryMapping).where(ImportCategoryMapping.source == source))
        if row is None:
            row = ImportCategoryMapping(source=source)
            session.add(row)
        row.category_id, row.included = category_id, bool(included)
        saved.append(row)
    session.flush()
    return saved


@atomic
def save_mapping_by_code(session: Session,
                         choices: Iterable[tuple[str, str | None, bool]]) -> list[ImportCategoryMapping]:
    """:func:`save_mapping` with the shop's categories named by their codes (the API's words);
    an unknown code is refused (nothing saved)."""
    resolved = []
    for source, code, included in choices:
        category_id = None
        if code:
            category_id = session.scalar(select(Category.id).where(Category.code == code))
            if category_id is None:
                raise InvalidValue(f"no category {code[:100]!r}", reason=Refusal.UNKNOWN_CATEGORY, field="category")
        resolved.append((source, category_id, included))
    return save_mapping(session, resolved)


# -- running ---------------------------------------------------------------------------------------


def run(session: Session, import_id: int, *, storage: Storage, batch_size: int = BATCH_SIZE,
        progress: Callable[[DataImport], object] | None = None) -> DataImport | None:
    """Apply a QUEUED (or stopped) import of the operator; a finished one is left as it is."""
    record = session.get(DataImport, import_id)
    if record is None or record.kind not in KINDS or record.status == ImportStatus.COMPLETE:
        return record
    now = shop_clock.of(session).now()
    if not claim(session, record, now):
        return record
    try:
        reader = Reader(Path(record.stored_path), storage.max_bytes)
        total = reader.count_rows()
        if not total:
            raise FileRefused("the file has headers but no rows", reason=Refusal.IMPORT_NO_ROWS)
    except (FileRefused, OSError) as error:
        return fail(session, record, error if isinstance(error, DomainError) else InvalidValue(str(error)))
    with transaction(session):
        record.status, record.rows_total, record.error, record.error_code = ImportStatus.RUNNING, total, "", ""
        record.started_at = record.started_at or now
    actor = session.get(User, record.user_id) if record.user_id else None
    try:
        if record.kind == ImportKind.CATEGORIES:
            _CategoryRun(session, record, actor, reader).apply()
        else:
            _ProductRun(session, record, actor, reader, batch_size).apply(progress)
        with transaction(session):
            record.status, record.finished_at = ImportStatus.COMPLETE, shop_clock.of(session).now()
    except Exception as error:  # a crash midway: what committed stays, the run goes on later
        session.rollback()
        log.exception("%s import %s stopped after %s rows", record.kind, record.id, record.rows_done)
        return fail(session, record, InvalidValue(f"the import stopped: {error.__class__.__name__}",
                                                  reason=Refusal.IMPORT_CRASHED))
    if progress:
        progress(record)
    return record


def _report(record: DataImport, line: int, key: str, error: DomainError,
            level: ImportLevel = ImportLevel.ERROR) -> DataImportError:
    row = error_row(record, line, key, error)
    row.level = level
    return row


def _count(record: DataImport, errors: list[DataImportError]) -> None:
    record.refused_count += sum(1 for e in errors if e.level == ImportLevel.ERROR)
    record.warning_count += sum(1 for e in errors if e.level == ImportLevel.WARNING)
    record.skipped_count += sum(1 for e in errors if e.level == ImportLevel.SKIPPED)


# -- categories ------------------------------------------------------------------------------------


@dataclass
class _Line:
    row: Row
    values: dict[str, str]

    def get(self, field: str) -> str:
        return " ".join(self.values.get(field, "").split())


class _CategoryRun:
    """The three passes of a category file (values, categories, attributes), each line in a
    savepoint; the whole file is one transaction (a category file is small), so a run that
    stops leaves nothing half-applied and runs again from the start."""

    def __init__(self, session: Session, record: DataImport, actor: User | None, reader: Reader):
        self.session, self.record, self.actor = session, record, actor
        mapping = columns(ImportKind.CATEGORIES, reader.headers)
        self.lines: dict[str, list[_Line]] = {"value": [], "category": [], "attribute": []}
        self.errors: list[DataImportError] = []
        for row in reader.rows():
            values = {mapping[h]: v for h, v in row.values.items() if h in mapping}
            line = _Line(row, values)
            if row.error:
                self._refuse(line, "", RowRefused("the line is not a JSON object", reason=Refusal.IMPORT_BAD_ROW))
                continue
            kind = _ROW_TYPES.get(_key(values.get("type", "")))
            if kind is None:
                self._refuse(line, line.get("code"), RowRefused(
                    f"{values.get('type', '')!r} is not a row type", reason=Refusal.IMPORT_ROW_TYPE, field="type",
                    value=values.get("type", "")[:40]))
                continue
            self.lines[kind].append(line)

    def apply(self) -> None:
        with transaction(self.session):
            self._values()
            self._categories()
            self._attributes()
            self.session.add_all(self.errors)
            _count(self.record, self.errors)
            read = sum(len(lines) for lines in self.lines.values()) + sum(
                1 for e in self.errors if e.code in (Refusal.IMPORT_BAD_ROW, Refusal.IMPORT_ROW_TYPE))
            self.record.rows_read = self.record.rows_done = read
            self.record.heartbeat_at = shop_clock.of(self.session).now()

    def _refuse(self, line: _Line, key: str, error: DomainError) -> None:
        self.errors.append(_report(self.record, line.row.line, key, error))

    def _each(self, lines: list[_Line], key: Callable[[_Line], str], apply: Callable[[_Line], bool | None]) -> None:
        """``apply`` each line in a savepoint; True: created, False: updated, None: unchanged."""
        seen: dict[str, int] = {}
        for line in lines:
            name = key(line)
            first = seen.setdefault(name, line.row.line)
            if first != line.row.line:
                self._refuse(line, name, RowRefused(f"{name} is already on line {first}",
                                                    reason=Refusal.IMPORT_DUPLICATE_KEY, first=first))
                continue
            try:
                with self.session.begin_nested():
                    created = apply(line)
            except DomainError as error:
                self._refuse(line, name, error)
                continue
            if created is True:
                self.record.created_count += 1
            elif created is False:
                self.record.updated_count += 1

    # value lists
    def _values(self) -> None:
        self._each(self.lines["value"], lambda line: f"{line.get('list')}/{line.get('code')}", self._value)

    def _value(self, line: _Line) -> bool | None:
        list_code, code = line.get("list"), line.get("code")
        label, label_en = line.get("label_fr"), line.get("label_en")
        for field, value in (("list", list_code), ("code", code), ("label_fr", label)):
            if not value:
                raise RowRefused(f"{field} is missing", reason=Refusal.IMPORT_REQUIRED, field=field)
        found = self.session.scalar(select(ValueList).where(ValueList.code == list_code))
        if found is None:
            found = value_lists.create(self.session, self.actor, code=list_code, label=list_code)
        item = next((i for i in found.items if i.code == code), None)
        if item is None:
            value_lists.add_value(self.session, self.actor, found, code=code, label=label, label_en=label_en)
            return True
        if (item.label, item.label_en) == (label, label_en or item.label_en):
            return None
        value_lists.rename_value(self.session, self.actor, found, item.id, label=label,
                                 label_en=label_en or item.label_en)
        return False

    # categories
    def _categories(self) -> None:
        lines = self.lines["category"]
        codes = {line.get("code") for line in lines}
        existing = set(self.session.scalars(select(Category.code).where(Category.code.in_(codes)))) if codes else set()
        parents = {line.get("code"): line.get("parent") for line in lines}
        # Parents first: a line waits until its parent is in the shop (already, or created by an
        # earlier line); what never gets there loops back on itself or has no parent anywhere.
        pending, ordered = list(lines), []
        ready = set(existing)
        while pending:
            rest = [line for line in pending if line.get("parent") and line.get("parent") not in ready
                    and line.get("parent") in parents]
            moved = [line for line in pending if line not in rest]
            if not moved:
                break
            ordered += moved
            ready |= {line.get("code") for line in moved}
            pending = rest
        self._each(ordered, lambda line: line.get("code"), self._category)
        for line in pending:
            self._refuse(line, line.get("code"), self._unreachable(line.get("code"), parents))

    @staticmethod
    def _unreachable(code: str, parents: dict[str, str]) -> DomainError:
        seen, current = {code}, parents.get(code, "")
        while current in parents:
            if current in seen:
                return RowRefused(f"the parents of {code} loop back to it", reason=Refusal.CATEGORY_CYCLE,
                                  field="parent")
            seen.add(current)
            current = parents[current]
        return RowRefused(f"unknown parent {current}", reason=Refusal.IMPORT_UNKNOWN_PARENT, field="parent",
                          value=current[:40])

    def _category(self, line: _Line) -> bool | None:
        code, parent_code = line.get("code"), line.get("parent")
        label, label_en = line.get("label_fr"), line.get("label_en")
        if not code:
            raise RowRefused("code is missing", reason=Refusal.IMPORT_REQUIRED, field="code")
        parent = None
        if parent_code:
            parent = self.session.scalar(select(Category).where(Category.code == parent_code))
            if parent is None:
                raise RowRefused(f"unknown parent {parent_code}", reason=Refusal.IMPORT_UNKNOWN_PARENT,
                                 field="parent", value=parent_code[:40])
        category = self.session.scalar(select(Category).where(Category.code == code))
        if category is None:
            category_tree.create(self.session, self.actor, code=code, label=label, label_en=label_en,
                                 parent_id=parent.id if parent else None)
            return True
        changed = None
        if (category.label, category.label_en) != (label, label_en or category.label_en):
            category_tree.rename(self.session, self.actor, category, label=label,
                                 label_en=label_en or category.label_en)
            changed = False
        if category.parent_id != (parent.id if parent else None):
            category_tree.move(self.session, self.actor, category, parent.id if parent else None)
            changed = False
        return changed

    # attributes asked for by categories
    def _attributes(self) -> None:
        self._each(self.lines["attribute"], lambda line: f"{line.get('category')}/{line.get('attribute')}",
                   self._attribute)

    def _attribute(self, line: _Line) -> bool | None:
        category_code, code = line.get("category"), line.get("attribute")
        for field, value in (("category", category_code), ("attribute", code)):
            if not value:
                raise RowRefused(f"{field} is missing", reason=Refusal.IMPORT_REQUIRED, field=field)
        requirement = _REQUIREMENTS.get(_key(line.get("requirement")) or "OPTIONAL")
        if requirement is None:
            raise RowRefused("requirement is REQUIRED, RECOMMENDED or OPTIONAL", reason=Refusal.IMPORT_CHOICE,
                             field="requirement", value=line.get("requirement")[:40])
        category = self.session.scalar(select(Category).where(Category.code == category_code))
        if category is None:
            raise NotFound(f"unknown category {category_code}", reason=Refusal.UNKNOWN_CATEGORY, field="category")
        attribute = self.session.scalar(select(Attribute).where(Attribute.code == code))
        if attribute is None:
            list_code = line.get("list")
            kind = _key(line.get("attribute_type")) or ("LIST" if list_code else "TEXT")
            if kind not in AttributeType.__members__:
                raise RowRefused(f"unknown attribute type {kind}", reason=Refusal.IMPORT_CHOICE,
                                 field="attribute_type", value=kind[:40])
            try:
                attribute = reference.create_attribute(
                    self.session, code, line.get("label_fr") or code, AttributeType[kind],
                    label_en=line.get("label_en"), value_list_code=list_code or None)
            except DomainError as error:
                raise RowRefused(error.message, reason=Refusal.IMPORT_CHOICE, field="list",
                                 value=list_code[:40]) from None
        before = self.session.scalar(select(CategoryAttribute.requirement).where(
            CategoryAttribute.category_id == category.id, CategoryAttribute.attribute_id == attribute.id))
        if before == requirement:
            return None
        category_tree.attach(self.session, self.actor, category, attribute.id, requirement)
        return before is None


# -- products --------------------------------------------------------------------------------------


class _ProductRun:
    def __init__(self, session: Session, record: DataImport, actor: User | None, reader: Reader, batch_size: int):
        self.session, self.record, self.actor, self.reader = session, record, actor, reader
        self.batch_size = batch_size
        self.mapping = columns(ImportKind.PRODUCTS, reader.headers)
        codes = set(session.scalars(select(Attribute.code)))
        # Other headers name attributes: as written, or as a code (``Capacité kg`` → ``capacite_kg``).
        self.attributes: dict[str, str] = {}
        for header in reader.headers:
            if header in self.mapping or not header:
                continue
            bare = re.sub(r"^(attr|attribut|attribute)[:.]", "", header.strip(), flags=re.IGNORECASE)
            code = bare if bare in codes else header_key(bare).replace("-", "_")
            if code in codes:
                self.attributes[header] = code
        self.seen: dict[str, int] = {}
        self.counted: set[str] = set()

    def apply(self, progress) -> None:
        gtin_header = next(h for h, f in self.mapping.items() if f == "gtin")
        batch: list[Row] = []
        for index, row in enumerate(self.reader.rows()):
            if index < self.record.rows_done:  # committed by an earlier run
                gtin = row.values.get(gtin_header, "").strip()
                if gtin:
                    self.seen.setdefault(gtin, row.line)
                continue
            batch.append(row)
            if len(batch) >= self.batch_size:
                self._batch(batch)
                batch = []
                if progress:
                    progress(self.record)
        if batch:
            self._batch(batch)

    def _batch(self, rows: list[Row]) -> None:
        session, record = self.session, self.record
        with transaction(session):
            fields = [{self.mapping[h]: v for h, v in row.values.items() if h in self.mapping} for row in rows]
            sources = {" ".join(f.get("category", "").split())[:MAX_SOURCE] for f in fields} - {""}
            known = {m.source: m for m in session.scalars(
                select(ImportCategoryMapping).where(ImportCategoryMapping.source.in_(sources)))} if sources else {}
            for source in sources - set(known):  # first seen: listed for the operator to map
                known[source] = ImportCategoryMapping(source=source, category_id=None, included=True)
                session.add(known[source])
            gtins = {f.get("gtin", "").strip() for f in fields} - {""}
            products = {p.gtin: p for p in session.scalars(select(Product).where(Product.gtin.in_(gtins)))} \
                if gtins else {}
            errors: list[DataImportError] = []
            for row, values in zip(rows, fields, strict=True):
                gtin = values.get("gtin", "").strip()
                try:
                    self._row(row, values, known, products, errors)
                except RowSkipped as skipped:
                    errors.append(_report(record, row.line, gtin, skipped, ImportLevel.SKIPPED))
                except AttributeErrors as refused:
                    errors += [_report(record, row.line, gtin, InvalidValue(
                        p.message, reason=p.reason, field=p.code or "attributes")) for p in refused.problems]
                except DomainError as refused:
                    errors.append(_report(record, row.line, gtin, refused))
            for mapping in known.values():  # rows of this file naming it (counted from its first batch on)
                named = sum(1 for f in fields if " ".join(f.get("category", "").split())[:MAX_SOURCE] == mapping.source)
                mapping.rows_seen = named + (mapping.rows_seen if mapping.source in self.counted else 0)
                self.counted.add(mapping.source)
            session.add_all(errors)
            _count(record, [e for e in errors if e.level != ImportLevel.ERROR])
            record.refused_count += len({e.line for e in errors if e.level == ImportLevel.ERROR})
            record.rows_read += len(rows)
            record.rows_done += len(rows)
            record.heartbeat_at = shop_clock.of(session).now()

    def _row(self, row: Row, values: dict[str, str], known: dict[str, ImportCategoryMapping],
             products: dict[str, Product], errors: list[DataImportError]) -> None:
        session, record = self.session, self.record
        if row.error:
            raise RowRefused("the line is not a JSON object", reason=Refusal.IMPORT_BAD_ROW)
        gtin = values.get("gtin", "").strip()
        if not gtin:
            raise RowRefused("gtin is missing", reason=Refusal.IMPORT_REQUIRED, field="gtin")
        first = self.seen.setdefault(gtin, row.line)
        if first != row.line:
            raise RowRefused(f"GTIN {gtin} is already on line {first}", reason=Refusal.IMPORT_DUPLICATE_KEY,
                             field="gtin", first=first)
        source = " ".join(values.get("category", "").split())[:MAX_SOURCE]
        if not source:
            raise RowRefused("category is missing", reason=Refusal.IMPORT_REQUIRED, field="category")
        mapping = known[source]
        if not mapping.included:
            raise RowSkipped(f"category {source} is excluded", reason=Refusal.IMPORT_EXCLUDED, field="category",
                             source=source)
        if mapping.category_id is None:
            raise RowSkipped(f"category {source} is not mapped", reason=Refusal.IMPORT_UNMAPPED, field="category",
                             source=source)
        urls = self._images(values.get("images", ""))
        given = {code: row.values.get(header, "") for header, code in self.attributes.items()
                 if row.values.get(header, "").strip()}
        product = products.get(gtin)
        category = session.get(Category, mapping.category_id)
        with session.begin_nested():
            if product is None:
                attributes = given
                checked = product_attributes.check(session, category, attributes)
                product = product_editing.create(
                    session, self.actor, gtin=gtin, title=values.get("title", ""), category_id=category.id,
                    brand_name=values.get("brand", ""), description=values.get("description", ""),
                    attributes=attributes)
                created = True
            else:
                # Same category: a column left out or empty keeps the product's value; a new
                # category takes the file's values only (the old ones may not apply there).
                attributes = {**product_editing.form_values(product), **given} \
                    if product.category_id == category.id else given
                checked = product_attributes.check(session, category, attributes)
                product_editing.update(
                    session, self.actor, product, title=values.get("title", "").strip() or product.title,
                    category_id=category.id,
                    brand_name=values.get("brand", "").strip() or (product.brand.name if product.brand else ""),
                    description=values.get("description", "").strip() or product.description,
                    attributes=attributes)
                created = False
            self._record_images(product, urls)
        products[gtin] = product
        if created:
            record.created_count += 1
        else:
            record.updated_count += 1
        if checked.missing_recommended:
            codes = ", ".join(checked.missing_recommended)
            errors.append(_report(record, row.line, gtin, InvalidValue(
                f"recommended attributes missing: {codes}", reason=Refusal.IMPORT_RECOMMENDED, field="attributes",
                codes=codes), ImportLevel.WARNING))

    @staticmethod
    def _images(raw: str) -> list[str]:
        urls = []
        for part in re.split(r"[|\s,]+", raw.strip()):
            if not part:
                continue
            if not _URL.fullmatch(part):
                raise RowRefused(f"{part!r} is not an image URL", reason=Refusal.IMPORT_IMAGE_URL, field="images",
                                 value=part[:80])
            if part not in urls:
                urls.append(part)
        return urls[:MAX_IMAGES]

    def _record_images(self, product: Product, urls: list[str]) -> None:
        if not urls:
            return
        known = set(self.session.scalars(select(ProductImageUrl.url).where(
            ProductImageUrl.product_id == product.id))) if product.id else set()
        position = len(known)
        for url in urls:
            if url not in known:
                self.session.add(ProductImageUrl(product_id=product.id, import_id=self.record.id, url=url,
                                                 position=position))
                position += 1
        self.session.flush()


def pending_images(session: Session, limit: int = 100) -> list[ProductImageUrl]:
    """Image URLs recorded by product imports and not fetched yet (the worker's next ones)."""
    return list(session.scalars(select(ProductImageUrl).where(
        ProductImageUrl.fetched_at.is_(None), ProductImageUrl.attempts < 3).order_by(ProductImageUrl.id).limit(limit)))


def count_pending_images(session: Session) -> int:
    return session.scalar(select(func.count()).where(ProductImageUrl.fetched_at.is_(None))) or 0
