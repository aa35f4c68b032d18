"""The catalog team imports a catalog in the back office (issue 14): the category tree file
(docs/samples/categories.csv), then a product file whose categories are the source system's;
its lines are skipped until the operator maps "Lavage > Lave-linge" to the shop's washing
machines (and leaves the fridges out), runs the import again and sees it complete with its
counts and the line refused for its missing REQUIRED colour; the product is then in the back
office's product list and on the shop's product page. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront import PROJECT_ROOT
from storefront.marketplace import accounts
from storefront.marketplace.models import OperatorRole, Product, Role
from tests import factories
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in
from tests.order_fixtures import PASSWORD

pytestmark = pytest.mark.browser


def upload(page, kind: str, path) -> None:
    form = page.get_by_test_id("catalog-import-form")
    form.locator('select[name="kind"]').select_option(kind)
    form.locator('input[name="file"]').set_input_files(str(path))
    page.get_by_test_id("catalog-import-submit").click()
    expect(page.get_by_test_id("catalog-import-progress")).to_have_attribute("data-status", "COMPLETE",
                                                                              timeout=15_000)


def test_the_catalog_team_imports_categories_and_products(live_server, browser_page, session, tmp_path):
    factories.retailer(session)  # the shop's own seller: the product page needs it, as in production
    operator = accounts.create_user(session, "catalogue@staff.example.com", PASSWORD, role=Role.OPERATOR,
                                    operator_role=OperatorRole.CATALOG)
    session.commit()
    washer, top_loader, fridge = factories.gtin(), factories.gtin(), factories.gtin()
    products = tmp_path / "produits-pim.csv"
    products.write_text(
        "gtin;titre;marque;description;catégorie;couleur;capacite_kg\n"
        f"{washer};Lave-linge hublot Atlas 9 kg;Atlas;Essorage 1 400 tr/min, classe A.;Lavage > Lave-linge;WHITE;9\n"
        f"{top_loader};Lave-linge top Candy 7 kg;Candy;Chargement par le dessus.;Lavage > Lave-linge;;7\n"
        f"{fridge};Réfrigérateur combiné 300 L;Beko;Froid ventilé.;Froid > Réfrigérateurs;STEEL;\n",
        encoding="utf-8",
    )
    page = browser_page
    log_in(page, live_server, operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-catalog_imports").click()
    expect(page.locator("h1")).to_have_text("Imports catalogue")
    assert_french(page)
    shoot(page, "backoffice-catalog-imports")

    # The category tree, its attributes and value lists.
    upload(page, "CATEGORIES", PROJECT_ROOT / "docs" / "samples" / "categories.csv")
    expect(page.get_by_test_id("import-refused")).to_have_text("0")
    expect(page.get_by_test_id("import-created")).to_have_text("10")
    expect(page.get_by_test_id("import-errors")).to_have_count(0)

    # The product file: its categories are not mapped yet, every line is skipped.
    page.get_by_role("link", name="Imports catalogue").first.click()
    upload(page, "PRODUCTS", products)
    expect(page.get_by_test_id("import-skipped")).to_have_text("3")
    expect(page.get_by_test_id("import-created")).to_have_text("0")
    expect(page.get_by_test_id("import-skipped-help")).to_be_visible()
    import_url = page.url

    # Washing machines go to the shop's; the fridges are not imported.
    page.get_by_test_id("import-skipped-help").get_by_role("link").click()
    washers = page.locator('[data-testid="category-mapping-row"][data-source="Lavage > Lave-linge"]')
    fridges = page.locator('[data-testid="category-mapping-row"][data-source="Froid > Réfrigérateurs"]')
    expect(washers).to_have_attribute("data-mapped", "no")
    washers.locator("select").select_option(label="— — Lave-linge")
    fridges.locator('input[type="checkbox"]').uncheck()
    page.get_by_test_id("category-mapping-save").click()
    expect(page.locator(".flash--success")).to_contain_text("La correspondance des catégories est enregistrée")
    expect(washers).to_have_attribute("data-mapped", "yes")
    expect(fridges.locator('input[type="checkbox"]')).not_to_be_checked()
    assert_french(page)
    shoot(page, "backoffice-catalog-import-mapping")

    # The import again: one product created, one refused for its missing colour, the fridge skipped.
    page.goto(import_url)
    page.get_by_test_id("import-again").click()
    progress = page.get_by_test_id("catalog-import-progress")
    expect(progress).to_have_attribute("data-status", "COMPLETE", timeout=15_000)
    expect(page.get_by_test_id("import-status")).to_have_text("Terminé")
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    expect(page.get_by_test_id("import-refused")).to_have_text("1")
    expect(page.get_by_test_id("import-skipped")).to_have_text("1")
    refused = page.locator('[data-testid="import-error-row"][data-level="ERROR"]')
    expect(refused).to_have_count(1)
    expect(refused).to_have_attribute("data-line", "3")
    expect(refused).to_contain_text(top_loader)
    expect(refused.get_by_test_id("import-error-field")).to_have_text("couleur")  # which attribute
    expect(refused).to_contain_text("obligatoire")
    expect(page.locator('[data-testid="import-error-row"][data-level="SKIPPED"]')).to_contain_text(fridge)
    assert_french(page)
    shoot(page, "backoffice-catalog-import-complete")
    page.get_by_role("link", name="Imports catalogue").first.click()
    rows = page.get_by_test_id("catalog-import-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("produits-pim.csv")
    expect(rows.nth(1)).to_contain_text("categories.csv")
    assert_french(page)
    shoot(page, "backoffice-catalog-imports-list")

    # The product is in the back office's list and on the shop.
    page.get_by_test_id("nav-products").click()
    row = page.get_by_test_id("product-row").filter(has_text="Lave-linge hublot Atlas 9 kg")
    expect(row).to_have_count(1)
    expect(page.get_by_test_id("product-row").filter(has_text="Candy")).to_have_count(0)
    shoot(page, "backoffice-catalog-import-products")
    product = session.scalar(select(Product).where(Product.gtin == washer))
    assert product is not None and session.scalar(select(Product).where(Product.gtin == top_loader)) is None
    page.goto(f"{live_server}/p/{product.id}/{product.slug}")
    expect(page.locator("h1")).to_have_text("Lave-linge hublot Atlas 9 kg")
    expect(page.locator("main")).to_contain_text("Atlas")
    expect(page.locator("main")).to_contain_text("Blanc")  # its colour, from the file's value code
    assert_french(page)
    shoot(page, "catalog-import-product-page")
