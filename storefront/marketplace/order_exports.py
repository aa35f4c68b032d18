"""Order exports to sellers: the orders new or changed since a moment, one row per order line,
as CSV, XLSX or JSON lines; downloaded (portal, back office, API, CLI) or pushed on a schedule
into a seller's drop folder.

"Changed" is ``SellerOrder.updated_at``, which ``orders.touch`` sets on every change the order
services make (a state, a cancellation, a refund, a parcel, a delivery), so an order changed
after it was placed is exported again. Rows come out in (updated_at, id) order, a batch of
orders at a time in a fixed number of queries (never one per row), and the writers are
generators: a large export never sits whole in memory.

A scheduled push remembers the (updated_at, id) of the last order it wrote, not "now": an order
changed while a push runs is in the next one.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from babel.numbers import format_currency
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import clock as shop_clock
from . import preferences
from .errors import InvalidValue, NotFound
from .models import (
    Cancellation,
    ExportFormat,
    OrderExportSetting,
    OrderLine,
    Product,
    Refund,
    Seller,
    SellerOrder,
    Shipment,
    utcnow,
)
from .refusals import Refusal
from .unit_of_work import atomic

logger = logging.getLogger(__name__)

BATCH = 200  # seller orders read per round of queries

# The columns, in file order: (key, what it holds). docs/imports.md lists them too.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("customer_order_number", "the customer's order (one checkout)"),
    ("seller_order_number", "the seller's part of it"),
    ("seller_code", "the seller"),
    ("seller_name", "the seller's shop name"),
    ("created_at", "when the order was placed (ISO 8601, shop time zone)"),
    ("updated_at", "its last change (ISO 8601, shop time zone)"),
    ("state", "the seller order's state (WAITING_ACCEPTANCE, SHIPPING, SHIPPED…)"),
    ("line_id", "the order line's id (the API's line_id)"),
    ("line_state", "the line's state (WAITING_ACCEPTANCE, ACCEPTED, REFUSED, CANCELED)"),
    ("sku", "the seller's SKU"),
    ("title", "the product title at checkout"),
    ("gtin", "the product's GTIN/EAN"),
    ("quantity", "units ordered"),
    ("quantity_canceled", "units cancelled since"),
    ("unit_price_cents", "unit price in cents"),
    ("unit_price", "unit price, formatted"),
    ("line_total_cents", "unit price × units not cancelled, in cents"),
    ("line_total", "the same, formatted"),
    ("currency", "ISO 4217"),
    ("shipping_fee_cents", "the fee of the line's shipment (the same on each of its lines)"),
    ("shipping_fee", "the same, formatted"),
    ("delivery_mode", "the shop's delivery mode code (THD, EHD, RELAY, FDHD)"),
    ("marketplace_mode", "the marketplace's delivery mode, mapped at checkout"),
    ("marketplace_carrier", "the marketplace's carrier, mapped at checkout"),
    ("promised_from", "first promised delivery day (YYYY-MM-DD)"),
    ("promised_to", "last promised delivery day"),
    ("ship_by", "the day the shipment must leave"),
    ("shipment_status", "PENDING, SHIPPED, DELIVERED, CANCELED"),
    ("carrier", "the carrier of its first parcel"),
    ("tracking_number", "the tracking number of its first parcel"),
    ("customer_name", "the name on the delivery address"),
    ("address_line1", "delivery address"),
    ("address_line2", ""),
    ("postal_code", ""),
    ("city", ""),
    ("country", "ISO 3166 alpha-2"),
    ("phone", ""),
    ("relay_point", "the relay point's id for RELAY deliveries (empty: none recorded)"),
    ("payment_code", "the marketplace's payment code of the order"),
    ("cancellations", "this line's cancellations: quantity×REASON, separated by |"),
    ("cancellation_codes", "their marketplace codes, separated by |"),
    ("refunded_cents", "refunded on this line (the order's own refunds on its first line), cents"),
    ("refunded_shipping_cents", "shipping refunded, cents"),
    ("refunds", "the refunds' reasons, separated by |"),
    ("refund_codes", "their marketplace codes, separated by |"),
)
KEYS = tuple(key for key, _ in COLUMNS)

MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSONL: "application/x-ndjson",
}

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cursor:
    """Where an export stopped: the last seller order written, by (updated_at, id)."""

    at: datetime
    id: int


# -- reading what the caller typed ------------------------------------------------------------------


def read_format(text: str | None) -> ExportFormat:
    try:
        return ExportFormat((text or "").strip().lower())
    except ValueError:
        raise InvalidValue(f"an export is csv, xlsx or jsonl, not {text!r}", field="format",
                           reason=Refusal.EXPORT_FORMAT) from None


def read_since(text: str | None, tz) -> datetime:
    """A moment from what a person or a program typed: ``2026-12-01`` (midnight, shop time),
    ``2026-12-01 08:30`` or ``2026-12-01T08:30`` (shop time), or RFC 3339 with its offset."""
    raw = (text or "").strip()
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(), tz)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise InvalidValue(f"since is a date or a date and time, not {raw!r}", field="since",
                           reason=Refusal.EXPORT_SINCE) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


# -- the rows ---------------------------------------------------------------------------------------


class OrderExport:
    """The rows of the orders of ``seller_id`` (None: every seller) changed at or after
    ``since`` and after ``after``. Iterate :meth:`rows` once; ``cursor`` then says where it
    stopped (None when nothing was exported) and ``orders`` how many orders it wrote."""

    def __init__(self, session: Session, *, seller_id: int | None = None,
                 since: datetime | None = None, after: Cursor | None = None,
                 locale: str = "fr", batch: int = BATCH):
        self.session, self.seller_id, self.since, self.after = session, seller_id, since, after
        self.locale, self.batch = locale, batch
        self.tz = shop_clock.of(session).tz
        self.cursor: Cursor | None = None
        self.orders = 0

    def _where(self):
        conditions = []
        if self.seller_id is not None:
            conditions.append(SellerOrder.seller_id == self.seller_id)
        if self.since is not None:
            conditions.append(SellerOrder.updated_at >= self.since)
        return conditions

    def count(self) -> int:
        """How many orders the export holds (one query), for a progress bar."""
        conditions = self._where()
        if self.after is not None:
            conditions.append(_after(self.after))
        return self.session.scalar(select(func.count(SellerOrder.id)).where(*conditions))

    def rows(self) -> Iterator[dict]:
        position = self.after
        while True:
            found = self._batch(position)
            if not found:
                return
            yield from self._rows_of(found)
            position = Cursor(found[-1].updated_at, found[-1].id)
            if len(found) < self.batch:
                return

    def _batch(self, position: Cursor | None) -> list[SellerOrder]:
        conditions = self._where()
        if position is not None:
            conditions.append(_after(position))
        query = (
            select(SellerOrder)
            .where(*conditions)
            .options(
                joinedload(SellerOrder.customer_order),
                joinedload(SellerOrder.seller),
                selectinload(SellerOrder.lines).joinedload(OrderLine.shipment).options(
                    joinedload(Shipment.mode), joinedload(Shipment.carrier)
                ),
            )
            .order_by(SellerOrder.updated_at, SellerOrder.id)
            .limit(self.batch)
        )
        return list(self.session.scalars(query))

    def _rows_of(self, found: list[SellerOrder]) -> Iterator[dict]:
        session = self.session
        lines = [line for order in found for line in order.lines]
        line_ids = [line.id for line in lines]
        gtins = dict(session.execute(
            select(Product.id, Product.gtin).where(Product.id.in_({line.product_id for line in lines}))
        ).all()) if lines else {}
        cancellations: dict[int, list[Cancellation]] = defaultdict(list)
        if line_ids:
            for c in session.scalars(select(Cancellation).options(joinedload(Cancellation.reason))
                                     .where(Cancellation.order_line_id.in_(line_ids))
                                     .order_by(Cancellation.id)):
                cancellations[c.order_line_id].append(c)
        refunds: dict[tuple[int, int | None], list[Refund]] = defaultdict(list)
        for r in session.scalars(select(Refund).options(joinedload(Refund.reason))
                                 .where(Refund.seller_order_id.in_([o.id for o in found]))
                                 .order_by(Refund.id)):
            refunds[(r.seller_order_id, r.order_line_id)].append(r)

        for order in found:
            for position, line in enumerate(order.lines):
                line_refunds = list(refunds.get((order.id, line.id), ()))
                if position == 0:  # refunds of the whole order go on its first line
                    line_refunds += refunds.get((order.id, None), ())
                yield self._row(order, line, gtins.get(line.product_id, ""),
                                cancellations.get(line.id, ()), line_refunds)
            self.orders += 1
            self.cursor = Cursor(order.updated_at, order.id)

    def _row(self, order: SellerOrder, line: OrderLine, gtin: str,
             canceled: Iterable[Cancellation], refunded: list[Refund]) -> dict:
        co = order.customer_order
        shipment = line.shipment
        currency = co.currency
        total = line.unit_price * line.quantity_live
        fee = shipment.fee if shipment else 0
        return {
            "customer_order_number": co.number,
            "seller_order_number": order.number,
            "seller_code": order.seller.code,
            "seller_name": order.seller.name,
            "created_at": self._moment(order.created_at),
            "updated_at": self._moment(order.updated_at),
            "state": str(order.state),
            "line_id": line.id,
            "line_state": str(line.state),
            "sku": line.sku,
            "title": line.title,
            "gtin": gtin,
            "quantity": line.quantity,
            "quantity_canceled": line.quantity_canceled,
            "unit_price_cents": line.unit_price,
            "unit_price": self._money(line.unit_price, currency),
            "line_total_cents": total,
            "line_total": self._money(total, currency),
            "currency": currency,
            "shipping_fee_cents": fee,
            "shipping_fee": self._money(fee, currency),
            "delivery_mode": shipment.mode.code if shipment else "",
            "marketplace_mode": shipment.marketplace_mode if shipment else "",
            "marketplace_carrier": shipment.marketplace_carrier if shipment else "",
            "promised_from": _day(shipment.promised_min) if shipment else "",
            "promised_to": _day(shipment.promised_max) if shipment else "",
            "ship_by": _day(shipment.ship_by) if shipment else "",
            "shipment_status": str(shipment.status) if shipment else "",
            "carrier": shipment.carrier.code if shipment and shipment.carrier else "",
            "tracking_number": (shipment.tracking_number or "") if shipment else "",
            "customer_name": co.ship_name,
            "address_line1": co.ship_line1,
            "address_line2": co.ship_line2,
            "postal_code": co.ship_postal_code,
            "city": co.ship_city,
            "country": co.ship_country,
            "phone": co.ship_phone,
            # The shop records no relay point yet (checkout keeps the mode only): the column is
            # in the file so that sellers' mappings need no change when it does.
            "relay_point": "",
            "payment_code": co.payment_code,
            "cancellations": "|".join(f"{c.quantity}×{c.reason.code}" for c in canceled),
            "cancellation_codes": "|".join(c.marketplace_code for c in canceled if c.marketplace_code),
            "refunded_cents": sum(r.amount for r in refunded),
            "refunded_shipping_cents": sum(r.shipping_amount for r in refunded),
            "refunds": "|".join(r.reason.code for r in refunded),
            "refund_codes": "|".join(r.marketplace_code for r in refunded if r.marketplace_code),
        }

    def _moment(self, moment: datetime | None) -> str:
        return moment.astimezone(self.tz).isoformat(timespec="seconds") if moment else ""

    def _money(self, cents: int, currency: str) -> str:
        return format_currency(Decimal(cents) / 100, currency, locale=self.locale)


def _after(position: Cursor):
    # The first condition is implied by the second; it is what the index can seek to.
    return and_(
        SellerOrder.updated_at >= position.at,
        or_(SellerOrder.updated_at > position.at,
            and_(SellerOrder.updated_at == position.at, SellerOrder.id > position.id)),
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


# -- writers ----------------------------------------------------------------------------------------


def escape_cell(value):
    """A text cell a spreadsheet would run as a formula gets a leading ``'`` (CSV injection);
    numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(rows: Iterable[dict], *, per_chunk: int = 100) -> Iterator[str]:
    """``;``-separated CSV with a BOM (Excel then reads UTF-8), a header of the column keys,
    every text cell escaped against formulas; yielded ``per_chunk`` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(KEYS)
    for count, row in enumerate(rows, 1):
        writer.writerow([escape_cell(row[key]) for key in KEYS])
        if count % per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object per line (the values as they are: a program reads them, no escaping)."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def write_xlsx(rows: Iterable[dict], target: BinaryIO) -> None:
    """An XLSX workbook in openpyxl's write_only mode (rows go to disk as they come). Text that
    looks like a formula is escaped as in CSV: openpyxl would write it as one."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("orders")
    sheet.append(KEYS)
    for row in rows:
        sheet.append([escape_cell(row[key]) for key in KEYS])
    book.save(target)


