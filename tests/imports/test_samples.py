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


def test_status_sample_applies_to_the_test_shops_orders(session, tmp_path):
    """docs/samples/statuses.csv on two orders of the test shop's seller alpha, given the sample's
    numbers: every row applies (acceptance, refusal, two parcels)."""
    from storefront.marketplace import status_imports
    from storefront.marketplace.models import SellerOrderState
    from tests.order_fixtures import build_people, part_of, place

    people = build_people(session)
    shop = people.shop
    first_order = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1))
    second_order = place(session, people.customer, (shop.offers["alpha"], 1))
    first, second = part_of(first_order, shop.alpha), part_of(second_order, shop.alpha)
    first.number, second_order.number, second.number = "SF-261201-S4MP1-A", "SF-261201-S4MP2", "SF-261201-S4MP2-A"
    session.commit()
    store = storage(tmp_path)
    with (SAMPLES / "statuses.csv").open("rb") as sample:
        record, _ = status_imports.submit(session, shop.alpha, sample, storage=store, source="CLI")
    record = status_imports.run(session, record.id, storage=store)
    assert record.status == ImportStatus.COMPLETE, record.error
    assert [(e.line, e.message) for e in status_imports.data_imports.errors_of(session, record)] == []
    assert (record.rows_read, record.updated_count, record.refused_count) == (5, 5, 0)
    session.expire_all()
    assert (first.state, second.state) == (SellerOrderState.SHIPPED, SellerOrderState.SHIPPED)


def test_the_documentation_names_every_status_field():
    from storefront.marketplace import status_imports

    text = (PROJECT_ROOT / "docs" / "imports.md").read_text(encoding="utf-8")
    for field in status_imports.FIELDS:
        assert f"`{field}`" in text, field
    for word in ("flask --app app import statuses", "/api/v1/orders/imports", "samples/statuses.csv"):
        assert word in text, word
