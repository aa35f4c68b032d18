"""Status and tracking imports: a seller's file of order lines to accept, refuse or ship, applied
through the order services the portal and the API call (``orders.decide``, ``tracking.ship``),
so transitions are checked there and the customer's emails and the webhooks go out as when the
seller clicks.

- Rows are grouped by order (the seller order number, or the customer order number and the
  seller); each order is one transaction: its decisions first (accepted lines and refusals by
  reason together), then its parcels (rows of one carrier and tracking number are one parcel).
  A refused row leaves the order's other rows applied; one order never undoes another.
- An order of another seller is "unknown", worded as one that does not exist.
- A row whose effect is already there (the line accepted, refused, or in that parcel) is
  reported as already done (a warning) and changes nothing: a file sent again, or an export
  re-sent with its actions, applies nothing twice.
- ``rows_done`` counts the rows of the orders committed, in the file's order: a run that stopped
  goes on with the next order.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import data_imports, orders, tracking
from .data_imports import RowRefused, Storage, choice_key, claim, error_row, fail
from .errors import Conflict, DomainError, InvalidTransition, InvalidValue, NotFound
from .import_files import FileRefused, Reader
from .models import (
    ActorRole,
    CustomerOrder,
    DataImport,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    LineState,
    OrderLine,
    Seller,
    SellerOrder,
    SellerOrderState,
)
from .refusals import Refusal
from .unit_of_work import transaction

log = logging.getLogger(__name__)

MAX_ROWS = 100_000  # rows are grouped by order in memory: a status file is a day's orders, not a catalog

FIELDS = ("seller_order_number", "customer_order_number", "line_id", "line_number", "sku", "action",
          "quantity", "carrier", "tracking_number", "tracking_url", "reason_code")

# The order export's headers are recognised too: a seller may send its export back with actions.
ALIASES: dict[str, str] = {
    **dict.fromkeys(("seller-order-number", "order-number", "order-id", "order", "commande",
                     "numero-de-commande", "numero-commande", "commande-vendeur", "numero-commande-vendeur"),
                    "seller_order_number"),
    **dict.fromkeys(("customer-order-number", "commande-client", "numero-commande-client"), "customer_order_number"),
    **dict.fromkeys(("line-id", "order-line-id", "id-ligne"), "line_id"),
    **dict.fromkeys(("line", "line-number", "ligne", "numero-de-ligne", "numero-ligne"), "line_number"),
    **dict.fromkeys(("sku", "offer-sku", "shop-sku", "seller-sku", "sku-vendeur", "reference",
                     "reference-vendeur"), "sku"),
    **dict.fromkeys(("action", "operation", "action-commande"), "action"),
    **dict.fromkeys(("quantity", "quantite", "qty", "qte"), "quantity"),
    **dict.fromkeys(("carrier", "carrier-code", "transporteur", "code-transporteur"), "carrier"),
    **dict.fromkeys(("tracking-number", "tracking", "numero-de-suivi", "numero-suivi", "suivi",
                     "tracking-code"), "tracking_number"),
    **dict.fromkeys(("tracking-url", "url-de-suivi", "lien-de-suivi", "url-suivi"), "tracking_url"),
    **dict.fromkeys(("reason-code", "reason", "motif", "code-motif", "code-raison"), "reason_code"),
}

ACCEPT, REFUSE, SHIP = "ACCEPT", "REFUSE", "SHIP"
_ACTIONS = {
    **dict.fromkeys(("ACCEPT", "ACCEPTED", "ACCEPTER", "ACCEPTE", "ACCEPTEE"), ACCEPT),
    **dict.fromkeys(("REFUSE", "REFUSED", "REFUSER", "REFUSEE", "REJECT"), REFUSE),
    **dict.fromkeys(("SHIP", "SHIPPED", "EXPEDIER", "EXPEDIE", "EXPEDIEE", "EXPEDITION"), SHIP),
}


def column_map(headers) -> dict[str, str]:
    return data_imports.column_map(headers, ALIASES)


def submit(
    session: Session,
    seller: Seller,
    stream: BinaryIO,
    *,
    storage: Storage,
    file_name: str = "",
    source: ImportSource = ImportSource.UPLOAD,
    user_id: int | None = None,
    declared_size: int | None = None,
) -> tuple[DataImport, bool]:
    """Record a status import of the file (see ``data_imports.submit``); a file without an order
    number column or an action column is refused."""

    def check(reader: Reader) -> None:
        fields = set(column_map(reader.headers).values())
        if not fields & {"seller_order_number", "customer_order_number"} or "action" not in fields:
            raise FileRefused("the first line has no order number or no action column",
                              reason=Refusal.IMPORT_STATUS_HEADER, columns=", ".join(reader.headers)[:300])

    return data_imports.submit(session, seller, stream, kind=ImportKind.STATUSES, storage=storage, check=check,
                               file_name=file_name, mode=ImportMode.NORMAL, source=source, user_id=user_id,
                               declared_size=declared_size)


def get_import(session: Session, seller_id: int | None, import_id: int) -> DataImport:
    return data_imports.get_import(session, seller_id, import_id, ImportKind.STATUSES)


def already_done(session: Session, record: DataImport) -> int:
    return data_imports.count_code(session, record, Refusal.IMPORT_ALREADY_DONE)


# -- running -----------------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    error: str = ""

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


def run(session: Session, import_id: int, *, storage: Storage,
        progress: Callable[[DataImport], object] | None = None) -> DataImport:
    """Apply a QUEUED (or stopped) status import, one order at a time; COMPLETE ones are left."""
    record = session.get(DataImport, import_id)
    if record is None or record.status == ImportStatus.COMPLETE:
        return record
    now = shop_clock.of(session).now()
    if not claim(session, record, now):
        return record
    seller = session.get(Seller, record.seller_id)
    try:
        reader = Reader(record.stored_path, storage.max_bytes)
        total = reader.count_rows()
        if not total:
            raise FileRefused("the file has headers but no rows", reason=Refusal.IMPORT_NO_ROWS)
        if total > MAX_ROWS:
            raise FileRefused(f"a status file has at most {MAX_ROWS} rows", reason=Refusal.IMPORT_TOO_MANY_ROWS,
                              limit=MAX_ROWS)
    except (FileRefused, OSError) as error:
        return fail(session, record, error)
    with transaction(session):
        record.status, record.rows_total, record.error, record.error_code = ImportStatus.RUNNING, total, "", ""
        record.started_at = record.started_at or now
    mapping = column_map(reader.headers)
    try:
        done = 0
        for key, rows in _by_order(reader.rows(), mapping).items():
            if done + len(rows) <= record.rows_done:  # committed by an earlier run
                done += len(rows)
                continue
            _apply_order(session, record, seller, key, rows)
            done += len(rows)
            if progress:
                progress(record)
        with transaction(session):
            record.status, record.finished_at = ImportStatus.COMPLETE, shop_clock.of(session).now()
    except Exception as error:  # a crash midway: the orders committed stay, the run can go on later
        session.rollback()
        log.exception("status import %s stopped after %s rows", record.id, record.rows_done)
        return fail(session, record, InvalidValue(f"the import stopped: {error.__class__.__name__}",
                                                  reason=Refusal.IMPORT_CRASHED))
    return record


def _by_order(rows, mapping: dict[str, str]) -> dict[tuple[str, str], list[_Row]]:
    """The file's rows by order, orders in the order of their first row. A row naming no order
    is a group of its own (it is refused alone)."""
    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        item = _Row(row.line, {mapping[h]: v for h, v in row.values.items() if h in mapping}, row.error)
        number = orders.clean_number(item.get("seller_order_number"))
        customer_number = orders.clean_number(item.get("customer_order_number"))
        if row.error or not (number or customer_number):
            key = ("", str(row.line))
        else:
            key = ("S", number) if number else ("C", customer_number)
        groups.setdefault(key, []).append(item)
    return groups


class _OpFailed(Exception):
    """A service refused an operation: the order's transaction is rolled back and tried again
    without it (or with its rows one by one)."""

    def __init__(self, rows: list[_Row], error: DomainError, splittable: bool):
        super().__init__(error.message)
        self.rows, self.error, self.splittable = rows, error, splittable


@dataclass
class _Outcome:
    applied: int = 0
    reports: list[tuple[_Row, DomainError, ImportLevel]] = field(default_factory=list)


def _apply_order(session: Session, record: DataImport, seller: Seller, key: tuple[str, str],
                 rows: list[_Row]) -> None:
    """One order's rows in one transaction with the import's counts. A refused operation rolls
    it back and it is tried again without that operation's rows (decisions one row at a time
    first), so that the order's other rows apply, together."""
    refused: dict[int, DomainError] = {}
    split = False
    conflicts = 0
    while True:
        try:
            with transaction(session):
                outcome = _attempt(session, record, seller, key, rows, refused, split)
                reports = [*outcome.reports, *((r, refused[r.line], ImportLevel.ERROR)
                                               for r in rows if r.line in refused)]
                session.add_all(error_row(record, r.line, _key(r, key), e, level)
                                for r, e, level in sorted(reports, key=lambda item: item[0].line))
                record.updated_count += outcome.applied
                record.refused_count += sum(1 for *_, level in reports if level == ImportLevel.ERROR)
                record.warning_count += sum(1 for *_, level in reports if level == ImportLevel.WARNING)
                record.rows_read += len(rows)
                record.rows_done += len(rows)
                record.heartbeat_at = shop_clock.of(session).now()
            return
        except _OpFailed as failed:
            if failed.splittable and not split and len(failed.rows) > 1:
                split = True
            else:
                refused.update((r.line, failed.error) for r in failed.rows)
        except Conflict:  # someone changed the order meanwhile (the portal, the API): read it again
            conflicts += 1
            if conflicts >= 3:
                raise