def byte_chunks(fmt: ExportFormat, rows: Iterable[dict], *, block: int = 64 * 1024) -> Iterator[bytes]:
    """The file of ``rows`` in ``fmt`` as bytes, for a streamed response. XLSX is a zip that
    is complete only at the end: it is written to a temporary file first, then read back."""
    fmt = ExportFormat(fmt)
    if fmt == ExportFormat.XLSX:
        with tempfile.TemporaryFile() as spool:
            write_xlsx(rows, spool)
            spool.seek(0)
            while chunk := spool.read(block):
                yield chunk
        return
    chunks = csv_chunks(rows) if fmt == ExportFormat.CSV else jsonl_chunks(rows)
    encoder = codecs.getincrementalencoder("utf-8")()
    for text in chunks:
        yield encoder.encode(text)


def write(fmt: ExportFormat, rows: Iterable[dict], target: BinaryIO) -> None:
    for chunk in byte_chunks(fmt, rows):
        target.write(chunk)


def file_name(fmt: ExportFormat, seller_code: str | None, moment: datetime) -> str:
    """``orders-ALPHA-20261201T083000Z.csv`` (``orders-ALL-…`` for every seller)."""
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"orders-{seller_code or 'ALL'}-{stamp}.{ExportFormat(fmt).value}"


