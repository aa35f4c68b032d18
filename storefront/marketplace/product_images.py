"""Product images uploaded in the back office: checked by decoding them, resized, stored.

Why decode: a file's name and its declared type are whatever the uploader says; only Pillow
reading the pixels tells a JPEG, PNG or WebP from an SVG (scripts), an HTML page or a
polyglot. The decoded format must also match the name's extension, so a file that lies about
its type is refused rather than served. A decompression bomb (a small file of a gigantic image)
is refused from its header, before its pixels are decoded.

Each image is re-encoded (which also drops metadata such as GPS positions) as WebP in a display
size and a thumbnail, stored by a content-hash name through the store the caller hands in
(``storefront.media.FolderStore``), and recorded on the product with an audit entry.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from . import operator_audit
from .errors import InvalidValue, NotFound
from .models import Product, ProductImage, User
from .refusals import Refusal
from .unit_of_work import atomic

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_IMAGES = 12
DISPLAY_SIZE = (1200, 1200)
THUMBNAIL_SIZE = (320, 320)
FORMATS = {"JPEG": {"jpg", "jpeg"}, "PNG": {"png"}, "WEBP": {"webp"}}


@dataclass(frozen=True)
class Prepared:
    display: bytes
    thumbnail: bytes
    digest: str
    width: int
    height: int


def prepare(data: bytes, filename: str = "") -> Prepared:
    """Check ``data`` by decoding it and return its two WebP sizes; :class:`InvalidValue` for
    anything that is not a JPEG, PNG or WebP of sensible size, or whose name claims another type."""
    if len(data) > MAX_BYTES:
        raise InvalidValue(f"an image is at most {MAX_BYTES} bytes", reason=Refusal.IMAGE_TOO_BIG, field="image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                kind = image.format
                if image.width * image.height > MAX_PIXELS:
                    raise InvalidValue("the image has too many pixels", reason=Refusal.IMAGE_TOO_MANY_PIXELS,
                                       field="image")
                extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
                if extension and extension not in FORMATS.get(kind, set()):
                    raise InvalidValue(f"the file is named .{extension} but is a {kind}",
                                       reason=Refusal.IMAGE_MISMATCH, field="image")
                image.load()  # decodes every pixel: a truncated or corrupt file fails here
                picture = ImageOps.exif_transpose(image)
                picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidValue("the image has too many pixels", reason=Refusal.IMAGE_TOO_MANY_PIXELS,
                           field="image") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InvalidValue(f"not a JPEG, PNG or WebP image ({error})", reason=Refusal.IMAGE_TYPE,
                           field="image") from None
    return Prepared(
        display=_webp(picture, DISPLAY_SIZE),
        thumbnail=_webp(picture, THUMBNAIL_SIZE),
        digest=hashlib.sha256(data).hexdigest()[:32],
        width=picture.width,
        height=picture.height,
    )


@atomic
def add(session: Session, actor: User, product: Product, data: bytes, store, *, filename: str = "",
        alt: str = "") -> ProductImage:
    """Check, resize and store an uploaded image, then add it after the product's others."""
    if len(product.images) >= MAX_IMAGES:
        raise InvalidValue(f"a product has at most {MAX_IMAGES} images", reason=Refusal.IMAGE_COUNT, field="image")
    prepared = prepare(data, filename)
    image = ProductImage(
        url=store.save(f"products/{prepared.digest}-display.webp", prepared.display),
        thumbnail_url=store.save(f"products/{prepared.digest}-thumb.webp", prepared.thumbnail),
        alt=" ".join((alt or product.title).replace("\x00", "").split())[:250],
        position=max((i.position for i in product.images), default=-1) + 1,
    )
    product.images.append(image)
    session.flush()
    operator_audit.record(session, actor, "product.image_added", product,
                          after={"image": image.url, "size": f"{prepared.width}x{prepared.height}"},
                          summary=product.title)
    return image


@atomic
def remove(session: Session, actor: User, product: Product, image_id: int) -> None:
    """Take an image off the product. Its files stay: another product may use the same bytes,
    and a page cached a minute ago may still show it."""
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise NotFound(f"no image {image_id} on this product")
    product.images.remove(image)
    session.flush()
    operator_audit.record(session, actor, "product.image_removed", product, before={"image": image.url},
                          summary=product.title)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _webp(image: Image.Image, size: tuple[int, int]) -> bytes:
    copy = image.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)  # keeps the ratio, never enlarges
    out = io.BytesIO()
    copy.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()
