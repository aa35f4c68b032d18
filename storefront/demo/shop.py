"""The demo shop around the catalog: sellers, categories, attributes, brands, delivery, carriers,
reason codes, topics, commissions, preferences and demo accounts.

Everything goes through the marketplace services, so the demo data obeys the same rules as data
entered in the back office. Each piece is created only if its code is missing: a second run
changes nothing, and a piece the operator edited since is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.marketplace import (
    accounts,
    delivery,
    discussions,
    finance,
    orders,
    preferences,
    reference,
    sellers,
    tracking,
)
from storefront.marketplace.models import (
    Attribute,
    Brand,
    Carrier,
    Category,
    CategoryAttribute,
    CategoryKind,
    CommissionRate,
    DeliveryMode,
    DiscussionTopic,
    OperatorRole,
    ReasonCode,
    Role,
    Seller,
    SellerRating,
    ShippingRate,
    StoreSetting,
    ValueList,
    ValueListItem,
    Zone,
)
from storefront.marketplace.unit_of_work import transaction

from .catalog import ShopIds
from .product_types import brand_names
from .vocabulary import (
    ATTRIBUTES,
    CARRIERS,
    CATEGORY_ATTRIBUTES,
    CATEGORY_COMMISSIONS_BP,
    DEFAULT_COMMISSION_BP,
    DELIVERY_MODES,
    DISCUSSION_TOPICS,
    EVENT_CATEGORY,
    RATING_COMMENTS,
    REASON_CODES,
    SELLER_COMMISSIONS_BP,
    SELLERS,
    STORE_SETTINGS,
    VALUE_LISTS,
    ZONES,
    siret,
    vat_number,
    walk,
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    name: str
    role: Role
    seller_code: str | None = None
    staff_role: OperatorRole | None = None  # operators: what the back office lets them do


# The README and the tests refer to these; the command prints them at the end of every run.
# ".example" is reserved (RFC 2606): nothing is ever delivered there, yet email_validator
# accepts it, unlike ".test" and ".localhost".
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("client@demo.storefront.example", "demo-client-2026", "Camille Martin", Role.CUSTOMER),
    DemoAccount("vendeur@demo.storefront.example", "demo-vendeur-2026", "Julien Moreau", Role.SELLER,
                seller_code="maison-electro"),
    DemoAccount("operateur@demo.storefront.example", "demo-operateur-2026", "Sophie Bernard",
                Role.OPERATOR, staff_role=OperatorRole.ADMIN),
    # One back-office account per other staff role, to see what each may open.
    DemoAccount("catalogue@demo.storefront.example", "demo-catalogue-2026", "Hugo Lefèvre",
                Role.OPERATOR, staff_role=OperatorRole.CATALOG),
    DemoAccount("service-client@demo.storefront.example", "demo-service-2026", "Inès Garnier",
                Role.OPERATOR, staff_role=OperatorRole.SUPPORT),
    DemoAccount("finance@demo.storefront.example", "demo-finance-2026", "Louis Mercier",
                Role.OPERATOR, staff_role=OperatorRole.FINANCE),
)


def ensure_shop(session: Session, *, seed: int) -> ShopIds:
    """Create whatever reference data is missing, in one transaction, and return the ids."""
    rng = random.Random(seed)
    with transaction(session):
        seller_ids = _ensure_sellers(session, rng)
        category_ids = _ensure_categories(session)
        _ensure_attributes(session)
        brand_ids = _ensure_brands(session)
        _ensure_delivery(session, seller_ids)
        _ensure_carriers(session)
        _ensure_reason_codes(session)
        _ensure_topics(session)
        _ensure_commissions(session, seller_ids)
        _ensure_settings(session)
        _ensure_accounts(session)
        attribute_ids, item_ids, item_labels = _attribute_maps(session)
    return ShopIds(
        category_ids=category_ids,
        attribute_ids=attribute_ids,
        item_ids=item_ids,
        item_labels=item_labels,
        brand_ids=brand_ids,
        seller_ids=seller_ids,
    )


def _ensure_sellers(session: Session, rng: random.Random) -> dict[str, int]:
    existing = dict(session.execute(select(Seller.code, Seller.id)).all())
    for spec in SELLERS:
        if spec.code in existing:
            continue
        if spec.is_operator:
            # A shop set up by hand may already have its retailer under another code: keep it.
            retailer = sellers.operator_seller(session, required=False)
            if retailer is not None:
                existing[spec.code] = retailer.id
                continue
        seller = sellers.create_seller(
            session,
            spec.code,
            spec.name,
            is_operator=spec.is_operator,
            legal_name=spec.legal_name,
            city=spec.city,
            country=spec.country,
            description=spec.description,
            return_policy=spec.return_policy,
            default_lead_time_days=spec.lead_time[0],
            cutoff_time=spec.cutoff,
        )
        seller.siret = siret(spec.siren) if spec.country == "FR" else ""
        seller.vat_number = vat_number(spec.siren, spec.country)
        _add_ratings(session, seller, spec.rating, rng)
        existing[spec.code] = seller.id
    return {spec.code: existing[spec.code] for spec in SELLERS}


def _add_ratings(session: Session, seller: Seller, rating: tuple[float, int], rng) -> None:
    """Ratings around the seller's average, with the denormalised sum and count to match."""
    average, count = rating
    grades = []
    for _ in range(count):
        grade = round(rng.gauss(average, 0.9))
        grades.append(min(5, max(1, grade)))
    session.add_all(
        SellerRating(seller_id=seller.id, grade=grade, comment=rng.choice(RATING_COMMENTS[grade]))
        for grade in grades
    )
    seller.rating_sum = sum(grades)
    seller.rating_count = len(grades)
    session.flush()


