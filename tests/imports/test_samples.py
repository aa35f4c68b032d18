"""The sample files of docs/samples import cleanly on the test shop, and docs/imports.md names
every column the import reads."""

from __future__ import annotations

import pytest

from storefront import PROJECT_ROOT
from storefront.marketplace import offer_imports
from storefront.marketplace.models import ImportStatus
from tests import factories
from tests.imports.helpers import storage, submit_and_run

SAMPLES = PROJECT_ROOT / "docs" / "samples"


@pytest.mark.parametrize("name", ["offers.csv", "offers.xlsx", "offers.jsonl"])
def test_sample_imports_cleanly(session, tmp_path, mini_shop, name):
    for gtin in ("3701234000015", "3701234000022", "3701234000039"):
        factories.product(session, gtin=gtin, title=f"Produit {gtin}")
    record = submit_and_run(session, mini_shop.martin, (SAMPLES / name).read_bytes(), storage(tmp_path), name=name)
    assert record.status == ImportStatus.COMPLETE, record.error
    assert [(e.line, e.message) for e in offer_imports.errors_of(session, record)] == []
    assert (record.rows_read, record.created_count, record.refused_count) == (3, 3, 0)


def test_the_documentation_names_every_field_and_mode():
    text = (PROJECT_ROOT / "docs" / "imports.md").read_text(encoding="utf-8")
    for field in offer_imports.FIELDS:
        assert f"`{field}`" in text, field
    for word in ("NORMAL", "REPLACE", "IMPORT_MAX_BYTES", "flask --app app import offers", "/api/v1/offers/imports"):
        assert word in text, word
