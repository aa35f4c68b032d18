"""Reading import files (offers today; products, categories and statuses tomorrow): CSV, XLSX
and JSON lines, row by row, never the whole file in memory.

- The format comes from the content, not the name: a zip is XLSX, a first ``{`` is JSON lines,
  other text is CSV. CSV: ``;``, ``,`` or tab, whichever the header line has most of; UTF-8
  (with or without BOM), else Windows-1252 (what Excel on a French Windows saves).
- XLSX: the zip's declared sizes are checked before openpyxl opens it (a few kB that unpack to
  gigabytes is a zip bomb); cells are read as stored, formulas as their text, never evaluated.
- A file is refused as a whole (``FileRefused``, with a ``Refusal`` code) when it is too big,
  empty, headers only, or of no known format; a bad row is the caller's business.

``Row.line`` is the line a person sees in their editor or spreadsheet (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import queue
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .errors import InvalidValue
from .refusals import Refusal

DEFAULT_MAX_BYTES = 200_000_000
# An XLSX's XML unpacks to about 5–20 times its zipped size; a ratio past this, or a total past
# MAX_XLSX_UNPACKED, is a zip bomb, refused before anything is unpacked.
MAX_XLSX_RATIO = 200
MAX_XLSX_UNPACKED = 2_000_000_000
_CHUNK = 1 << 20


class FileRefused(InvalidValue):
    """The whole file is refused (nothing of it was applied)."""


class Format:
    CSV = "CSV"
    XLSX = "XLSX"
    JSONL = "JSONL"


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]  # header → text ("" for an empty cell)
    error: str = ""  # a row that could not be read at all (a JSON line that is not an object)


_END = object()


def read_ahead(rows: Iterator[Row], *, chunk: int = 500, depth: int = 8) -> Iterator[Row]:
    """``rows``, read by a thread of their own up to ``depth`` chunks ahead: an import's next
    rows are parsed while the database writes the batch before (the driver lets go of the GIL
    while it waits). An error of the reader is raised here; leaving the loop stops the thread."""
    chunks: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            buffer: list[Row] = []
            for row in rows:
                buffer.append(row)
                if len(buffer) >= chunk:
                    if not put(buffer):
                        return
                    buffer = []
            if put(buffer):
                put(_END)
        except BaseException as error:  # handed to the consumer, which raises it
            put(error)

    thread = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        thread.join(timeout=5)


def check_size(size: int | None, max_bytes: int) -> None:
    """Refuse by the declared or measured size, before reading anything."""
    if size is not None and size > max_bytes:
        raise FileRefused(f"the file is too big ({size} bytes; at most {max_bytes})",
                          reason=Refusal.IMPORT_TOO_BIG, limit=max_bytes)


def detect(path: Path) -> str:
    """The file's format, from its first bytes."""
    with path.open("rb") as file:
        head = file.read(4096)
    if not head:
        raise FileRefused("the file is empty", reason=Refusal.IMPORT_EMPTY)
    if head.startswith(b"PK\x03\x04"):
        return Format.XLSX
    if b"\x00" in head:
        raise FileRefused("the file is neither CSV, XLSX nor JSON lines", reason=Refusal.IMPORT_FORMAT)
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not text:
        raise FileRefused("the file is empty", reason=Refusal.IMPORT_EMPTY)
    if text.startswith(b"{"):
        return Format.JSONL
    return Format.CSV