def _key(row: _Row, key: tuple[str, str]) -> str:
    return row.get("seller_order_number") or row.get("customer_order_number") or key[1]


def _order(session: Session, seller: Seller, key: tuple[str, str]) -> SellerOrder:
    """The seller's order; another seller's is as unknown as one that does not exist."""
    unknown = NotFound("no order of yours has this number", reason=Refusal.IMPORT_UNKNOWN_ORDER, field="order")
    if key[0] == "C":
        number = session.scalar(select(SellerOrder.number).join(CustomerOrder).where(
            CustomerOrder.number == key[1], SellerOrder.seller_id == seller.id))
        if number is None:
            raise unknown
    else:
        number = key[1]
    try:
        order = orders.get_seller_order(session, number)
    except NotFound:
        raise unknown from None
    if order.seller_id != seller.id:
        raise unknown
    return order


@dataclass
class _Planned:
    row: _Row
    action: str
    line: OrderLine | None  # None: the whole order
    quantity: int | None


def _attempt(session: Session, record: DataImport, seller: Seller, key: tuple[str, str], rows: list[_Row],
             refused: dict[int, DomainError], split: bool) -> _Outcome:
    outcome = _Outcome()
    live = [r for r in rows if r.line not in refused]
    if key[0] == "":
        for row in live:
            error = (RowRefused("the line is not a JSON object", reason=Refusal.IMPORT_BAD_ROW) if row.error else
                     RowRefused("the order number is missing", reason=Refusal.IMPORT_REQUIRED, field="order"))
            outcome.reports.append((row, error, ImportLevel.ERROR))
        return outcome
    try:
        order = _order(session, seller, key)
    except NotFound as error:
        outcome.reports += [(row, error, ImportLevel.ERROR) for row in live]
        return outcome
    planned: list[_Planned] = []
    seen: dict[tuple, int] = {}
    for row in live:
        try:
            item = _plan(order, row)
            parcel = (item.row.get("carrier").upper(), item.row.get("tracking_number").upper())
            same = (item.action, item.line.id if item.line else None, parcel if item.action == SHIP else None)
            first = seen.setdefault(same, row.line)
            if first != row.line:
                raise RowRefused(f"the same line and action are on line {first}",
                                 reason=Refusal.IMPORT_DUPLICATE_LINE, first=first)
            if _done(order, item):
                outcome.reports.append((row, DomainError("already done", reason=Refusal.IMPORT_ALREADY_DONE),
                                        ImportLevel.WARNING))
                continue
            planned.append(item)
        except DomainError as error:
            outcome.reports.append((row, error, ImportLevel.ERROR))
    _decide(session, record, order, [p for p in planned if p.action != SHIP], split, outcome)
    _ship(session, record, order, [p for p in planned if p.action == SHIP], outcome)
    return outcome