def _ensure_categories(session: Session) -> dict[str, int]:
    existing = set(session.scalars(select(Category.code)))
    for spec, parent, _level, position in walk():
        if spec.code not in existing:
            reference.create_category(
                session, spec.code, spec.label, parent_code=parent, label_en=spec.label_en,
                position=position,
            )
    if EVENT_CATEGORY.code not in existing:
        reference.create_category(
            session, EVENT_CATEGORY.code, EVENT_CATEGORY.label, label_en=EVENT_CATEGORY.label_en,
            position=100, kind=CategoryKind.EVENT,
        )
    return dict(session.execute(select(Category.code, Category.id)).all())


def _ensure_attributes(session: Session) -> None:
    lists = set(session.scalars(select(ValueList.code)))
    for code, (label, items) in VALUE_LISTS.items():
        if code not in lists:
            reference.create_value_list(session, code, label, items)
    attributes = set(session.scalars(select(Attribute.code)))
    for spec in ATTRIBUTES:
        if spec.code not in attributes:
            reference.create_attribute(
                session, spec.code, spec.label, spec.type, label_en=spec.label_en, unit=spec.unit,
                value_list_code=spec.value_list, variant_axis=spec.variant_axis,
                facetable=spec.facetable,
            )
    links = set(
        session.execute(
            select(Category.code, Attribute.code)
            .join(CategoryAttribute, CategoryAttribute.category_id == Category.id)
            .join(Attribute, CategoryAttribute.attribute_id == Attribute.id)
        )
    )
    for category_code, wanted in CATEGORY_ATTRIBUTES.items():
        for position, (attribute_code, requirement) in enumerate(wanted):
            if (category_code, attribute_code) not in links:
                reference.link_attribute(
                    session, category_code, attribute_code, requirement, position=position
                )


def _ensure_brands(session: Session) -> dict[str, int]:
    existing = dict(session.execute(select(Brand.name, Brand.id)).all())
    for name in brand_names():
        if name not in existing:
            existing[name] = reference.get_or_create_brand(session, name).id
    return existing


