"""The back office's catalog imports: upload a category file and a product file (run by the
worker's job), the mapping of the files' categories (kept, then used by "run again"), the report;
the catalog role may, customer service may not."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from storefront.marketplace import catalog_imports
from storefront.marketplace.models import (
    Category,
    DataImport,
    ImportCategoryMapping,
    ImportKind,
    ImportStatus,
    OperatorRole,
    Product,
)
from tests import factories
from tests.imports.helpers import csv_bytes
from tests.order_fixtures import html_text


@pytest.fixture
def catalog_staff(staff_of):
    return staff_of(OperatorRole.CATALOG)


def _upload(visitor, kind: str, data: bytes, name="file.csv"):
    return visitor.post("/backoffice/catalog/imports", {"kind": kind, "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def test_catalog_staff_import_categories_then_products_with_the_mapping(session, catalog_staff, count_queries):
    page = catalog_staff.page("/backoffice/catalog/imports")
    assert 'data-testid="catalog-import-form"' in page and 'data-testid="nav-catalog_imports"' in page
    tree = csv_bytes([["type", "code", "parent", "label_fr", "label_en"],
                      ["category", "dishwashers", "appliances", "Lave-vaisselle", "Dishwashers"]])
    response = _upload(catalog_staff, "CATEGORIES", tree, "arbre.csv")
    assert response.status_code == 302
    record = session.scalar(select(DataImport).where(DataImport.kind == ImportKind.CATEGORIES))
    session.refresh(record)
    assert record.status == ImportStatus.COMPLETE and record.created_count == 1  # the worker's job ran it
    dishwashers = session.scalar(select(Category).where(Category.code == "dishwashers"))
    assert dishwashers.parent.code == "appliances"

    gtin = factories.gtin()
    products = csv_bytes([["gtin", "title", "category", "colour"], [gtin, "Lave-vaisselle 12 couverts", "LV", "WHITE"]])
    response = _upload(catalog_staff, "PRODUCTS", products, "produits.csv")
    record = session.scalar(select(DataImport).where(DataImport.kind == ImportKind.PRODUCTS))
    assert response.headers["Location"].endswith(f"/backoffice/catalog/imports/{record.id}")
    session.refresh(record)
    assert (record.created_count, record.skipped_count) == (0, 1)
    detail = catalog_staff.page(f"/backoffice/catalog/imports/{record.id}")
    assert 'data-testid="import-skipped-help"' in detail and "LV" in html_text(detail)
    fragment = catalog_staff.client.get(f"/backoffice/catalog/imports/{record.id}", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith("<section") and "HX-Request" in fragment.headers["Vary"]
    report = catalog_staff.get(f"/backoffice/catalog/imports/{record.id}/errors.csv")
    assert report.mimetype == "text/csv" and f"2;{gtin};category;SKIPPED;" in report.get_data(as_text=True)

    # The mapping page lists LV, unmapped; the operator maps it (an unknown id keeps the form).
    mapping = catalog_staff.page("/backoffice/catalog/imports/categories")
    row = session.scalar(select(ImportCategoryMapping).where(ImportCategoryMapping.source == "LV"))
    assert 'data-source="LV" data-mapped="no"' in mapping
    bad = catalog_staff.post("/backoffice/catalog/imports/categories",
                             {f"category-{row.id}": "99999999", f"include-{row.id}": "1"})
    assert bad.status_code == 422 and 'value="99999999"' not in bad.get_data(as_text=True)
    saved = catalog_staff.post("/backoffice/catalog/imports/categories",
                               {f"category-{row.id}": str(dishwashers.id), f"include-{row.id}": "1",
                                "source": "Réfrigération"})
    assert saved.status_code == 302
    session.refresh(row)
    assert (row.category_id, row.included) == (dishwashers.id, True)
    assert session.scalar(select(ImportCategoryMapping).where(ImportCategoryMapping.source == "Réfrigération"))

    again = catalog_staff.post(f"/backoffice/catalog/imports/{record.id}/again")
    assert again.status_code == 302
    session.refresh(record)
    assert (record.status, record.created_count, record.skipped_count) == (ImportStatus.COMPLETE, 1, 0)
    assert session.scalar(select(Product.category_id).where(Product.gtin == gtin)) == dishwashers.id
    listed = html_text(catalog_staff.page("/backoffice/catalog/imports"))
    assert "produits.csv" in listed and "arbre.csv" in listed
    # The lists' queries do not grow with their rows.
    with count_queries() as few:
        catalog_staff.get("/backoffice/catalog/imports")
        catalog_staff.get("/backoffice/catalog/imports/categories")
    for n in range(5):
        catalog_imports.save_mapping(session, [(f"Source {n}", dishwashers.id, True)])
        _upload(catalog_staff, "CATEGORIES", csv_bytes([["type", "code", "label_fr"], ["category", f"c{n}", "C"]]))
    with count_queries() as many:
        catalog_staff.get("/backoffice/catalog/imports")
        catalog_staff.get("/backoffice/catalog/imports/categories")
    assert len(many) == len(few)


def test_a_bad_file_is_refused_on_the_form(session, catalog_staff):
    bad = _upload(catalog_staff, "PRODUCTS", csv_bytes([["sku", "price"], ["A", "1"]]))
    assert bad.status_code == 422 and "gtin, category" in html_text(bad.get_data(as_text=True))
    none = catalog_staff.post("/backoffice/catalog/imports", {"kind": "PRODUCTS"}, content_type="multipart/form-data")
    assert none.status_code == 422
    assert session.scalar(select(DataImport.id)) is None
    assert catalog_staff.get("/backoffice/catalog/imports/424242").status_code == 404


def test_customer_service_may_not_import(session, staff_of):
    support = staff_of(OperatorRole.SUPPORT)
    for path in ("/backoffice/catalog/imports", "/backoffice/catalog/imports/categories"):
        assert support.get(path).status_code == 403, path
    assert _upload(support, "CATEGORIES", b"type;code\r\ncategory;x\r\n").status_code == 403
    assert session.scalar(select(DataImport.id)) is None