def _plan(order: SellerOrder, row: _Row) -> _Planned:
    """A row's action, line and quantity (``RowRefused`` names what is wrong)."""
    raw = row.get("action")
    if not raw:
        raise RowRefused("the action is missing", reason=Refusal.IMPORT_REQUIRED, field="action")
    action = _ACTIONS.get(choice_key(raw))
    if action is None:
        raise RowRefused(f"action {raw!r} is not accept, refuse or ship", reason=Refusal.IMPORT_CHOICE,
                         field="action", value=raw[:40])
    line = _line(order, row)
    quantity = None
    if raw_quantity := row.get("quantity"):
        if not re.fullmatch(r"\d{1,6}", raw_quantity) or int(raw_quantity) == 0:
            raise RowRefused(f"quantity {raw_quantity!r} is not a whole number", reason=Refusal.IMPORT_NUMBER,
                             field="quantity", value=raw_quantity[:40])
        quantity = int(raw_quantity)
    if action in (ACCEPT, REFUSE) and line is not None and quantity not in (None, line.quantity_live):
        raise RowRefused("a line is accepted or refused whole", reason=Refusal.IMPORT_WHOLE_LINE,
                         field="quantity", quantity=line.quantity_live)
    if action == SHIP:
        for name in ("carrier", "tracking_number"):
            if not row.get(name):
                raise RowRefused(f"{name} is missing", reason=Refusal.IMPORT_REQUIRED, field=name)
    return _Planned(row, action, line, quantity)


