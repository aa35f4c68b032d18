"""KYC documents are what their content says, whatever their name: PDF, PNG or JPEG only,
5 MB at most, pictures decoded (and measured before) by Pillow."""

from __future__ import annotations

import os

import pytest

from storefront.marketplace import uploads
from storefront.marketplace.errors import InvalidValue
from tests import onboarding_fixtures as files


@pytest.mark.parametrize(("data", "kind"), [
    (files.png(), uploads.PNG), (files.jpeg(), uploads.JPEG), (files.pdf(), uploads.PDF),
])
def test_documents_are_accepted_by_their_content(data, kind):
    assert uploads.check(data, "scan").content_type == kind


def test_a_png_named_pdf_is_a_png():
    checked = uploads.check(files.png(), "kbis.pdf")
    assert checked.content_type == uploads.PNG and checked.extension == "png"
    assert checked.original_name == "kbis.pdf"


@pytest.mark.parametrize(("data", "reason"), [
    (files.exe(), "unsupported"),
    (files.svg(), "unsupported"),
    (files.zip_bomb(), "unsupported"),
    (files.png_bomb(), "too_many_pixels"),
    (files.png_bomb(8000, 6000), "too_many_pixels"),  # 48 Mpx: under Pillow's own limit, over ours
    (files.png()[:60], "damaged"),  # starts like a PNG, then stops
    (b"\xff\xd8\xff" + b"not a jpeg" * 20, "damaged"),
    (b"", "empty"),
    (b"<html><script>alert(1)</script></html>", "unsupported"),
])
def test_anything_else_is_refused_with_its_reason(data, reason):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check(data, "kbis.pdf")
    assert refused.value.details["problem"] == reason


def test_an_oversized_file_is_refused_before_anything_else():
    data = files.pdf() + b"0" * uploads.MAX_BYTES
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check(data, "big.pdf")
    assert refused.value.details == {"problem": "too_large", "limit_mb": 5}


def test_the_read_stops_past_the_limit():
    import io

    assert len(uploads.read_limited(io.BytesIO(b"x" * (uploads.MAX_BYTES * 2)))) == uploads.MAX_BYTES + 1


def test_the_sender_name_is_kept_for_display_only():
    checked = uploads.check(files.pdf(), "../../etc/pass\0wd.pdf")
    assert checked.original_name == "passwd.pdf"


def test_stored_under_a_random_name_readable_by_the_shop_only(tmp_path):
    checked = uploads.check(files.png(), "rib.pdf")
    first, second = uploads.store(tmp_path / "kyc", checked), uploads.store(tmp_path / "kyc", checked)
    assert first != second and first.endswith(".png") and "rib" not in first
    path = uploads.path_of(tmp_path / "kyc", first)
    assert path.read_bytes() == checked.data
    assert os.stat(path).st_mode & 0o777 == 0o600
    uploads.remove(tmp_path / "kyc", first)
    uploads.remove(tmp_path / "kyc", first)  # twice: harmless
    assert not path.exists()


@pytest.mark.parametrize("name", ["../secret_key", "x.png", "/etc/passwd", "0" * 32 + ".svg"])
def test_only_names_it_made_are_read(tmp_path, name):
    with pytest.raises(InvalidValue):
        uploads.path_of(tmp_path, name)
