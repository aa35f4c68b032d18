"""``flask import categories`` and ``flask import products``: the samples of docs/samples import
cleanly through the command line (categories first, then the products with their categories
mapped), and a file with refused lines exits 1 with the error report's path."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storefront import PROJECT_ROOT
from storefront.marketplace import catalog_imports
from storefront.marketplace.models import (
    Category,
    DataImport,
    ImportCategoryMapping,
    ImportSource,
    ImportStatus,
    Product,
    ProductImageUrl,
)
from tests.imports.helpers import csv_bytes

SAMPLES = PROJECT_ROOT / "docs" / "samples"


def test_the_samples_import_cleanly_from_the_command_line(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "categories", str(SAMPLES / "categories.csv")])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "created 10" in result.output and "refused 0" in result.output
    fridges = session.scalar(select(Category).where(Category.code == "refrigerateurs"))
    assert fridges.parent.code == "electromenager" and fridges.label_en == "Fridges"

    result = runner.invoke(args=["import", "products", str(SAMPLES / "products.csv"),
                                 "--map", "Lavage > Lave-linge=lave-linge",
                                 "--map", "Froid > Réfrigérateurs=refrigerateurs"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "created 3" in result.output and "warnings 0" in result.output and "skipped 0" in result.output
    assert "Error report" not in result.output
    record = session.scalar(select(DataImport).order_by(DataImport.id.desc()).limit(1))
    assert (record.status, record.source, record.refused_count) == (ImportStatus.COMPLETE, ImportSource.CLI, 0)
    assert session.scalar(select(func.count(Product.id))) == 3
    assert session.scalar(select(func.count(ProductImageUrl.id))) == 3
    # The mapping is kept for the next files.
    assert {m.source: m.category.code if m.category_id else None for m in catalog_imports.mappings(session)
            if m.category_id} == {"Lavage > Lave-linge": "lave-linge", "Froid > Réfrigérateurs": "refrigerateurs"}


def test_refused_lines_exit_1_with_the_report(app, session, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import", "categories", str(SAMPLES / "categories.csv")]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["gtin", "title", "category", "couleur"],
                               ["3701234500010", "Sans couleur", "LL", ""],
                               ["3701234500027", "Hors catalogue", "AUTRE", "WHITE"]]))
    result = runner.invoke(args=["import", "products", str(bad), "--map", "LL=lave-linge", "--exclude", "AUTRE"])
    assert result.exit_code == 1, (result.output, result.exception)
    path = Path(result.output.split("Error report: ")[1].split()[0])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "line;key;field;level;message"
    assert lines[1].startswith("2;3701234500010;couleur;ERROR;")
    assert lines[2].startswith("3;3701234500027;category;SKIPPED;")
    assert session.scalar(select(ImportCategoryMapping.included).where(ImportCategoryMapping.source == "AUTRE")) is False

    result = runner.invoke(args=["import", "products", str(bad), "--map", "LL=nowhere"])
    assert result.exit_code == 1 and "Error" in result.output
    cycle = tmp_path / "cycle.csv"
    cycle.write_bytes(csv_bytes([["type", "code", "parent", "label_fr"], ["category", "maison", "lave-linge", "Maison"]]))
    result = runner.invoke(args=["import", "categories", str(cycle)])
    assert result.exit_code == 1 and "Error report: " in result.output


def test_the_documentation_names_every_column_of_both_files():
    text = (PROJECT_ROOT / "docs" / "imports.md").read_text(encoding="utf-8")
    section = text[text.index("## Catalog and category imports"):text.index("## Order export")]
    for field in {*catalog_imports.PRODUCT_ALIASES.values(), *catalog_imports.CATEGORY_ALIASES.values()}:
        assert f"`{field}`" in section, field
    assert "categories.csv" in section and "products.csv" in section
