"""The back office's catalog pages through the Flask client: products (list, create, edit,
images, withdraw), the category tree, value lists and brands; who may use them."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from storefront.marketplace import listing, reference
from storefront.marketplace.models import (
    Brand,
    Category,
    OperatorAuditEntry,
    OperatorRole,
    Product,
    ProductImage,
    ValueList,
)
from tests import factories, order_fixtures
from tests.order_fixtures import Visitor, audit_count, html_text

people = order_fixtures.people



@pytest.fixture
def catalog_staff(staff_of):
    return staff_of(OperatorRole.CATALOG)



def category(session, code) -> Category:
    return session.scalar(select(Category).where(Category.code == code))


def png(size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


# --- products ------------------------------------------------------------------------------------


def test_the_product_list_searches_filters_sorts_and_pages(session, people, catalog_staff, count_queries):
    washer = people.shop.products["washer"]
    page = catalog_staff.page("/backoffice/products")
    assert 'data-testid="product-table"' in page and 'aria-current="page"' in page
    assert html_text(page).count("Lave-linge") >= 1
    found = catalog_staff.page(f"/backoffice/products?q={washer.gtin}")
    assert found.count('data-testid="product-row"') == 1
    washers = category(session, "washers")
    filtered = catalog_staff.page(f"/backoffice/products?category={washers.id}&state=active&offers=yes&sort=-title")
    assert f'<option value="{washers.id}" selected' in filtered  # the filters stay in the form
    assert 'value="-title" selected' in filtered
    none = catalog_staff.page("/backoffice/products?state=inactive")
    assert "No product matches these filters." in none
    for hostile in ("?category=-1", "?brand=1e99", "?page=999999999999", "?sort=drop", "?q=%00<b>", "?offers=maybe"):
        assert catalog_staff.get("/backoffice/products" + hostile).status_code == 200, hostile
    # The number of queries does not depend on the number of products on the page.
    for n in range(6):
        factories.product(session, title=f"Lave-linge série {n}")
    session.commit()
    with count_queries() as queries:
        catalog_staff.get("/backoffice/products")
    many = len(queries)
    assert many < 20


def test_create_a_product_with_its_attributes(session, people, catalog_staff):
    washers = category(session, "washers")
    page = catalog_staff.page(f"/backoffice/products/new?category={washers.id}")
    assert 'data-testid="product-form"' in page
    # Choosing the category without JavaScript: the "show its attributes" button re-renders.
    shown = catalog_staff.post("/backoffice/products/new", {"category": washers.id, "refresh": "1", "title": "Atlas"})
    text = shown.get_data(as_text=True)
    assert 'data-testid="attribute-colour" data-requirement="REQUIRED"' in text
    assert 'data-testid="attribute-capacity_kg" data-requirement="RECOMMENDED"' in text
    assert 'value="Atlas"' in text
    fragment = catalog_staff.post("/backoffice/products/new", {"category": washers.id, "refresh": "1"},
                                  headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<fieldset class="attribute-fields')
    assert "HX-Request" in fragment.headers["Vary"]
    before = audit_count(session)
    refused = catalog_staff.post("/backoffice/products/new", {
        "gtin": factories.gtin(), "title": "Lave-linge Atlas", "category": washers.id, "brand": "Atlas",
        "attr-colour": "", "attr-capacity_kg": "lourd",
    })
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'data-testid="error-attr-colour"' in text and "This attribute is required in this category." in text
    assert "Enter a number, for example 8,5." in text and 'value="lourd"' in text and 'value="Lave-linge Atlas"' in text
    assert audit_count(session) == before
    gtin = factories.gtin()
    created = catalog_staff.post("/backoffice/products/new", {
        "gtin": gtin, "title": "Lave-linge Atlas", "category": washers.id, "brand": "Atlas",
        "description": "Silencieux.", "attr-colour": "WHITE", "attr-capacity_kg": "8,5", "attr-silent": "true",
    })
    assert created.status_code == 302
    product = session.scalar(select(Product).where(Product.gtin == gtin))
    assert created.headers["Location"].endswith(f"/backoffice/products/{product.id}")
    assert {v.attribute.code for v in product.attribute_values} == {"colour", "capacity_kg", "silent"}
    assert audit_count(session) == before + 1
    duplicate = catalog_staff.post("/backoffice/products/new", {
        "gtin": gtin, "title": "Doublon", "category": washers.id, "attr-colour": "WHITE"})
    assert duplicate.status_code == 422 and "A product with this GTIN already exists." in duplicate.get_data(as_text=True)
    bad = catalog_staff.post("/backoffice/products/new", {
        "gtin": "12345678\x00", "title": "<script>x</script>", "category": "999999999999", "attr-colour": "WHITE"})
    assert bad.status_code == 422 and "<script>x</script>" not in bad.get_data(as_text=True)


def test_edit_a_product_and_its_attributes(session, people, catalog_staff):
    washer = people.shop.products["washer"]
    page = catalog_staff.page(f"/backoffice/products/{washer.id}")
    assert 'value="WHITE" selected' in page and washer.gtin in page
    before = audit_count(session)
    saved = catalog_staff.post(f"/backoffice/products/{washer.id}", {
        "title": "Lave-linge Bosch 9 kg", "category": washer.category_id, "brand": "Bosch",
        "attr-colour": "BLACK", "attr-capacity_kg": "9",
    })
    assert saved.status_code == 302
    session.expire_all()
    assert washer.title == "Lave-linge Bosch 9 kg" and washer.brand.name == "Bosch"
    entry = session.scalar(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id.desc()))
    assert entry.action == "product.updated" and entry.after["attributes"]["colour"] == "BLACK"
    assert audit_count(session) == before + 1
    assert catalog_staff.get("/backoffice/products/999999").status_code == 404
    assert catalog_staff.get(f"/backoffice/products/{2**31 - 1}").status_code == 404


def test_images_are_uploaded_resized_and_served(session, people, catalog_staff, client):
    washer = people.shop.products["washer"]
    response = catalog_staff.post(f"/backoffice/products/{washer.id}/images",
                                  {"image": (io.BytesIO(png((2000, 1000))), "photo.png"), "alt": "Face avant"},
                                  content_type="multipart/form-data")
    assert response.status_code == 302
    image = session.scalar(select(ProductImage).where(ProductImage.product_id == washer.id, ProductImage.thumbnail_url != ""))
    served = client.get(image.url)
    body = served.get_data()
    served.close()  # a file response: its file is closed with the response
    assert served.status_code == 200 and served.mimetype == "image/webp"
    with Image.open(io.BytesIO(body)) as shown:
        assert shown.size == (1200, 600)
    page = catalog_staff.page(f"/backoffice/products/{washer.id}")
    assert image.thumbnail_url in page
    before = audit_count(session)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for data, name in ((svg, "logo.svg"), (svg, "photo.png"), (png(), "photo.jpg")):
        refused = catalog_staff.post(f"/backoffice/products/{washer.id}/images", {"image": (io.BytesIO(data), name)},
                                     content_type="multipart/form-data", follow_redirects=True)
        text = refused.get_data(as_text=True)
        assert "Only JPEG, PNG and WebP images are accepted (no SVG)." in text or "does not match its content" in text
    assert audit_count(session) == before
    image_id = image.id
    removed = catalog_staff.post(f"/backoffice/products/{washer.id}/images/{image_id}/remove")
    assert removed.status_code == 302
    session.expire_all()
    assert session.get(ProductImage, image_id) is None
    assert catalog_staff.get("/media/files/../../etc/passwd").status_code == 404


def test_withdraw_and_put_back_a_product(session, people, catalog_staff, client):
    washer = people.shop.products["washer"]
    offer = people.shop.offers["first_party"]
    listing.refresh(session)
    session.commit()
    shop_page = f"/p/{washer.id}/{washer.slug}"
    assert client.get(shop_page).status_code == 200
    response = catalog_staff.post(f"/backoffice/products/{washer.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert client.get(shop_page).status_code == 404
    washers = category(session, "washers")
    assert f"/p/{washer.id}/" not in client.get(f"/c/{washers.id}/{washers.slug}").get_data(as_text=True)
    shopper = Visitor(client)
    added = shopper.post("/panier/ajouter", {"offer_id": offer.id, "product_id": washer.id, "quantity": 1})
    assert added.status_code in (302, 409, 422)
    assert shopper.page("/panier/").count(f'data-offer-id="{offer.id}"') == 0
    listed = catalog_staff.page("/backoffice/products?state=inactive")
    assert listed.count('data-testid="product-row"') == 1 and 'data-testid="product-reactivate"' in catalog_staff.page(
        f"/backoffice/products/{washer.id}")
    catalog_staff.post(f"/backoffice/products/{washer.id}/active", {"active": "1"})
    assert client.get(shop_page).status_code == 200
    actions = session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()
    assert actions[-2:] == ["product.deactivated", "product.reactivated"]


# --- categories ----------------------------------------------------------------------------------


def test_the_category_tree_page_creates_renames_and_moves(session, people, catalog_staff):
    page = catalog_staff.page("/backoffice/categories")
    assert page.count('data-testid="category-node"') == 3
    assert 'href="/backoffice/value-lists"' in page and 'href="/backoffice/brands"' in page
    home = category(session, "home")
    created = catalog_staff.post("/backoffice/categories", {"code": "dryers", "label": "Sèche-linge",
                                                            "label_en": "Dryers", "parent": home.id})
    assert created.status_code == 302
    dryers = category(session, "dryers")
    assert dryers.parent_id == home.id and dryers.level == 2
    taken = catalog_staff.post("/backoffice/categories", {"code": "dryers", "label": "Encore"})
    assert taken.status_code == 422 and 'value="Encore"' in taken.get_data(as_text=True)
    renamed = catalog_staff.post(f"/backoffice/categories/{dryers.id}/rename", {"label": "Séchage", "label_en": "Drying"})
    assert renamed.status_code == 302
    session.expire_all()
    assert (dryers.label, dryers.label_en) == ("Séchage", "Drying")
    appliances = category(session, "appliances")
    cycle = catalog_staff.post(f"/backoffice/categories/{home.id}/move", {"parent": appliances.id})
    assert cycle.status_code == 422
    assert "A category cannot move under itself or one of its subcategories." in cycle.get_data(as_text=True)
    moved = catalog_staff.post(f"/backoffice/categories/{dryers.id}/move", {"parent": appliances.id})
    assert moved.status_code == 302
    session.expire_all()
    assert dryers.path == f"{appliances.path}{dryers.id}/"
    actions = session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()
    assert actions == ["category.created", "category.renamed", "category.moved"]


def test_a_category_with_products_or_children_is_not_deleted(session, people, catalog_staff):
    washers, home = category(session, "washers"), category(session, "home")
    before = audit_count(session)
    for node in (washers, home):
        refused = catalog_staff.post(f"/backoffice/categories/{node.id}/delete", follow_redirects=True)
        assert "This category cannot be deleted" in refused.get_data(as_text=True)
    assert audit_count(session) == before
    empty = catalog_staff.post("/backoffice/categories", {"code": "empty", "label": "Vide"})
    assert empty.status_code == 302
    gone = catalog_staff.post(f"/backoffice/categories/{category(session, 'empty').id}/delete")
    assert gone.status_code == 302 and category(session, "empty") is None


def test_attach_change_and_detach_an_attribute(session, people, catalog_staff):
    appliances = category(session, "appliances")
    capacity = reference.get_attribute(session, "capacity_kg")
    page = catalog_staff.page(f"/backoffice/categories/{appliances.id}")
    assert 'data-testid="category-attribute" data-code="silent"' in page
    assert catalog_staff.post(f"/backoffice/categories/{appliances.id}/attributes",
                              {"attribute": capacity.id, "requirement": "REQUIRED"}).status_code == 302
    assert catalog_staff.post(f"/backoffice/categories/{appliances.id}/attributes",
                              {"attribute": capacity.id, "requirement": "RECOMMENDED"}).status_code == 302
    links = {link.attribute.code: link.requirement.value for link in category(session, "appliances").attribute_links}
    assert links["capacity_kg"] == "RECOMMENDED"
    assert catalog_staff.post(f"/backoffice/categories/{appliances.id}/attributes",
                              {"attribute": capacity.id, "requirement": "SOMETIMES"}).status_code == 422
    assert catalog_staff.post(f"/backoffice/categories/{appliances.id}/attributes/{capacity.id}/remove").status_code == 302
    session.expire_all()
    assert "capacity_kg" not in {link.attribute.code for link in category(session, "appliances").attribute_links}


# --- value lists and brands ----------------------------------------------------------------------


def test_value_lists_pages(session, people, catalog_staff):
    page = catalog_staff.page("/backoffice/value-lists")
    assert 'data-testid="value-list-row"' in page
    colours = session.scalar(select(ValueList).where(ValueList.code == "colours"))
    assert catalog_staff.post(f"/backoffice/value-lists/{colours.id}", {"code": "RED", "label": "Rouge",
                                                                         "label_en": "Red"}).status_code == 302
    white = next(i for i in colours.items if i.code == "WHITE")
    in_use = catalog_staff.post(f"/backoffice/value-lists/{colours.id}/values/{white.id}/remove", follow_redirects=True)
    assert "This value is used by" in in_use.get_data(as_text=True)
    assert catalog_staff.post(f"/backoffice/value-lists/{colours.id}/values/{white.id}",
                              {"label": "Blanc pur", "label_en": "Pure white"}).status_code == 302
    session.expire_all()
    assert [(i.code, i.label) for i in colours.items][:1] == [("WHITE", "Blanc pur")]
    created = catalog_staff.post("/backoffice/value-lists", {"code": "energy", "label": "Classe énergétique"})
    assert created.status_code == 302
    assert catalog_staff.post("/backoffice/value-lists", {"code": "bad code!", "label": "x"}).status_code == 422


def test_brands_page_creates_renames_and_merges(session, people, catalog_staff):
    assert catalog_staff.post("/backoffice/brands", {"name": "Bosh"}).status_code == 302
    assert catalog_staff.post("/backoffice/brands", {"name": "bosh"}).status_code == 422
    bosh = session.scalar(select(Brand).where(Brand.name == "Bosh"))
    product = factories.product(session, title="Lave-linge compact", brand_name="Bosh")
    bosch = reference.get_or_create_brand(session, "Bosch")
    session.commit()
    page = catalog_staff.page("/backoffice/brands?q=bos")
    assert page.count('data-testid="brand-row"') == 2
    assert catalog_staff.post(f"/backoffice/brands/{bosh.id}/merge", {"into": bosch.id}).status_code == 302
    session.expire_all()
    assert session.get(Product, product.id).brand_id == bosch.id
    assert catalog_staff.post(f"/backoffice/brands/{bosch.id}/rename", {"name": "BOSCH"}).status_code == 302
    actions = session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()
    assert actions == ["brand.created", "brand.merged", "brand.renamed"]


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.FINANCE])
def test_support_and_finance_cannot_touch_the_catalog(session, people, staff_of, role):
    visitor = staff_of(role)
    washer = people.shop.products["washer"]
    washers = category(session, "washers")
    colours = session.scalar(select(ValueList).where(ValueList.code == "colours"))
    white = colours.items[0]
    brand = reference.get_or_create_brand(session, "Bosch")
    session.commit()
    before = audit_count(session)
    for path in ("/backoffice/products", "/backoffice/products/new", f"/backoffice/products/{washer.id}",
                 "/backoffice/categories", f"/backoffice/categories/{washers.id}", "/backoffice/value-lists",
                 f"/backoffice/value-lists/{colours.id}", "/backoffice/brands"):
        assert visitor.get(path).status_code == 403, path
    writes = {
        "/backoffice/products/new": {"gtin": factories.gtin(), "title": "x", "category": washers.id, "attr-colour": "WHITE"},
        f"/backoffice/products/{washer.id}": {"title": "x", "category": washers.id, "attr-colour": "WHITE"},
        f"/backoffice/products/{washer.id}/active": {"active": "0"},
        f"/backoffice/products/{washer.id}/images": {"image": (io.BytesIO(png()), "a.png")},
        "/backoffice/categories": {"code": "x", "label": "x"},
        f"/backoffice/categories/{washers.id}/rename": {"label": "x"},
        f"/backoffice/categories/{washers.id}/move": {"parent": ""},
        f"/backoffice/categories/{washers.id}/delete": {},
        f"/backoffice/categories/{washers.id}/attributes": {"attribute": 1, "requirement": "OPTIONAL"},
        "/backoffice/value-lists": {"code": "x", "label": "x"},
        f"/backoffice/value-lists/{colours.id}": {"code": "x", "label": "x"},
        f"/backoffice/value-lists/{colours.id}/values/{white.id}": {"label": "x"},
        f"/backoffice/value-lists/{colours.id}/values/{white.id}/remove": {},
        "/backoffice/brands": {"name": "x"},
        f"/backoffice/brands/{brand.id}/rename": {"name": "x"},
        f"/backoffice/brands/{brand.id}/merge": {"into": brand.id},
    }
    for path, data in writes.items():
        assert visitor.post(path, data, content_type="multipart/form-data").status_code == 403, path
    assert audit_count(session) == before
    session.expire_all()
    assert washer.title != "x" and washer.active
    # The menu shows neither page to them.
    menu = visitor.page("/backoffice/")
    assert 'data-testid="nav-products"' not in menu and 'data-testid="nav-categories"' not in menu


def test_the_catalog_role_sees_both_pages_in_the_menu(catalog_staff):
    menu = catalog_staff.page("/backoffice/")
    assert 'data-testid="nav-products"' in menu and 'data-testid="nav-categories"' in menu
