"""Documents people upload (a seller's KYC papers): what they really are, and where they rest.

The type comes from the content, never from the file's name or the browser's Content-Type,
both of which the sender chooses: a PDF must start like one, an image must decode with Pillow
as the format its first bytes announce. Everything else (SVG, which can carry scripts; archives,
which can unpack to gigabytes; programs; office files) is refused. Images are measured before
they are decoded, so a small file announcing a huge picture (a decompression bomb) is refused
without allocating it.

Files are stored outside ``static/`` (nothing serves them by accident) under random names
(nothing about the sender or the company shows in a path), and only read back through a name
this module made.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from .errors import InvalidValue

MAX_BYTES = 5 * 1024 * 1024  # per document: a scan or a phone photo fits, a video does not
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a bomb, not a scan

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
CONTENT_TYPES = {extension: kind for kind, extension in EXTENSIONS.items()}

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")


class UploadRefused(InvalidValue):
    """The file is not a document we accept; ``details["problem"]`` says why:
    ``empty``, ``too_large``, ``unsupported`` (not a PDF, PNG or JPEG by its content),
    ``damaged`` (starts like an image but does not decode) or ``too_many_pixels``."""


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str  # from the content: PDF, PNG or JPEG
    original_name: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def read_limited(stream, limit: int = MAX_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``: enough to know it is too large without reading
    a huge upload into memory."""
    return stream.read(limit + 1)


def check(data: bytes, original_name: str = "", *, max_bytes: int = MAX_BYTES) -> CheckedFile:
    """The file if it is a PDF, PNG or JPEG by its content, within the limits; otherwise
    :class:`UploadRefused`."""
    name = _safe_name(original_name)
    if not data:
        raise UploadRefused("the file is empty", problem="empty")
    if len(data) > max_bytes:
        raise UploadRefused(f"the file is larger than {max_bytes // (1024 * 1024)} MB",
                            problem="too_large", limit_mb=max_bytes // (1024 * 1024))
    if data.startswith(b"%PDF-"):
        return CheckedFile(data, PDF, name)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return CheckedFile(data, _decoded_image(data, "PNG"), name)
    if data.startswith(b"\xff\xd8\xff"):
        return CheckedFile(data, _decoded_image(data, "JPEG"), name)
    raise UploadRefused("only PDF, PNG or JPEG files are accepted", problem="unsupported")


def _decoded_image(data: bytes, expected_format: str) -> str:
    """Decode the whole picture (a truncated or forged file fails here), after checking its size
    from the header: Pillow's own guard (MAX_IMAGE_PIXELS) only warns below twice its limit."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected_format]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UploadRefused("the picture has too many pixels", problem="too_many_pixels")
                image.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("the picture has too many pixels", problem="too_many_pixels") from None
    except Exception:  # noqa: BLE001 (Pillow raises many kinds for a damaged file)
        raise UploadRefused("the picture cannot be read", problem="damaged") from None
    return PNG if expected_format == "PNG" else JPEG


def _safe_name(name: str) -> str:
    """The sender's file name, for display only: no path, no control characters, short."""
    base = re.split(r"[\\/]", name or "")[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120]


def store(directory: str | os.PathLike, checked: CheckedFile) -> str:
    """Write ``checked`` under a new random name in ``directory`` (made if missing); the name."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{secrets.token_hex(16)}.{checked.extension}"
    # "x": never overwrite; 0o600: readable by the shop's own user only.
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(checked.data)
    return name


def path_of(directory: str | os.PathLike, stored_name: str) -> Path:
    """Where a stored file is; only for names :func:`store` makes (no path can be smuggled in)."""
    if not _STORED_NAME.match(stored_name or ""):
        raise InvalidValue("not a stored document name")
    return Path(directory) / stored_name


def remove(directory: str | os.PathLike, stored_name: str) -> None:
    """Delete a stored file; a missing one is fine (removing twice is harmless)."""
    with contextlib.suppress(FileNotFoundError, InvalidValue):
        path_of(directory, stored_name).unlink()
