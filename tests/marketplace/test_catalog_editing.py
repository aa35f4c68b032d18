"""The back office's catalog services: attribute values per requirement level, images checked by
their content, the category tree's moves and deletions, value lists, brands, and a withdrawn
product leaving the shop."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.marketplace import (
    brands,
    cart,
    catalog,
    category_tree,
    listing,
    product_attributes,
    product_editing,
    product_images,
    reference,
    search,
    seller_portal,
    value_lists,
)
from storefront.marketplace.errors import InvalidValue, NotFound
from storefront.marketplace.models import (
    Brand,
    Category,
    OperatorAuditEntry,
    Product,
    ProductListing,
    RequirementLevel,
    Role,
)
from storefront.marketplace.product_attributes import AttributeErrors
from storefront.marketplace.refusals import Refusal
from storefront.media import FolderStore
from tests import factories
from tests.shop_fixtures import MiniShop


@pytest.fixture
def operator(session):
    user = factories.user(session, Role.OPERATOR, email="catalog@example.com")
    session.commit()
    return user


@pytest.fixture
def tree(session):
    nodes = factories.category_tree(session)
    session.commit()
    return nodes


def audit_count(session) -> int:
    return session.scalar(select(func.count(OperatorAuditEntry.id)))


def image_bytes(kind="PNG", size=(800, 600), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


# --- attributes ----------------------------------------------------------------------------------


def test_required_missing_and_recommended_missing_are_told_apart(session, tree):
    _, _, washers = tree
    with pytest.raises(AttributeErrors) as refused:
        product_attributes.check(session, washers, {"capacity_kg": "9"})
    assert [(p.code, p.reason) for p in refused.value.problems] == [("colour", Refusal.ATTRIBUTE_REQUIRED)]
    checked = product_attributes.check(session, washers, {"colour": "WHITE"})
    assert checked.missing_recommended == ["capacity_kg"]  # recommended: a hint, not an error
    assert [v.item.code for v in checked.values] == ["WHITE"]


def test_every_problem_is_reported_at_once_by_attribute(session, tree):
    _, _, washers = tree
    with pytest.raises(AttributeErrors) as refused:
        product_attributes.check(session, washers, {"colour": "PINK", "capacity_kg": "lourd", "silent": "peut-être",
                                                    "wattage": "3"})
    problems = refused.value.by_code()
    assert problems["colour"].reason == Refusal.ATTRIBUTE_NOT_IN_LIST
    assert problems["capacity_kg"].reason == Refusal.ATTRIBUTE_NUMBER
    assert problems["silent"].reason == Refusal.ATTRIBUTE_BOOLEAN
    assert problems["wattage"].reason == Refusal.ATTRIBUTE_UNKNOWN


def test_form_text_and_python_values_are_accepted_alike(session, tree):
    _, _, washers = tree
    from_form = product_attributes.check(session, washers, {"colour": "BLACK", "capacity_kg": "8,5", "silent": "true"})
    from_code = product_attributes.check(session, washers, {"colour": "BLACK", "capacity_kg": 8.5, "silent": True})
    assert [(v.attribute.code, v.number) for v in from_form.values] == [(v.attribute.code, v.number) for v in from_code.values]
    with pytest.raises(AttributeErrors):
        product_attributes.check(session, washers, {"colour": "BLACK", "capacity_kg": float("nan")})


def test_create_product_uses_the_same_rule(session, tree):
    with pytest.raises(AttributeErrors):
        factories.product(session, attributes={"capacity_kg": 9})


# --- products ------------------------------------------------------------------------------------


def test_create_edit_and_audit_a_product(session, tree, operator):
    _, appliances, washers = tree
    product = product_editing.create(
        session, operator, gtin=factories.gtin(), title="  Lave-linge  Atlas ", category_id=washers.id,
        brand_name="Atlas", attributes={"colour": "WHITE", "capacity_kg": "7"},
    )
    assert product.title == "Lave-linge Atlas" and product.brand.name == "Atlas"
    product_editing.update(
        session, operator, product, title="Lave-linge Atlas 8 kg", category_id=washers.id, brand_name="Atlas",
        attributes={"colour": "BLACK", "capacity_kg": "8", "silent": "false"},
    )
    session.commit()
    assert product_editing.form_values(product) == {"colour": "BLACK", "capacity_kg": "8", "silent": "false"}
    entries = session.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id)).all()
    assert [e.action for e in entries] == ["product.created", "product.updated"]
    assert entries[1].before["attributes"]["colour"] == "WHITE"
    assert entries[1].after["attributes"]["colour"] == "BLACK"
    assert "brand" not in entries[1].after  # only what changed

    # Moving it to a category that does not ask for capacity drops that value.
    product_editing.update(session, operator, product, title=product.title, category_id=appliances.id,
                           attributes={"colour": "BLACK", "silent": "true"})
    assert product_editing.form_values(product) == {"colour": "BLACK", "silent": "true"}


def test_a_refused_edit_changes_nothing_and_is_not_audited(session, tree, operator):
    _, _, washers = tree
    product = factories.product(session)
    session.commit()
    before = audit_count(session)
    with pytest.raises(AttributeErrors):
        product_editing.update(session, operator, product, title="Nouveau titre", category_id=washers.id,
                               attributes={"colour": ""})
    session.expire_all()
    assert product.title == "Lave-linge hublot 9 kg"
    assert audit_count(session) == before
    with pytest.raises(InvalidValue):
        product_editing.update(session, operator, product, title="", category_id=washers.id, attributes={"colour": "WHITE"})
    with pytest.raises(InvalidValue) as unknown:
        product_editing.update(session, operator, product, title="x", category_id=2**40, attributes={})
    assert unknown.value.details["reason"] == Refusal.UNKNOWN_CATEGORY


def test_find_filters_sorts_and_counts_active_offers(session, mini_shop: MiniShop, count_queries):
    F = product_editing.ProductFilters
    assert [r.product.title for r in product_editing.find(session, F(q="bosch")).rows] == [mini_shop.washer.title]
    assert [r.product.id for r in product_editing.find(session, F(q=mini_shop.dryer.gtin)).rows] == [mini_shop.dryer.id]
    washers = session.scalar(select(Category).where(Category.code == "washers"))
    in_washers = product_editing.find(session, F(category_id=washers.id))
    assert {r.product.id for r in in_washers.rows} == {mini_shop.washer.id, mini_shop.dryer.id}
    counts = {r.product.id: r.active_offers for r in product_editing.find(session, F()).rows}
    assert counts[mini_shop.washer.id] == 3 and counts[mini_shop.fridge.id] == 1
    assert product_editing.find(session, F(has_offers=False)).total == 0
    titles = [r.product.title for r in product_editing.find(session, F(), sort="-title").rows]
    assert titles == sorted(titles, reverse=True)
    with count_queries() as queries:
        product_editing.find(session, F(), per_page=50)
    assert len(queries) <= 4  # count, page, images: not one per row


def test_a_withdrawn_product_leaves_the_shop_and_comes_back(session, mini_shop: MiniShop, operator):
    from storefront.marketplace import product_detail
    from storefront.marketplace.models import Cart, Zone

    washer = mini_shop.washer
    zone = session.scalar(select(Zone).where(Zone.code == "FR-MAIN"))
    product_editing.set_active(session, operator, washer, False)
    session.commit()
    listed = session.scalars(select(ProductListing).where(ProductListing.product_id == washer.id)).all()
    assert listed and all(row.offer_count == 0 for row in listed)
    assert washer.id not in search.search(session, "bosch", zone).product_ids
    assert search.suggest(session, "bosch") == []
    with pytest.raises(NotFound):
        product_detail.product_detail(session, washer.id, zone, now=mini_shop_now())
    basket = Cart(token="t-withdrawn")
    session.add(basket)
    session.flush()
    with pytest.raises(InvalidValue) as refused:
        cart.add_item(session, basket, mini_shop.offers["washer_1p"].id, 1)
    assert refused.value.details["reason"] == Refusal.INACTIVE
    with pytest.raises(InvalidValue) as no_new_offer:
        catalog.upsert_offer(session, mini_shop.occaz, washer, "TO-NEW", price=100, stock=1)
    assert no_new_offer.value.details["reason"] == Refusal.PRODUCT_WITHDRAWN
    session.rollback()

    product_editing.set_active(session, operator, washer, True)
    session.commit()
    assert washer.id in search.search(session, "bosch", zone).product_ids
    actions = session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()
    assert actions == ["product.deactivated", "product.reactivated"]


def mini_shop_now():
    from tests.shop_fixtures import NOW

    return NOW


# --- images --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_an_image_is_resized_to_webp_in_two_sizes(session, tree, operator, tmp_path, kind):
    product = factories.product(session)
    session.commit()
    store = FolderStore(tmp_path)
    image = product_images.add(session, operator, product, image_bytes(kind, (2400, 1600)), store,
                               filename=f"photo.{kind.lower()}")
    with (Image.open(tmp_path / image.url.removeprefix("/media/files/")) as display,
          Image.open(tmp_path / image.thumbnail_url.removeprefix("/media/files/")) as thumbnail):
        assert display.format == thumbnail.format == "WEBP"
        assert display.size == (1200, 800) and thumbnail.size == (320, 213)
    assert session.scalar(select(OperatorAuditEntry.action)) == "product.image_added"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><body>not an image</body></html>"


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (SVG, "logo.svg", Refusal.IMAGE_TYPE),
        (SVG, "logo.png", Refusal.IMAGE_TYPE),  # an SVG claiming to be a PNG
        (HTML, "photo.jpg", Refusal.IMAGE_TYPE),
        (image_bytes("GIF"), "anim.gif", Refusal.IMAGE_TYPE),  # a real image, of a type not taken
        (image_bytes("JPEG"), "photo.png", Refusal.IMAGE_MISMATCH),  # a JPEG named .png
        (image_bytes("PNG")[:200], "cut.png", Refusal.IMAGE_TYPE),  # truncated
        (b"\0" * (product_images.MAX_BYTES + 1), "big.png", Refusal.IMAGE_TOO_BIG),
    ],
)
def test_images_are_judged_by_their_content(session, tree, operator, tmp_path, data, filename, reason):
    product = factories.product(session)
    session.commit()
    before = audit_count(session)
    with pytest.raises(InvalidValue) as refused:
        product_images.add(session, operator, product, data, FolderStore(tmp_path), filename=filename)
    assert refused.value.details["reason"] == reason
    assert list(tmp_path.iterdir()) == []
    assert audit_count(session) == before


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    # A valid PNG header announcing 50,000 x 50,000 pixels (2.5 gigapixels) in a few bytes.
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    with pytest.raises(InvalidValue) as refused:
        product_images.prepare(bomb, "bomb.png")
    assert refused.value.details["reason"] == Refusal.IMAGE_TOO_MANY_PIXELS


def test_the_media_store_stays_in_its_folder(tmp_path):
    store = FolderStore(tmp_path / "media")
    with pytest.raises(ValueError):
        store.save("../escape.txt", b"x")


# --- category tree -------------------------------------------------------------------------------


def test_moves_rewrite_the_subtree_and_refuse_cycles(session, tree, operator):
    home, appliances, washers = tree
    garden = category_tree.create(session, operator, code="garden", label="Jardin", label_en="Garden")
    session.commit()
    for parent in (appliances, washers):
        with pytest.raises(InvalidValue) as refused:
            category_tree.move(session, operator, appliances, parent.id)
        assert refused.value.details["reason"] == Refusal.CATEGORY_CYCLE
    category_tree.move(session, operator, appliances, garden.id)
    session.commit()
    washers = session.get(Category, washers.id)
    assert washers.path == f"/{garden.id}/{appliances.id}/{washers.id}/" and washers.level == 3
    assert [c.code for c in reference.ancestors(session, washers)] == ["garden", "appliances", "washers"]
    # Inherited attributes now come from the new parents: "colour" stays required by washers.
    links = {link.attribute.code: link.requirement for link in reference.attributes_for(session, washers)}
    assert links == {"colour": RequirementLevel.REQUIRED, "capacity_kg": RequirementLevel.RECOMMENDED,
                     "silent": RequirementLevel.OPTIONAL}
    category_tree.move(session, operator, appliances, None)
    session.commit()
    assert session.get(Category, washers.id).path == f"/{appliances.id}/{washers.id}/"


def test_the_tree_stays_six_levels_deep(session, tree, operator):
    home, appliances, washers = tree
    parent = washers
    for level in (4, 5, 6):
        parent = category_tree.create(session, operator, code=f"l{level}", label=f"Niveau {level}", parent_id=parent.id)
    with pytest.raises(InvalidValue) as refused:
        category_tree.create(session, operator, code="l7", label="Niveau 7", parent_id=parent.id)
    assert refused.value.details["reason"] == Refusal.CATEGORY_DEPTH
    deep = category_tree.create(session, operator, code="deep-root", label="Racine")
    with pytest.raises(InvalidValue) as too_deep:
        category_tree.move(session, operator, deep, parent.id)  # would be level 7
    assert too_deep.value.details["reason"] == Refusal.CATEGORY_DEPTH


def test_only_an_empty_category_can_be_deleted(session, tree, operator):
    home, appliances, washers = tree
    factories.product(session)
    session.commit()
    for category, children, products in ((home, 1, 0), (washers, 0, 1)):
        with pytest.raises(InvalidValue) as refused:
            category_tree.remove(session, operator, category)
        assert refused.value.details == {"reason": Refusal.CATEGORY_NOT_EMPTY, "children": children, "products": products}
    empty = category_tree.create(session, operator, code="empty", label="Vide", parent_id=home.id)
    category_tree.attach(session, operator, empty, reference.get_attribute(session, "colour").id, "REQUIRED")
    session.commit()
    category_tree.remove(session, operator, empty)
    session.commit()
    assert session.scalar(select(Category).where(Category.code == "empty")) is None
    assert session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()[-3:] == [
        "category.created", "category.attribute_set", "category.deleted"]


def test_attach_sets_or_changes_the_requirement_and_detach_removes_it(session, tree, operator):
    home, appliances, washers = tree
    capacity = reference.get_attribute(session, "capacity_kg")
    category_tree.attach(session, operator, washers, capacity.id, "REQUIRED")
    session.commit()
    with pytest.raises(AttributeErrors):
        product_attributes.check(session, washers, {"colour": "WHITE"})
    category_tree.detach(session, operator, washers, capacity.id)
    session.commit()
    assert "capacity_kg" not in {link.attribute.code for link in reference.attributes_for(session, washers)}
    with pytest.raises(InvalidValue):
        category_tree.attach(session, operator, washers, capacity.id, "MANDATORY")


# --- value lists and brands ----------------------------------------------------------------------


def test_a_value_in_use_cannot_be_removed(session, tree, operator):
    factories.product(session, attributes={"colour": "WHITE"})
    session.commit()
    colours = session.scalar(select(reference.ValueList).where(reference.ValueList.code == "colours"))
    white = next(i for i in colours.items if i.code == "WHITE")
    black = next(i for i in colours.items if i.code == "BLACK")
    with pytest.raises(InvalidValue) as refused:
        value_lists.remove_value(session, operator, colours, white.id)
    assert refused.value.details == {"reason": Refusal.VALUE_IN_USE, "count": 1}
    value_lists.rename_value(session, operator, colours, white.id, label="Blanc neige", label_en="Snow white")
    red = value_lists.add_value(session, operator, colours, code="RED", label="Rouge", label_en="Red")
    with pytest.raises(InvalidValue):
        value_lists.add_value(session, operator, colours, code="RED", label="Rouge encore")
    value_lists.remove_value(session, operator, colours, black.id)
    session.commit()
    assert [i.code for i in colours.items] == ["WHITE", "RED"] and red.position == 2
    assert value_lists.usage(session, colours) == {white.id: 1}


def test_merging_brands_moves_products_and_their_listing(session, mini_shop: MiniShop, operator):
    bosh = brands.create(session, operator, "Bosh")
    with pytest.raises(InvalidValue) as taken:
        brands.create(session, operator, "bosch")
    assert taken.value.details["reason"] == Refusal.BRAND_TAKEN
    product = factories.product(session, title="Lave-linge compact", brand_name="Bosh")
    listing.refresh(session, [product.id])
    session.commit()
    bosch = session.scalar(select(Brand).where(Brand.name == "Bosch"))
    brands.merge(session, operator, bosh, bosch)
    session.commit()
    assert session.get(Product, product.id).brand_id == bosch.id
    assert session.scalar(select(Brand).where(Brand.name == "Bosh")) is None
    assert set(session.scalars(select(ProductListing.brand_id).where(ProductListing.product_id == product.id))) == {bosch.id}
    assert "bosch" in session.get(Product, product.id).search_text
    brands.rename(session, operator, bosch, "BOSCH Électroménager")
    session.commit()
    assert "electromenager" in session.get(Product, product.id).search_text


# --- a new offer from the seller portal ----------------------------------------------------------


def test_the_portal_adds_an_offer_through_the_catalog_rules(session, mini_shop: MiniShop):
    offer = seller_portal.add_offer(session, mini_shop.occaz, mini_shop.fridge.gtin, price=119900, stock=2,
                                    condition="USED", lead_time_days=3)
    session.commit()
    assert (offer.product_id, offer.sku, offer.condition.value) == (mini_shop.fridge.id, f"{mini_shop.fridge.gtin}-USED", "USED")
    row = session.scalar(select(ProductListing).where(ProductListing.product_id == mini_shop.fridge.id).limit(1))
    assert row.offer_count == 2  # the listing follows in the same transaction
    with pytest.raises(InvalidValue) as duplicate:
        seller_portal.add_offer(session, mini_shop.occaz, str(mini_shop.fridge.id), price=100000, stock=1,
                                condition="USED", lead_time_days=3)
    assert duplicate.value.details["reason"] == Refusal.DUPLICATE_OFFER
    with pytest.raises(NotFound):
        seller_portal.add_offer(session, mini_shop.occaz, "99999999", price=1000, stock=1, condition="NEW", lead_time_days=1)
    with pytest.raises(InvalidValue):
        seller_portal.add_offer(session, mini_shop.occaz, mini_shop.fridge.gtin, price=-1, stock=1, condition="NEW",
                                lead_time_days=1)