def _line(order: SellerOrder, row: _Row) -> OrderLine | None:
    """The line a row names: by the API's line id, its number in the order (1 for the first), or
    the SKU; None when it names none (the whole order)."""
    lines = list(order.lines)
    unknown = NotFound("the order has no such line", reason=Refusal.IMPORT_UNKNOWN_LINE)
    if raw := row.get("line_id"):
        found = [line for line in lines if str(line.id) == raw]
        if not found:
            raise unknown
        return found[0]
    if raw := row.get("line_number"):
        if not raw.isdigit() or not 1 <= int(raw) <= len(lines):
            raise unknown
        return lines[int(raw) - 1]
    if raw := row.get("sku"):
        found = [line for line in lines if line.sku == raw]
        if len(found) > 1:
            raise RowRefused("several lines have this SKU", reason=Refusal.IMPORT_AMBIGUOUS_SKU, field="sku")
        if not found:
            raise unknown
        return found[0]
    return None


def _done(order: SellerOrder, item: _Planned) -> bool:
    """Whether the row's effect is already there (applied by an earlier file or run)."""
    lines = [item.line] if item.line is not None else list(order.lines)
    if item.action == ACCEPT:
        if item.line is None:
            return not any(x.state == LineState.WAITING_ACCEPTANCE for x in lines) and any(
                x.state == LineState.ACCEPTED for x in lines)
        return item.line.state == LineState.ACCEPTED
    if item.action == REFUSE:
        if item.line is None:
            return order.state == SellerOrderState.REFUSED
        return item.line.state == LineState.REFUSED
    try:
        number = tracking.clean_tracking_number(item.row.get("tracking_number"))
    except DomainError:
        return False  # the service says what is wrong with it
    carrier = item.row.get("carrier").upper()
    for parcel in order.parcels:
        if parcel.tracking_number == number and parcel.carrier.code == carrier:
            return item.line is None or any(i.order_line_id == item.line.id for i in parcel.items)
    return False


