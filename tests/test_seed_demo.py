"""``flask seed-demo``: a shop a person can explore, the same every time, and safe to run twice.

The vocabulary checks run without a database; the command itself runs through the Flask CLI
runner on the test database (SQLite, or PostgreSQL with ``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import case, func, select

from storefront.demo.catalog import CatalogGenerator, ShopIds, gtin_for
from storefront.demo.command import DEMO_ACCOUNTS
from storefront.demo.product_types import ALL_TYPES, Chance, brand_names
from storefront.demo.vocabulary import (
    ATTRIBUTES,
    ATTRIBUTES_BY_CODE,
    CATEGORY_ATTRIBUTES,
    EVENT_CATEGORY,
    SELLERS,
    VALUE_LISTS,
    attributes_of,
    walk,
)
from storefront.extensions import db
from storefront.marketplace import accounts, reference
from storefront.marketplace.catalog import gtin_is_valid
from storefront.marketplace.models import (
    Attribute,
    AttributeType,
    Base,
    Carrier,
    Category,
    CategoryKind,
    CommissionRate,
    Condition,
    DeliveryMode,
    DiscussionTopic,
    Fulfillment,
    Offer,
    Product,
    ProductAttributeValue,
    ProductImage,
    ReasonCode,
    ReasonType,
    RequirementLevel,
    Role,
    Seller,
    SellerRating,
    ShippingRate,
    StoreSetting,
    ValueListItem,
    Zone,
)

# --- the vocabulary, without a database ----------------------------------------------------------


def _effective_values(product_type, overrides: dict) -> set[str]:
    codes = set(product_type.values) | {k for k in overrides if k not in ("price", "weight")}
    return codes - {k for k, v in overrides.items() if v is None}


def test_every_product_type_fits_its_category():
    items = {
        attribute.code: {code for code, *_ in VALUE_LISTS[attribute.value_list][1]}
        for attribute in ATTRIBUTES
        if attribute.value_list
    }
    categories = {spec.code for spec, *_ in walk()}
    leaves = {spec.code for spec, *_ in walk() if not spec.children}
    for product_type in ALL_TYPES:
        event = product_type.category == EVENT_CATEGORY.code
        assert event or product_type.category in leaves, product_type.category
        asked = {} if event else attributes_of(product_type.category)
        models = [
            (m, {}) if isinstance(m, str) else m
            for models in product_type.brands.values()
            for m in models
        ]
        for model, overrides in models:
            given = _effective_values(product_type, overrides)
            assert given <= set(asked), (model, given - set(asked))
            required = {code for code, level in asked.items() if level == RequirementLevel.REQUIRED}
            assert required <= given | {"modele", "poids"}, (model, required - given)
            for code, value in {**product_type.values, **overrides}.items():
                if code in ("price", "weight") or value is None:
                    continue
                attribute = ATTRIBUTES_BY_CODE[code]
                choices = value if isinstance(value, tuple | range) else (value,)
                if attribute.type == AttributeType.LIST:
                    assert set(choices) <= items[code], (model, code, choices)
                elif attribute.type == AttributeType.BOOLEAN:
                    assert isinstance(value, Chance | bool), (model, code)
                else:
                    assert all(isinstance(c, int | float) and c >= 0 for c in choices), code
        fields = {
            name
            for template in (product_type.title, *product_type.pitches)
            for _, name, _, _ in string.Formatter().parse(template)
            if name
        }
        assert fields <= set(asked) | {"noun", "brand", "model"}, product_type.noun
    for category_code, links in CATEGORY_ATTRIBUTES.items():
        assert category_code in categories
        assert all(code in ATTRIBUTES_BY_CODE for code, _ in links)


def test_demo_gtins_are_valid_distinct_ean13():
    gtins = [gtin_for(index) for index in range(20_000)]
    assert all(len(g) == 13 and gtin_is_valid(g) for g in gtins)
    assert len(set(gtins)) == len(gtins)
    with pytest.raises(ValueError):
        gtin_for(10**8)


def _fake_ids() -> ShopIds:
    """Stand-in database ids, enough to run the generator without a database."""
    items, labels, number = {}, {}, 0
    for attribute in ATTRIBUTES:
        for code, label, _ in VALUE_LISTS.get(attribute.value_list, ("", []))[1]:
            number += 1
            items[(attribute.code, code)] = number
            labels[(attribute.code, code)] = label
    categories = {spec.code: i for i, (spec, *_) in enumerate(walk(), 1)}
    categories[EVENT_CATEGORY.code] = len(categories) + 1
    return ShopIds(
        category_ids=categories,
        attribute_ids={a.code: i for i, a in enumerate(ATTRIBUTES, 1)},
        item_ids=items,
        item_labels=labels,
        brand_ids={name: i for i, name in enumerate(brand_names(), 1)},
        seller_ids={spec.code: i for i, spec in enumerate(SELLERS, 1)},
    )


def test_a_product_depends_only_on_the_seed_and_its_index():
    now = datetime(2026, 11, 27, tzinfo=UTC)
    first, second = CatalogGenerator(_fake_ids(), 7), CatalogGenerator(_fake_ids(), 7)
    for index in (0, 1, 499, 77_777):
        assert first.rows(index, 1, now) == second.rows(index, 1, now)
    other_seed = CatalogGenerator(_fake_ids(), 8)
    titles = [first.rows(i, 1, now).product["title"] for i in range(20)]
    assert [other_seed.rows(i, 1, now).product["title"] for i in range(20)] != titles


# --- the command ---------------------------------------------------------------------------------


def _seed(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _table_counts() -> dict[str, int]:
    session = db.session
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_seeding_twice_gives_the_same_shop(app, app_context):
    output = _seed(app)
    first = _table_counts()
    assert first["product"] == 500
    for account in DEMO_ACCOUNTS:
        assert f"{account.email} / {account.password}" in output

    output = _seed(app)
    assert _table_counts() == first
    assert "already there" in output

    # A larger catalog adds only the missing products; a smaller number removes nothing.
    titles = dict(db.session.execute(select(Product.gtin, Product.title)).all())
    _seed(app, "--products", "540")
    grown = _table_counts()
    assert grown["product"] == 540 and grown["offer"] > first["offer"]
    assert grown["seller"] == first["seller"] and grown["category"] == first["category"]
    kept = dict(db.session.execute(select(Product.gtin, Product.title)).all())
    assert {gtin: kept[gtin] for gtin in titles} == titles
    _seed(app, "--products", "500")
    assert _table_counts() == grown


def test_the_demo_shop_is_complete(app, app_context):
    _seed(app)
    session = db.session

    # Sellers: the retailer and at least 8 marketplace sellers, rated, with return policies.
    sellers = session.scalars(select(Seller)).all()
    assert len(sellers) >= 9
    retailers = [s for s in sellers if s.is_operator]
    assert [s.code for s in retailers] == ["storefront"]
    for seller in sellers:
        assert seller.city and seller.description and seller.return_policy
        grades = session.execute(
            select(func.count(), func.coalesce(func.sum(SellerRating.grade), 0)).where(
                SellerRating.seller_id == seller.id
            )
        ).one()
        assert seller.rating_count == grades[0] > 0 and seller.rating_sum == grades[1]

    # Categories: a tree at least 3 deep, and an event shelf with products.
    assert session.scalar(
        select(func.count()).select_from(Category).where(Category.kind == CategoryKind.STANDARD)
    ) >= 30
    assert session.scalar(select(func.max(Category.level))) >= 3
    event = session.scalar(select(Category).where(Category.kind == CategoryKind.EVENT))
    assert session.scalar(select(func.count()).where(Product.category_id == event.id)) > 0
    # ...which the Black Friday event category puts on the home page's shelf.
    from storefront.marketplace.models import EventCategory

    shelf = session.scalar(select(EventCategory).where(EventCategory.slug == event.code))
    assert shelf.category_ids == [event.id] and shelf.member_count > 0
    labels = session.execute(select(Category.label, Category.label_en)).all()
    assert all(label and label_en for label, label_en in labels)

    # Products: valid and distinct GTINs, 1 to 3 placeholder images, heavy and highlighted ones.
    products = session.execute(
        select(Product.id, Product.gtin, Product.title, Product.weight_grams, Product.highlighted)
    ).all()
    assert len(products) >= 500
    assert all(gtin_is_valid(p.gtin) and len(p.gtin) == 13 for p in products)
    assert len({p.gtin for p in products}) == len(products)
    assert any(p.weight_grams > 30_000 for p in products)
    assert any(p.highlighted for p in products)
    gtin_of = {p.id: p.gtin for p in products}
    images = session.execute(
        select(ProductImage.product_id, ProductImage.url, ProductImage.position)
    ).all()
    per_product = Counter(image.product_id for image in images)
    assert set(per_product) == set(gtin_of) and set(per_product.values()) <= {1, 2, 3}
    for image in images:
        assert re.fullmatch(
            rf"/media/placeholder/{gtin_of[image.product_id]}-{image.position + 1}\.svg\?label=\S+",
            image.url,
        ), image.url
    response = app.test_client().get(images[0].url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"

    _assert_attribute_values_fit(session)
    _assert_offers(session)
    _assert_delivery(session)
    _assert_operator_reference_data(session)

    # Demo accounts sign in with the documented passwords.
    for account in DEMO_ACCOUNTS:
        user = accounts.authenticate(session, account.email, account.password)
        assert user is not None and user.role == account.role
        assert (user.seller is not None) == (account.role == Role.SELLER)
        assert user.operator_role == account.staff_role


def _assert_attribute_values_fit(session) -> None:
    # Every list value comes from its attribute's value list.
    stray = session.scalar(
        select(func.count())
        .select_from(ProductAttributeValue)
        .join(Attribute, ProductAttributeValue.attribute_id == Attribute.id)
        .outerjoin(ValueListItem, ProductAttributeValue.item_id == ValueListItem.id)
        .where(
            Attribute.type == AttributeType.LIST,
            (ValueListItem.id.is_(None)) | (ValueListItem.value_list_id != Attribute.value_list_id),
        )
    )
    assert stray == 0
    rows = session.execute(
        select(
            Product.category_id, ProductAttributeValue.product_id, Attribute.code, Attribute.type,
            ProductAttributeValue.number_value, ProductAttributeValue.text_value,
        )
        .join(Product, ProductAttributeValue.product_id == Product.id)
        .join(Attribute, ProductAttributeValue.attribute_id == Attribute.id)
    ).all()
    assert len(rows) > 2 * 500
    asked: dict[int, dict[str, RequirementLevel]] = {}
    given: dict[int, set[str]] = {}
    category_of: dict[int, int] = {}
    for row in rows:
        if row.category_id not in asked:
            category = session.get(Category, row.category_id)
            asked[row.category_id] = {
                link.attribute.code: link.requirement
                for link in reference.attributes_for(session, category)
            }
        assert row.code in asked[row.category_id], (row.product_id, row.code)
        given.setdefault(row.product_id, set()).add(row.code)
        category_of[row.product_id] = row.category_id
        if row.type in (AttributeType.INTEGER, AttributeType.DECIMAL):
            assert row.number_value is not None and 0 < row.number_value < 100_000
        elif row.type == AttributeType.BOOLEAN:
            assert row.number_value in (0.0, 1.0)
        elif row.type == AttributeType.TEXT:
            assert row.text_value
    for product_id, codes in given.items():
        required = {
            code for code, level in asked[category_of[product_id]].items()
            if level == RequirementLevel.REQUIRED
        }
        assert required <= codes, (product_id, required - codes)


def _assert_offers(session) -> None:
    offers = session.execute(
        select(
            Offer.product_id, Offer.seller_id, Offer.sku, Offer.condition, Offer.price,
            Offer.origin_price, Offer.stock, Offer.lead_time_days, Offer.fulfillment,
            Seller.is_operator,
        ).join(Seller, Offer.seller_id == Seller.id)
    ).all()
    assert len(offers) >= 1500
    assert len({(o.seller_id, o.sku) for o in offers}) == len(offers)
    assert all(isinstance(o.price, int) and o.price > 0 for o in offers)
    assert all(o.origin_price is None or o.origin_price > o.price for o in offers)
    assert sum(o.origin_price is not None for o in offers) > 100
    assert sum(o.stock <= 2 for o in offers) > 20
    assert {o.lead_time_days for o in offers} <= set(range(6))
    assert all(o.fulfillment == Fulfillment.OPERATOR for o in offers if o.is_operator)
    assert sum(o.fulfillment == Fulfillment.OPERATOR for o in offers if not o.is_operator) > 20
    conditions = Counter(o.condition for o in offers)
    assert conditions[Condition.NEW] > len(offers) / 2
    assert conditions[Condition.REFURBISHED] and conditions[Condition.USED]
    assert conditions[Condition.LIKE_NEW]

    mix = session.execute(
        select(
            Offer.product_id,
            func.sum(case((Seller.is_operator, 1), else_=0)).label("first"),
            func.sum(case((Seller.is_operator, 0), else_=1)).label("third"),
        )
        .join(Seller, Offer.seller_id == Seller.id)
        .group_by(Offer.product_id)
    ).all()
    assert len(mix) == session.scalar(select(func.count()).select_from(Product))
    assert any(m.first == 1 and m.third == 0 for m in mix)  # 1P only
    assert any(m.first == 0 and m.third >= 1 for m in mix)  # 3P only
    assert sum(m.first == 1 and m.third >= 3 for m in mix) > len(mix) / 2  # 1P against 3P


def _assert_delivery(session) -> None:
    modes = {m.code: m for m in session.scalars(select(DeliveryMode))}
    assert set(modes) == {"THD", "EHD", "RELAY", "FDHD"}
    assert modes["EHD"].saturday_delivery and modes["FDHD"].min_weight_grams == 30_000
    zones = {z.code: z for z in session.scalars(select(Zone))}
    assert set(zones) == {"FR-MAIN", "FR-COR", "FR-DOM", "BE"}
    assert {(r.country, r.postal_prefix) for r in zones["FR-DOM"].rules} == {
        ("FR", p) for p in ("971", "972", "973", "974", "976")
    }
    assert {(r.country, r.postal_prefix) for r in zones["FR-COR"].rules} == {("FR", "20")}

    rates = session.execute(
        select(Seller.code, DeliveryMode.code, Zone.code, ShippingRate.transit_max)
        .join(Seller, ShippingRate.shipper_id == Seller.id)
        .join(DeliveryMode, ShippingRate.mode_id == DeliveryMode.id)
        .join(Zone, ShippingRate.zone_id == Zone.id)
    ).all()
    sellers = set(session.scalars(select(Seller.code)))
    assert {r[0] for r in rates} == sellers  # every seller ships somewhere
    ships_to = {zone: {r[0] for r in rates if r[2] == zone} for zone in zones}
    assert ships_to["FR-MAIN"] == sellers
    assert 0 < len(ships_to["FR-DOM"]) < len(sellers) and 0 < len(ships_to["BE"]) < len(sellers)
    assert 0 < len({r[0] for r in rates if r[1] == "EHD"}) < len(sellers)
    assert {r[0] for r in rates if r[1] == "FDHD"} == {"storefront", "maison-electro"}
    retailer = {(r[1], r[2]): r[3] for r in rates if r[0] == "storefront"}
    assert retailer[("THD", "FR-DOM")] > retailer[("THD", "FR-MAIN")]


def _assert_operator_reference_data(session) -> None:
    carriers = session.scalars(select(Carrier)).all()
    assert len(carriers) >= 7 and all("{tracking}" in c.tracking_url_template for c in carriers)

    timeout = session.scalar(
        select(ReasonCode).where(
            ReasonCode.code == "ACCEPTANCE_TIMEOUT", ReasonCode.type == ReasonType.CANCELATION
        )
    )
    assert timeout.operator_allowed and not (timeout.customer_allowed or timeout.seller_allowed)
    types = set(session.scalars(select(ReasonCode.type)))
    assert types == set(ReasonType)
    assert all(r.label_en for r in session.scalars(select(ReasonCode)))

    topics = {t.label: t for t in session.scalars(select(DiscussionTopic))}
    for label in ("Où est ma commande ?", "Produit endommagé", "Demande de facture",
                  "Retour / rétractation", "Question sur le produit"):
        assert topics[label].label_en and topics[label].message_type
    question = topics["Question sur le produit"]
    assert question.about_offer and not question.about_order

    rates = session.execute(select(CommissionRate.category_id, CommissionRate.seller_id)).all()
    assert (None, None) in rates
    top_levels = set(session.scalars(
        select(Category.id).where(Category.level == 1, Category.kind == CategoryKind.STANDARD)
    ))
    assert top_levels <= {category for category, seller in rates if seller is None}
    assert any(seller is not None for _, seller in rates)

    settings = dict(session.execute(select(StoreSetting.key, StoreSetting.value)).all())
    assert settings["relations_model"] == "DIRECT"
    for key in ("show_sold_by", "show_shipped_by", "show_delivery_promise", "show_seller_rating"):
        assert settings[key] is True


def test_the_demo_accounts_have_a_past(app, app_context):
    """After `make run`, "My orders", the seller portal and the back office have orders to show:
    one shipped with a tracking number (and a partial refund), one waiting for the demo seller,
    and conversations about them."""
    from storefront.marketplace.models import CustomerOrder, SellerOrderState, Thread, User

    _seed(app)
    session = db.session
    customer = session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[0].email))
    placed = session.scalars(select(CustomerOrder).where(CustomerOrder.customer_id == customer.id)).all()
    assert len(placed) == 2
    demo_seller = session.scalar(select(Seller).where(Seller.code == DEMO_ACCOUNTS[1].seller_code))
    states = sorted(so.state for order in placed for so in order.seller_orders if so.seller_id == demo_seller.id)
    assert states == sorted([SellerOrderState.SHIPPED, SellerOrderState.WAITING_ACCEPTANCE])
    assert session.scalar(select(func.count()).select_from(Thread)) == 2
    _seed(app)
    assert session.scalar(select(func.count()).select_from(CustomerOrder)) == 2
