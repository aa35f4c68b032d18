"""Product images given by URL in a product import, fetched by the worker and stored as if the
operator had uploaded them (``product_images.add``: decoded, checked, resized, audited).

Why so careful: the URL is whatever the file said. It must be ``http(s)``; its host must resolve
to public addresses only (``webhooks.resolve``: no loopback, private, link-local… unless
``allow_private``, for development and tests), checked again just before connecting; redirects
are followed up to ``MAX_REDIRECTS`` times, each new address checked as the first (a public URL
could otherwise send us to an internal one); the answer must say it is a
JPEG, PNG or WebP and is read up to ``product_images.MAX_BYTES`` and no further; then Pillow
decodes it (a lying type or a decompression bomb is refused there). A URL that fails is tried
``MAX_ATTEMPTS`` times in all (one per run of the job), its last error kept.
"""

from __future__ import annotations

import http.client
import logging
from urllib.parse import urljoin, urlsplit

from sqlalchemy.orm import Session

from . import catalog_imports, product_images, webhooks
from . import clock as shop_clock
from .errors import DomainError, InvalidValue
from .models import Product, ProductImageUrl
from .refusals import Refusal
from .unit_of_work import transaction

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
TYPES = {"image/jpeg", "image/png", "image/webp"}


def download(url: str, *, allow_private: bool = False, max_bytes: int = product_images.MAX_BYTES) -> bytes:
    """The bytes at ``url`` (after at most :data:`MAX_REDIRECTS` redirects, each checked as the
    first address), or :class:`InvalidValue` saying why not."""
    for _ in range(MAX_REDIRECTS + 1):
        data, location = _get(url, allow_private=allow_private, max_bytes=max_bytes)
        if location is None:
            return data
        url = urljoin(url, location)
    raise InvalidValue(f"more than {MAX_REDIRECTS} redirects", reason=Refusal.IMPORT_IMAGE_URL, value=url[:80])


def _get(url: str, *, allow_private: bool, max_bytes: int) -> tuple[bytes, str | None]:
    """One request: the image's bytes, or the address a redirect points to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None:
        raise InvalidValue(f"not an http(s) URL: {url[:100]!r}", reason=Refusal.IMPORT_IMAGE_URL, value=url[:80])
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is no number, or out of range
        raise InvalidValue(f"not an http(s) URL: {url[:100]!r}", reason=Refusal.IMPORT_IMAGE_URL,
                           value=url[:80]) from None
    webhooks.resolve(parts.hostname, port, allow_private=allow_private)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, port, timeout=TIMEOUT_SECONDS)
    response = None
    try:
        connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                           headers={"User-Agent": "Storefront image fetch", "Accept": ", ".join(sorted(TYPES))})
        # The address connected to, checked too (DNS may answer differently the second time).
        peer = connection.sock.getpeername()[0] if connection.sock else ""
        if peer and not allow_private and not webhooks.is_public(peer):
            raise InvalidValue(f"{parts.hostname} connected to {peer}, not a public address",
                               reason=Refusal.PRIVATE_ADDRESS, field="url")
        response = connection.getresponse()
        location = response.getheader("Location")
        if response.status in REDIRECTS and location:
            return b"", location
        if response.status != 200:
            raise InvalidValue(f"the server answered {response.status}", reason=Refusal.IMAGE_TYPE, field="image")
        kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if kind not in TYPES:
            raise InvalidValue(f"not an image type: {kind or 'none'}", reason=Refusal.IMAGE_TYPE, field="image")
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise InvalidValue(f"an image is at most {max_bytes} bytes", reason=Refusal.IMAGE_TOO_BIG, field="image")
        data = response.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidValue(f"an image is at most {max_bytes} bytes", reason=Refusal.IMAGE_TOO_BIG, field="image")
        return data, None
    except OSError as error:
        raise InvalidValue(f"could not fetch the image: {error.__class__.__name__}", reason=Refusal.IMAGE_TYPE,
                           field="image") from None
    finally:
        if response is not None:
            response.close()
        connection.close()


def fetch_pending(session: Session, store, *, allow_private: bool = False, limit: int = 20) -> tuple[int, int]:
    """Fetch up to ``limit`` recorded URLs, each in its own transaction; returns (stored, failed)."""
    stored = failed = 0
    for pending in catalog_imports.pending_images(session, limit):
        product = session.get(Product, pending.product_id)
        try:
            data = download(pending.url, allow_private=allow_private)
            with transaction(session):
                name = urlsplit(pending.url).path.rsplit("/", 1)[-1]
                product_images.add(session, None, product, data, store, filename=name)
                _done(session, pending, "")
            stored += 1
        except DomainError as error:
            session.rollback()
            with transaction(session):
                pending = session.get(ProductImageUrl, pending.id)
                _done(session, pending, error.message, failed=True)
            failed += 1
    return stored, failed


def _done(session: Session, pending: ProductImageUrl, error: str, *, failed: bool = False) -> None:
    pending.attempts += 1
    pending.error = error[:300]
    if not failed or pending.attempts >= MAX_ATTEMPTS:
        pending.fetched_at = shop_clock.of(session).now()