def _decide(session: Session, record: DataImport, order: SellerOrder, planned: list[_Planned], split: bool,
            outcome: _Outcome) -> None:
    """Accepts and refusals through ``orders.decide``: together (refusals of one reason per
    call), or one row at a time once together was refused."""
    if not planned:
        return
    named = {p.line.id for p in planned if p.line is not None}
    waiting = [x.id for x in order.lines if x.state == LineState.WAITING_ACCEPTANCE and x.id not in named]

    def ids(item: _Planned) -> list[int]:
        return [item.line.id] if item.line is not None else waiting

    if split:
        calls = [[p] for p in planned]
    else:
        accepts = [p for p in planned if p.action == ACCEPT]
        by_reason: dict[str, list[_Planned]] = {}
        for p in planned:
            if p.action == REFUSE:
                by_reason.setdefault(p.row.get("reason_code"), []).append(p)
        groups = list(by_reason.values())
        calls = [accepts + (groups.pop(0) if groups else [])] + groups
    for call in calls:
        decisions = {line_id: p.action == ACCEPT for p in call for line_id in ids(p)}
        reason = next((p.row.get("reason_code") for p in call if p.action == REFUSE), None)
        try:
            orders.decide(session, order, decisions, actor_role=ActorRole.SELLER, actor_id=record.user_id,
                          reason_code=reason or None)
        except DomainError as error:
            raise _OpFailed([p.row for p in call], error, splittable=True) from None
        outcome.applied += len(call)


def _ship(session: Session, record: DataImport, order: SellerOrder, planned: list[_Planned],
          outcome: _Outcome) -> None:
    """Parcels through ``tracking.ship``: the rows of one carrier and tracking number are one
    parcel. A row asking more units than are left to ship is refused on its own."""
    parcels: dict[tuple[str, str], list[_Planned]] = {}
    for p in planned:
        parcels.setdefault((p.row.get("carrier").upper(), p.row.get("tracking_number").upper()), []).append(p)
    for (carrier, number), items in parcels.items():
        kept, quantities = [], {}
        whole = any(p.line is None for p in items)
        left = orders.to_ship(order)
        for p in items:
            if p.line is None or whole:
                kept.append(p)
                continue
            if p.line.state in (LineState.REFUSED, LineState.CANCELED):
                outcome.reports.append((p.row, InvalidTransition(
                    f"line {p.line.id} is {p.line.state.lower()}: it cannot ship",
                    reason=Refusal.IMPORT_LINE_NOT_SHIPPABLE, state=p.line.state.value), ImportLevel.ERROR))
                continue
            if order.state not in (SellerOrderState.SHIPPING, SellerOrderState.SHIPPED):
                quantities[p.line.id] = p.quantity or p.line.quantity_live
                kept.append(p)  # the service says why this order does not ship
                continue
            available = left.get(p.line.id, 0)
            wanted = p.quantity or available
            if not wanted or wanted > available:
                outcome.reports.append((p.row, InvalidValue(
                    f"only {available} unit(s) of {p.line.title!r} are left to ship", reason=Refusal.TOO_MANY,
                    field="quantity", title=p.line.title, available=available), ImportLevel.ERROR))
                continue
            quantities[p.line.id] = wanted
            kept.append(p)
        if not kept:
            continue
        try:
            parcel = tracking.ship(session, order, carrier_code=carrier, tracking_number=number,
                                   actor_role=ActorRole.SELLER, actor_id=record.user_id,
                                   quantities=None if whole else quantities)
        except DomainError as error:
            raise _OpFailed([p.row for p in kept], error, splittable=False) from None
        outcome.applied += len(kept)
        link = tracking.tracking_url(parcel.carrier, parcel.tracking_number) or ""
        for p in kept:
            given = p.row.get("tracking_url")
            if given and given != link:
                outcome.reports.append((p.row, DomainError("the tracking link comes from the carrier",
                                                           reason=Refusal.IMPORT_TRACKING_URL, url=link or "—"),
                                        ImportLevel.WARNING))