class Reader:
    """The headers and the rows of one file. ``rows()`` can be called again (a resumed run reads
    the file from the start and skips what was done)."""

    def __init__(self, path: Path, max_bytes: int = DEFAULT_MAX_BYTES):
        self.path = Path(path)
        check_size(self.path.stat().st_size, max_bytes)
        self.format = detect(self.path)
        if self.format == Format.XLSX:
            _check_zip(self.path)
        self.encoding = _encoding(self.path) if self.format != Format.XLSX else "utf-8"
        self.delimiter = _delimiter(self.path, self.encoding) if self.format == Format.CSV else ""
        self.headers = self._headers()

    def _headers(self) -> list[str]:
        if self.format == Format.CSV:
            with self._text() as text:
                first = next(csv.reader(text, delimiter=self.delimiter), [])
            headers = [h.strip() for h in first]
        elif self.format == Format.XLSX:
            with _workbook(self.path) as sheet:
                first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            headers = [_text(h) for h in first]
        else:
            headers = []
            for row in self.rows():
                headers = list(row.values)
                if headers:
                    break
        while headers and not headers[-1]:
            headers.pop()
        if not any(headers):
            raise FileRefused("the file is empty", reason=Refusal.IMPORT_EMPTY)
        return headers

    def _text(self):
        return self.path.open(encoding=self.encoding, newline="")

    def rows(self) -> Iterator[Row]:
        """The data rows, with their line numbers; blank rows are skipped."""
        if self.format == Format.CSV:
            yield from self._csv_rows()
        elif self.format == Format.XLSX:
            yield from self._xlsx_rows()
        else:
            yield from self._jsonl_rows()

    def _csv_rows(self) -> Iterator[Row]:
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            next(reader, None)
            headers = self.headers
            line = reader.line_num
            for cells in reader:
                start, line = line + 1, reader.line_num
                if not "".join(cells).strip():
                    continue
                yield Row(start, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers) if h})

    def _xlsx_rows(self) -> Iterator[Row]:
        with _workbook(self.path) as sheet:
            headers = self.headers
            for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
                texts = [_text(cell) for cell in cells]
                if not any(texts):
                    continue
                yield Row(number, {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(headers) if h})

    def _jsonl_rows(self) -> Iterator[Row]:
        with self._text() as text:
            for number, raw in enumerate(text, start=1):
                raw = raw.strip().removeprefix("\ufeff")
                if not raw:
                    continue
                try:
                    value = json.loads(raw)
                except ValueError:
                    value = None
                if not isinstance(value, dict):
                    yield Row(number, {}, error="not a JSON object")
                    continue
                yield Row(number, {str(k).strip(): _text(v) for k, v in value.items()})

    def has_rows(self) -> bool:
        return next(iter(self.rows()), None) is not None

    def count_rows(self) -> int:
        if self.format == Format.CSV:  # the cells only, without building each row's mapping
            with self._text() as text:
                reader = csv.reader(text, delimiter=self.delimiter)
                next(reader, None)
                return sum(1 for cells in reader if "".join(cells).strip())
        return sum(1 for _ in self.rows())


def open_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Reader:
    """A reader of ``path``, refused (``FileRefused``) when it cannot be imported at all."""
    reader = Reader(path, max_bytes)
    if not reader.has_rows():
        raise FileRefused("the file has headers but no rows", reason=Refusal.IMPORT_NO_ROWS)
    return reader


def _text(value: object) -> str:
    """A cell as text: formulas stay the text they are (never evaluated), numbers as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _encoding(path: Path) -> str:
    """``utf-8-sig`` when every byte of the file is UTF-8 (a BOM is dropped), else cp1252.
    One streaming pass: a file valid at its start but not further down is still caught."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        try:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as text:
        header = text.readline()
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused("the file is neither CSV, XLSX nor JSON lines", reason=Refusal.IMPORT_FORMAT) from None
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > MAX_XLSX_UNPACKED or (unpacked > 10_000_000 and unpacked / packed > MAX_XLSX_RATIO):
        raise FileRefused(f"the XLSX would unpack to {unpacked} bytes from {packed}",
                          reason=Refusal.IMPORT_ZIP_BOMB)
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise FileRefused("the file is neither CSV, XLSX nor JSON lines", reason=Refusal.IMPORT_FORMAT)


class _workbook:
    """The first sheet of an XLSX, opened read-only (streamed) without evaluating anything."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        from openpyxl import load_workbook

        # A file object: openpyxl refuses a path without the .xlsx extension (uploads have none).
        self.file = self.path.open("rb")
        try:
            # data_only=False: a formula cell reads as its text ("=cmd|..."), never a result.
            self.book = load_workbook(self.file, read_only=True, data_only=False, keep_links=False)
            return self.book.worksheets[0]
        except Exception:  # openpyxl raises many kinds on a damaged file
            self.file.close()
            raise FileRefused("the XLSX file cannot be read", reason=Refusal.IMPORT_FORMAT) from None

    def __exit__(self, *exc):
        self.book.close()
        self.file.close()


# -- writing reports -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula gets a ``'`` first
    (CSV injection: ``=cmd|' /C calc'!A0`` in a refused row must not run on the seller's PC)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: list[list[object]] | Iterator[list[object]]) -> str:
    """A CSV (``;``, UTF-8 with BOM so Excel reads the accents) of escaped cells."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()