def _ensure_delivery(session: Session, seller_ids: dict[str, int]) -> None:
    modes = set(session.scalars(select(DeliveryMode.code)))
    for position, (code, label, label_en, saturday, min_weight) in enumerate(DELIVERY_MODES, 1):
        if code not in modes:
            delivery.create_mode(
                session, code, label, label_en=label_en, saturday_delivery=saturday,
                min_weight_grams=min_weight, position=position,
            )
    zones = set(session.scalars(select(Zone.code)))
    for code, label, label_en, rules in ZONES:
        if code not in zones:
            delivery.create_zone(session, code, label, label_en=label_en, rules=rules)
    rates = set(
        session.execute(
            select(ShippingRate.shipper_id, DeliveryMode.code, Zone.code)
            .join(DeliveryMode, ShippingRate.mode_id == DeliveryMode.id)
            .join(Zone, ShippingRate.zone_id == Zone.id)
        )
    )
    for spec in SELLERS:
        shipper_id = seller_ids[spec.code]
        for mode, zone, fee, extra, free, transit_min, transit_max in spec.rates:
            if (shipper_id, mode, zone) not in rates:
                delivery.set_rate(
                    session, shipper_id, mode, zone, fee=fee, extra_item_fee=extra,
                    free_threshold=free, transit_min=transit_min, transit_max=transit_max,
                )


def _ensure_carriers(session: Session) -> None:
    existing = set(session.scalars(select(Carrier.code)))
    for code, name, template in CARRIERS:
        if code not in existing:
            tracking.create_carrier(session, code, name, template)


def _ensure_reason_codes(session: Session) -> None:
    existing = set(session.execute(select(ReasonCode.type, ReasonCode.code)).all())
    for position, spec in enumerate(REASON_CODES):
        if (spec.type, spec.code) not in existing:
            orders.create_reason_code(
                session, spec.code, spec.type, spec.label, label_en=spec.label_en,
                customer_allowed=spec.customer, seller_allowed=spec.seller,
                operator_allowed=spec.operator, position=position,
            )


def _ensure_topics(session: Session) -> None:
    existing = set(session.scalars(select(DiscussionTopic.code)))
    for position, (code, label, label_en, message_type, about_order, about_offer) in enumerate(
        DISCUSSION_TOPICS
    ):
        if code not in existing:
            discussions.create_topic(
                session, code, label, label_en=label_en, message_type=message_type,
                about_order=about_order, about_offer=about_offer, position=position,
            )


def _ensure_commissions(session: Session, seller_ids: dict[str, int]) -> None:
    rows = session.execute(
        select(Category.code, Seller.code)
        .select_from(CommissionRate)
        .outerjoin(Category, CommissionRate.category_id == Category.id)
        .outerjoin(Seller, CommissionRate.seller_id == Seller.id)
    )
    existing = set(rows)
    if (None, None) not in existing:
        finance.set_commission_rate(session, DEFAULT_COMMISSION_BP)
    for category_code, rate in CATEGORY_COMMISSIONS_BP.items():
        if (category_code, None) not in existing:
            finance.set_commission_rate(session, rate, category_code=category_code)
    for seller_code, rate in SELLER_COMMISSIONS_BP.items():
        if (None, seller_code) not in existing:
            seller = session.get(Seller, seller_ids[seller_code])
            finance.set_commission_rate(session, rate, seller=seller)


def _ensure_settings(session: Session) -> None:
    existing = set(session.scalars(select(StoreSetting.key)))
    for key, value in STORE_SETTINGS.items():
        if key not in existing:
            preferences.set(session, key, value)


def _ensure_accounts(session: Session) -> None:
    for account in DEMO_ACCOUNTS:
        if accounts.find_user(session, account.email) is not None:
            continue
        seller = None
        if account.seller_code:
            seller = sellers.get_seller(session, code=account.seller_code)
        accounts.create_user(
            session, account.email, account.password, name=account.name, role=account.role,
            seller=seller, operator_role=account.staff_role,
        )


def _attribute_maps(session: Session):
    attribute_ids = dict(session.execute(select(Attribute.code, Attribute.id)).all())
    item_ids: dict[tuple[str, str], int] = {}
    item_labels: dict[tuple[str, str], str] = {}
    rows = session.execute(
        select(Attribute.code, ValueListItem.code, ValueListItem.id, ValueListItem.label)
        .join(ValueListItem, ValueListItem.value_list_id == Attribute.value_list_id)
    )
    for attribute_code, item_code, item_id, label in rows:
        item_ids[(attribute_code, item_code)] = item_id
        item_labels[(attribute_code, item_code)] = label
    return attribute_ids, item_ids, item_labels
