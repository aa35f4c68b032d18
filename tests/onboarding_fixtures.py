"""Files and answers for the seller-onboarding tests: real PNG, JPEG and PDF documents made on
the spot, and the hostile ones (a program named .pdf, an SVG with a script, a zip bomb, a PNG
announcing a gigapixel picture)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

from storefront.marketplace import onboarding, reference
from storefront.marketplace.models import DocumentKind

SIRET = "73282932000074"
VAT = "FR44732829320"
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def svg() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(document.cookie)</script></svg>")


def zip_bomb() -> bytes:
    """A few kilobytes that unpack to 100 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kbis.pdf", b"\0" * (100 * 1024 * 1024))
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header announcing width × height pixels, with a tiny compressed body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def categories(session) -> list[str]:
    """Maison > Électroménager, and Jardin: the categories a company may choose in tests."""
    from sqlalchemy import select

    from storefront.marketplace.models import Category

    existing = set(session.scalars(select(Category.code)))
    for code, label, parent in (("home", "Maison", None), ("appliances", "Électroménager", "home"),
                                ("garden", "Jardin", None)):
        if code not in existing:  # the order fixtures' shop has some already
            reference.create_category(session, code, label, parent_code=parent)
    session.commit()
    return ["home", "appliances", "garden"]


def answers(**changes) -> onboarding.ApplicationData:
    values = dict(
        shop_name="La Belle Épicerie", legal_name="Belle Épicerie SAS", country="FR", siret=SIRET,
        vat_number=VAT, address="12 rue des Lilas", postal_code="69003", city="Lyon",
        contact_name="Hélène Garnier", contact_email="helene@epicerie.example.com",
        contact_phone="+33 4 78 00 00 00", categories=["home"], iban=IBAN,
    )
    values.update(changes)
    return onboarding.ApplicationData(**values)


def documents() -> list[onboarding.Upload]:
    return [
        onboarding.Upload(DocumentKind.IDENTITY, jpeg(), "carte-identite.jpg"),
        onboarding.Upload(DocumentKind.KBIS, pdf(), "kbis.pdf"),
        onboarding.Upload(DocumentKind.BANK, png(), "rib.png"),
    ]
