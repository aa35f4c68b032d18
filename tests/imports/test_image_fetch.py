"""Image URLs recorded by a product import, fetched by the worker's job from a loopback HTTP
server: a PNG is stored (decoded, resized) on the product, also behind a redirect; a page that is
not an image, endless redirects, a redirect to another scheme and an image too big are refused; a
private address is refused unless allowed."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from sqlalchemy import select

from storefront.marketplace import image_fetch
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import ProductImage, ProductImageUrl
from storefront.media import FolderStore
from tests import factories


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


REDIRECTS = {"/redirect.png": "/a.png", "/loop.png": "/loop.png", "/ftp.png": "ftp://127.0.0.1/a.png"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/a.png":
            body, kind = png(), "image/png"
        elif self.path == "/fake.png":
            body, kind = b"<script>alert(1)</script>", "image/png"
        elif self.path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[self.path])
            self.end_headers()
            return
        else:
            body, kind = b"<html></html>", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_the_worker_fetches_checks_and_stores_the_images(session, tmp_path, server):
    factories.category_tree(session)
    product = factories.product(session)
    for position, name in enumerate(("a.png", "fake.png", "redirect.png", "page.html", "loop.png", "ftp.png")):
        session.add(ProductImageUrl(product_id=product.id, url=f"{server}/{name}", position=position))
    session.commit()
    store = FolderStore(tmp_path / "media")
    assert image_fetch.fetch_pending(session, store, allow_private=True) == (2, 4)
    images = list(session.scalars(select(ProductImage).where(ProductImage.product_id == product.id)))
    assert len(images) == 2 and all(image.url.endswith("-display.webp") for image in images)
    assert all((tmp_path / "media" / image.url.removeprefix("/media/files/")).is_file() for image in images)
    errors = {u.url.rsplit("/", 1)[1]: (u.attempts, u.error, u.fetched_at is None)
              for u in session.scalars(select(ProductImageUrl))}
    assert errors["a.png"] == (1, "", False)
    assert errors["fake.png"][0] == 1 and "not a JPEG" in errors["fake.png"][1] and errors["fake.png"][2]
    assert errors["redirect.png"] == (1, "", False) and "text/html" in errors["page.html"][1]
    assert "more than 3 redirects" in errors["loop.png"][1] and "not an http(s) URL" in errors["ftp.png"][1]
    # Tried again on the next runs, then given up after three attempts.
    image_fetch.fetch_pending(session, store, allow_private=True)
    image_fetch.fetch_pending(session, store, allow_private=True)
    assert image_fetch.fetch_pending(session, store, allow_private=True) == (0, 0)
    assert all(u.fetched_at is not None for u in session.scalars(select(ProductImageUrl)))


def test_private_addresses_and_big_images_are_refused(server):
    with pytest.raises(InvalidValue) as refused:
        image_fetch.download(f"{server}/a.png")
    assert refused.value.details["reason"] == "private_address"
    with pytest.raises(InvalidValue) as refused:
        image_fetch.download(f"{server}/a.png", allow_private=True, max_bytes=100)
    assert refused.value.details["reason"] == "image_too_big"
    with pytest.raises(InvalidValue):
        image_fetch.download("file:///etc/passwd", allow_private=True)
    assert image_fetch.download(f"{server}/a.png", allow_private=True).startswith(b"\x89PNG")
