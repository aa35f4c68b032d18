"""The operator's category and product imports (storefront/marketplace/catalog_imports.py): the
category file (values, tree, attributes; cycles refused), the product file (mapping of source
categories kept and reused, excluded categories skipped, REQUIRED refused, RECOMMENDED warned,
update by GTIN, image URLs recorded), in every format, through the real services."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.jobs.imports import run_data_import
from storefront.marketplace import catalog_imports, data_imports, offer_imports, reference
from storefront.marketplace import clock as shop_clock
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.import_files import FileRefused
from storefront.marketplace.models import (
    Attribute,
    Category,
    CategoryAttribute,
    DataImport,
    ImportCategoryMapping,
    ImportKind,
    ImportLevel,
    ImportStatus,
    Product,
    ProductImageUrl,
    RequirementLevel,
    ValueList,
)
from tests import factories
from tests.imports.helpers import csv_bytes, jsonl_bytes, storage, xlsx_bytes

CATEGORY_HEADERS = ["type", "code", "parent", "label_fr", "label_en", "category", "attribute", "requirement", "list"]


def run_file(session, kind, data: bytes, store, name="file.csv", batch_size=catalog_imports.BATCH_SIZE):
    record, to_run = catalog_imports.submit(session, kind, io.BytesIO(data), storage=store, file_name=name,
                                            source="CLI")
    if to_run:
        record = catalog_imports.run(session, record.id, storage=store, batch_size=batch_size)
    return record


def report(session, record):
    return [(e.line, e.key, e.field, e.code, e.level) for e in offer_imports.errors_of(session, record)]


def category(session, code):
    return session.scalar(select(Category).where(Category.code == code))


def test_a_category_file_builds_lists_tree_and_attributes(session, tmp_path):
    rows = [
        CATEGORY_HEADERS,
        ["value", "RED", "", "Rouge", "Red", "", "", "", "paint"],
        ["value", "BLUE", "", "Bleu", "Blue", "", "", "", "paint"],
        # A child before its parent: applied once the parent is there.
        ["category", "brushes", "diy", "Pinceaux", "Brushes", "", "", "", ""],
        ["category", "diy", "", "Bricolage", "DIY", "", "", "", ""],
        ["attribute", "", "", "Teinte", "Shade", "brushes", "shade", "REQUIRED", "paint"],
        ["attribute", "", "", "Largeur", "Width", "diy", "width_mm", "recommandé", ""],
    ]
    record = run_file(session, ImportKind.CATEGORIES, csv_bytes(rows), storage(tmp_path))
    assert record.status == ImportStatus.COMPLETE, record.error
    assert report(session, record) == []
    assert (record.rows_read, record.created_count, record.refused_count) == (6, 6, 0)
    brushes = category(session, "brushes")
    assert (brushes.parent.code, brushes.label, brushes.label_en, brushes.level) == ("diy", "Pinceaux", "Brushes", 2)
    paint = session.scalar(select(ValueList).where(ValueList.code == "paint"))
    assert [(i.code, i.label_en) for i in paint.items] == [("RED", "Red"), ("BLUE", "Blue")]
    links = {(link.category.code, link.attribute.code): link.requirement
             for link in session.scalars(select(CategoryAttribute))}
    assert links == {("brushes", "shade"): RequirementLevel.REQUIRED, ("diy", "width_mm"): RequirementLevel.RECOMMENDED}
    assert session.scalar(select(Attribute).where(Attribute.code == "shade")).value_list_id == paint.id

    # The same tree again with a label changed and a requirement lowered: updated, nothing doubled.
    rows[4][3] = "Bricolage et peinture"
    rows[5][7] = "OPTIONAL"
    again = run_file(session, ImportKind.CATEGORIES, xlsx_bytes(rows), storage(tmp_path), name="tree.xlsx")
    assert (again.created_count, again.updated_count, again.refused_count) == (0, 2, 0), report(session, again)
    assert category(session, "diy").label == "Bricolage et peinture"
    assert session.scalar(select(CategoryAttribute.requirement).join(Attribute).where(
        Attribute.code == "shade")) == RequirementLevel.OPTIONAL


def test_a_cycle_in_the_category_file_is_refused(session, tmp_path):
    factories.category_tree(session)  # home > appliances > washers
    rows = [
        CATEGORY_HEADERS,
        ["category", "a", "b", "A", "", "", "", "", ""],
        ["category", "b", "a", "B", "", "", "", "", ""],
        ["category", "orphan", "nowhere", "Orpheline", "", "", "", "", ""],
        # Moving home under its own grandchild: category_tree.move refuses it.
        ["category", "home", "washers", "Maison", "Home", "", "", "", ""],
        ["category", "fine", "home", "Très bien", "", "", "", "", ""],
        ["wat", "x", "", "", "", "", "", "", ""],
    ]
    record = run_file(session, ImportKind.CATEGORIES, csv_bytes(rows), storage(tmp_path))
    assert record.status == ImportStatus.COMPLETE
    assert sorted((line, code) for line, _k, _f, code, _l in report(session, record)) == [
        (2, "category_cycle"), (3, "category_cycle"), (4, "import_unknown_parent"), (5, "category_cycle"),
        (7, "import_row_type")]
    assert (record.created_count, record.refused_count) == (1, 5)
    assert category(session, "a") is None and category(session, "home").parent_id is None
    assert category(session, "fine").parent.code == "home"


def _products_shop(session):
    factories.category_tree(session)
    reference.create_category(session, "dryers", "Sèche-linge", parent_code="appliances")
    washers, dryers = category(session, "washers"), category(session, "dryers")
    return washers, dryers


PRODUCT_HEADERS = ["ean", "titre", "marque", "description", "catégorie", "images", "colour", "capacity_kg"]


def test_a_product_file_follows_the_saved_mapping_and_its_requirements(session, tmp_path):
    washers, dryers = _products_shop(session)
    existing = factories.product(session, title="Ancien titre", attributes={"colour": "WHITE", "capacity_kg": 8})
    new1, new2, new3, new4 = (factories.gtin() for _ in range(4))
    rows = [
        PRODUCT_HEADERS,
        [new1, "Lave-linge A", "Bosch", "Silencieux", "LL", "https://cdn.example.com/a.jpg|https://cdn.example.com/b.png",
         "WHITE", "9"],
        [new2, "Lave-linge B", "", "", "LL", "", "BLACK", ""],  # RECOMMENDED capacity missing: a warning
        [new3, "Lave-linge C", "", "", "LL", "", "", "7"],  # REQUIRED colour missing: refused
        [existing.gtin, "Nouveau titre", "", "", "LL", "", "", "10"],  # update: colour kept
        [new4, "Sèche-linge", "", "", "SL", "", "", ""],  # not mapped yet: skipped
        ["123", "Jouet", "", "", "JOUETS", "", "", ""],  # excluded: skipped
        [new1, "Doublon", "", "", "LL", "", "WHITE", "9"],  # the same GTIN again: refused
    ]
    catalog_imports.save_mapping(session, [("LL", washers.id, True), ("JOUETS", None, False)])
    store = storage(tmp_path)
    record = run_file(session, ImportKind.PRODUCTS, csv_bytes(rows), store, batch_size=3)
    assert record.status == ImportStatus.COMPLETE, record.error
    lines = report(session, record)
    assert (3, new2, "attributes", "import_recommended", ImportLevel.WARNING) in lines
    assert (4, new3, "colour", "attribute_required", ImportLevel.ERROR) in lines
    assert (6, new4, "category", "import_unmapped", ImportLevel.SKIPPED) in lines
    assert (7, "123", "category", "import_excluded", ImportLevel.SKIPPED) in lines
    assert (8, new1, "gtin", "import_duplicate_key", ImportLevel.ERROR) in lines
    assert (record.rows_read, record.created_count, record.updated_count, record.refused_count,
            record.warning_count, record.skipped_count) == (7, 2, 1, 2, 1, 2)
    a = session.scalar(select(Product).where(Product.gtin == new1))
    assert (a.title, a.brand.name, a.category.code) == ("Lave-linge A", "Bosch", "washers")
    assert session.scalar(select(Product).where(Product.gtin == new3)) is None
    session.refresh(existing)
    values = {v.attribute.code: v for v in existing.attribute_values}
    assert existing.title == "Nouveau titre" and values["colour"].item.code == "WHITE"
    assert values["capacity_kg"].number_value == 10
    assert [u.url for u in session.scalars(select(ProductImageUrl).where(ProductImageUrl.product_id == a.id)
                                           .order_by(ProductImageUrl.position))] == [
        "https://cdn.example.com/a.jpg", "https://cdn.example.com/b.png"]
    # The source category first seen is listed, unmapped, for the operator, with its lines.
    seen = {m.source: (m.category_id, m.rows_seen) for m in catalog_imports.mappings(session)}
    assert seen == {"SL": (None, 1), "LL": (washers.id, 5), "JOUETS": (None, 1)}

    # The operator maps SL; the same file again uses both saved choices, and updates by GTIN.
    catalog_imports.save_mapping(session, [("SL", dryers.id, True)])
    again = run_file(session, ImportKind.PRODUCTS, csv_bytes(rows), store)
    assert again.id == record.id and again.status == ImportStatus.COMPLETE
    assert (again.created_count, again.updated_count, again.skipped_count) == (1, 3, 1), report(session, again)
    assert session.scalar(select(Product.category_id).where(Product.gtin == new4)) == dryers.id
    assert session.scalar(select(Product.id).where(Product.gtin == "123")) is None
    assert session.scalar(select(ProductImageUrl.id).where(ProductImageUrl.product_id == a.id)
                          .order_by(ProductImageUrl.id.desc()).limit(1)) is not None
    assert len(list(session.scalars(select(ProductImageUrl)))) == 2  # recorded once


def test_products_in_jsonl_and_xlsx(session, tmp_path):
    washers, _ = _products_shop(session)
    catalog_imports.save_mapping(session, [("Lave-linge", washers.id, True)])
    one, two = factories.gtin(), factories.gtin()
    jsonl = jsonl_bytes([{"gtin": one, "title": "JSON", "category": "Lave-linge", "colour": "BLACK", "capacity_kg": 8}])
    record = run_file(session, "PRODUCTS", jsonl, storage(tmp_path), name="p.jsonl")
    assert (record.status, record.created_count, record.warning_count) == (ImportStatus.COMPLETE, 1, 0)
    xlsx = xlsx_bytes([["GTIN", "Title", "Category", "colour", "capacity_kg", "images"],
                       [two, "XLSX", "Lave-linge", "WHITE", 9.5, "ftp://nope"]])
    record = run_file(session, "PRODUCTS", xlsx, storage(tmp_path), name="p.xlsx")
    assert report(session, record) == [(2, two, "images", "import_image_url", ImportLevel.ERROR)]
    assert session.scalar(select(Product.id).where(Product.gtin == two)) is None


def test_a_file_without_the_needed_columns_is_refused_and_nothing_recorded(session, tmp_path):
    with pytest.raises(FileRefused) as refused:
        catalog_imports.submit(session, "PRODUCTS", io.BytesIO(csv_bytes([["sku", "price"], ["A", "1"]])),
                               storage=storage(tmp_path))
    assert refused.value.details["reason"] == "import_columns"
    with pytest.raises(InvalidValue):
        catalog_imports.submit(session, "OFFERS", io.BytesIO(b"x"), storage=storage(tmp_path))
    assert session.scalar(select(DataImport.id)) is None


def test_save_mapping_refuses_an_unknown_category(session):
    with pytest.raises(InvalidValue):
        catalog_imports.save_mapping(session, [("X", 999_999, True)])
    assert session.scalar(select(ImportCategoryMapping.id)) is None


def test_a_lost_or_killed_catalog_import_is_picked_up_by_the_sweep(session, tmp_path):
    store = storage(tmp_path)
    rows = [["type", "code", "label_fr"], ["category", "garden", "Jardin"]]
    record, to_run = catalog_imports.submit(session, "CATEGORIES", io.BytesIO(csv_bytes(rows)), storage=store)
    assert to_run and record.status == ImportStatus.QUEUED
    later = shop_clock.of(session).now() + timedelta(minutes=11)
    assert data_imports.stalled(session, later) == [record.id]  # one sweep for every kind
    assert run_data_import.call_local(record.id) == "COMPLETE"
    assert category(session, "garden") is not None
