"""The catalog team at work in the back office (French): a new product in a category with its
required attribute, an image, an attribute changed, the product withdrawn from sale; then a
seller adds an offer in the portal. Screenshots at 1280 and 390 px of the product list, the
product form, the category tree and the portal's new-offer page."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.marketplace import listing
from storefront.marketplace.models import Offer, Product
from tests import factories, order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in

pytestmark = pytest.mark.browser
people = order_fixtures.people  # the fixture, for this module's tests


def test_the_catalog_team_creates_edits_and_withdraws_a_product(live_server, browser_page, session, people, tmp_path):
    photo = tmp_path / "lave-linge.jpg"
    Image.new("RGB", (1600, 1200), (40, 110, 190)).save(photo, "JPEG")
    gtin = factories.gtin()
    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-products").click()
    expect(page.get_by_test_id("product-table")).to_be_visible()
    assert_french(page)
    shoot(page, "backoffice-products")

    page.get_by_test_id("product-new").click()
    page.locator("#gtin").fill(gtin)
    page.locator("#title").fill("Lave-linge hublot Atlas 8 kg")
    page.locator("#brand").fill("Atlas")
    page.locator("#category").select_option(label="— — Lave-linge")
    # htmx brings the category's attribute inputs in (without JavaScript, a button does).
    colour = page.get_by_test_id("attribute-colour")
    expect(colour).to_contain_text("obligatoire")
    expect(page.get_by_test_id("attribute-capacity_kg")).to_contain_text("recommandé")
    expect(page.locator("#title")).to_have_value("Lave-linge hublot Atlas 8 kg")
    page.get_by_test_id("product-save").click()  # the required colour is missing
    expect(page.get_by_test_id("error-attr-colour")).to_have_text("Cet attribut est obligatoire dans cette catégorie.")
    page.locator("#attr-colour").select_option(label="Blanc")
    page.locator("#attr-capacity_kg").fill("8")
    page.get_by_test_id("product-save").click()
    expect(page.locator(".flash--success")).to_contain_text("Le produit est créé")

    page.locator("#image").set_input_files(str(photo))
    page.locator("#alt").fill("Lave-linge vu de face")
    page.get_by_test_id("image-upload").click()
    expect(page.get_by_test_id("product-image")).to_have_count(1)
    expect(page.get_by_test_id("product-image").locator("img")).to_have_js_property("naturalWidth", 320)

    page.locator("#attr-colour").select_option(label="Noir")
    page.get_by_test_id("product-save").click()
    expect(page.locator(".flash--success")).to_contain_text("Le produit est enregistré")
    expect(page.locator("#attr-colour")).to_have_value("BLACK")
    assert_french(page)
    shoot(page, "backoffice-product-form")

    page.get_by_test_id("product-deactivate").click()
    expect(page.get_by_test_id("product-state")).to_have_text("Retiré de la vente")
    product = session.scalar(select(Product).where(Product.gtin == gtin))
    session.refresh(product)
    assert product.active is False and product.images[0].thumbnail_url
    assert page.request.get(f"{live_server}/p/{product.id}/{product.slug}").status == 404

    page.goto(f"{live_server}/backoffice/")
    page.get_by_test_id("nav-categories").click()
    expect(page.get_by_test_id("category-node")).to_have_count(3)
    assert_french(page)
    shoot(page, "backoffice-category-tree")


def test_a_seller_adds_an_offer_that_shows_on_the_product_page(live_server, browser_page, session, people):
    fridge = people.shop.products["fridge"]
    listing.refresh(session)
    session.commit()
    page = browser_page
    log_in(page, live_server, people.alpha_staff.email)
    page.goto(f"{live_server}/seller/offers")
    page.get_by_test_id("offer-new").click()
    page.locator("#q").fill(fridge.title.split()[0])
    page.get_by_test_id("product-search-submit").click()
    page.get_by_test_id("product-match").filter(has_text=fridge.gtin).get_by_test_id("product-choose").click()
    expect(page.locator("#product")).to_have_value(str(fridge.id))
    page.locator("#price").fill("-3")
    page.locator("#stock").fill("4")
    page.locator("#condition").select_option("REFURBISHED")
    page.locator("#lead_time_days").fill("2")
    page.get_by_test_id("offer-save").click()
    expect(page.get_by_test_id("error-price")).to_be_visible()
    expect(page.locator("#stock")).to_have_value("4")
    assert_french(page)
    shoot(page, "seller-offer-new")
    page.locator("#price").fill("749,90")
    page.get_by_test_id("offer-save").click()
    expect(page.locator(".flash--success")).to_contain_text("est créée")
    offer = session.scalar(select(Offer).where(Offer.seller_id == people.shop.alpha.id, Offer.product_id == fridge.id))
    assert offer.price == 74990
    page.goto(f"{live_server}/p/{fridge.id}/{fridge.slug}")
    expect(page.locator("main")).to_contain_text("Alpha Maison")