# -- scheduled push into a drop folder ---------------------------------------------------------------

FOLDER = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,59}")
MAX_FOLDER = 200


def clean_folder(text: str | None) -> str:
    """A folder under the seller's drop folder: relative, without ``..``, made of plain names.
    ``""`` is the seller's drop folder itself."""
    raw = (text or "").strip().replace("\\", "/")
    if not raw:
        return ""
    parts = raw.rstrip("/").split("/")
    if (raw.startswith("/") or len(raw) > MAX_FOLDER or re.match(r"^[A-Za-z]:", raw)
            or any(part in ("", ".", "..") or not FOLDER.fullmatch(part) for part in parts)):
        raise InvalidValue(f"{raw!r} is not a folder inside the drop folder", field="folder",
                           reason=Refusal.EXPORT_FOLDER)
    return "/".join(parts)


def drop_folder(root: Path | str, seller: Seller, folder: str) -> Path:
    """``root/<seller code>/<folder>``, checked to stay under ``root/<seller code>`` once
    resolved (a symbolic link planted inside cannot lead out either)."""
    base = (Path(root) / seller.code).resolve()
    target = (base / clean_folder(folder)).resolve()
    if target != base and base not in target.parents:
        raise InvalidValue("the folder leads out of the drop folder", field="folder",
                           reason=Refusal.EXPORT_FOLDER)
    return target


def settings_of(session: Session, seller_id: int) -> OrderExportSetting:
    """The seller's push settings (a new, unsaved one when it has none yet)."""
    found = session.scalar(select(OrderExportSetting).where(OrderExportSetting.seller_id == seller_id))
    return found or OrderExportSetting(seller_id=seller_id, enabled=False, format=ExportFormat.CSV,
                                       folder="")


@atomic
def save_settings(session: Session, seller_id: int, *, enabled: bool, fmt: str, folder: str,
                  now: datetime | None = None) -> OrderExportSetting:
    """Turn the seller's scheduled push on or off, with its format and folder. The cursor is
    kept: turning a push back on sends what changed since the last file."""
    fmt, folder = read_format(fmt), clean_folder(folder)
    if session.get(Seller, seller_id) is None:
        raise NotFound("no such seller")
    setting = settings_of(session, seller_id)
    setting.enabled, setting.format, setting.folder = bool(enabled), fmt, folder
    setting.updated_at = now or utcnow()
    session.add(setting)
    session.flush()
    return setting


def due(session: Session, now: datetime) -> list[OrderExportSetting]:
    """The enabled pushes whose interval (preference ``order_export_minutes``) has elapsed."""
    every = timedelta(minutes=int(preferences.get(session, "order_export_minutes")))
    enabled = session.scalars(
        select(OrderExportSetting).options(joinedload(OrderExportSetting.seller))
        .where(OrderExportSetting.enabled.is_(True)).order_by(OrderExportSetting.id)
    )
    return [s for s in enabled if s.last_run_at is None or s.last_run_at + every <= now]


@atomic
def push(session: Session, setting: OrderExportSetting, root: Path | str, *,
         now: datetime | None = None) -> Path | None:
    """Write the seller's orders changed since its last push into its drop folder, atomically
    (a temporary name, then a rename: a reader never sees half a file), and move its cursor to
    the last order written. No file when nothing changed. Returns the file's path."""
    now = now or shop_clock.of(session).now()
    seller = setting.seller
    folder = drop_folder(root, seller, setting.folder)
    after = Cursor(setting.cursor_at, setting.cursor_id) if setting.cursor_at else None
    export = OrderExport(session, seller_id=seller.id, after=after)
    rows = export.rows()
    first = next(rows, None)
    setting.last_run_at = now
    if first is None:
        session.flush()
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(setting.format, seller.code, now)
    temporary = folder / f".{path.name}.part"
    try:
        with open(temporary, "wb") as out:
            write(setting.format, _chain(first, rows), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    setting.cursor_at, setting.cursor_id = export.cursor.at, export.cursor.id
    session.flush()
    return path


def push_due(session: Session, root: Path | str, *, now: datetime | None = None) -> list[Path]:
    """Push to every seller whose turn it is, each in its own transaction (one seller's full
    disk does not hold back the others). Returns the files written."""
    now = now or shop_clock.of(session).now()
    written = []
    for setting in due(session, now):
        try:
            path = push(session, setting, root, now=now)
        except (OSError, InvalidValue):
            logger.exception("order export to %s failed", setting.seller.code)
            continue
        if path is not None:
            written.append(path)
    return written


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest
