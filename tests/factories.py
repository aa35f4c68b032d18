"""Small builders for service tests, going through the services themselves."""

from __future__ import annotations

import itertools

from storefront.marketplace import accounts, catalog, reference, sellers
from storefront.marketplace.catalog import gtin_check_digit
from storefront.marketplace.models import AttributeType, RequirementLevel, Role

_numbers = itertools.count(1)


def gtin() -> str:
    body = f"376{next(_numbers):09d}"
    return body + gtin_check_digit(body)


def seller(session, name="Boutique Test", **kwargs):
    code = kwargs.pop("code", f"S{next(_numbers)}")
    return sellers.create_seller(session, code, name, **kwargs)


def retailer(session):
    return sellers.create_seller(session, "storefront", "Storefront", is_operator=True)


def category_tree(session):
    """Maison > Électroménager > Lave-linge, with a colour list and a capacity number."""
    reference.create_value_list(
        session, "colours", "Couleurs", [("WHITE", "Blanc", "White"), ("BLACK", "Noir", "Black")]
    )
    reference.create_attribute(
        session, "colour", "Couleur", AttributeType.LIST, value_list_code="colours"
    )
    reference.create_attribute(session, "capacity_kg", "Capacité", AttributeType.DECIMAL, unit="kg")
    reference.create_attribute(session, "silent", "Silencieux", AttributeType.BOOLEAN)
    home = reference.create_category(session, "home", "Maison", label_en="Home")
    appliances = reference.create_category(session, "appliances", "Électroménager", parent_code="home")
    washers = reference.create_category(session, "washers", "Lave-linge", parent_code="appliances")
    reference.link_attribute(session, "home", "colour", RequirementLevel.OPTIONAL)
    reference.link_attribute(session, "washers", "colour", RequirementLevel.REQUIRED)
    reference.link_attribute(session, "washers", "capacity_kg", RequirementLevel.RECOMMENDED)
    reference.link_attribute(session, "appliances", "silent", RequirementLevel.OPTIONAL)
    return home, appliances, washers


def product(session, category_code="washers", **kwargs):
    attributes = kwargs.pop("attributes", {"colour": "WHITE", "capacity_kg": 9})
    return catalog.create_product(
        session,
        kwargs.pop("gtin", gtin()),
        kwargs.pop("title", "Lave-linge hublot 9 kg"),
        category_code,
        attributes=attributes,
        **kwargs,
    )


def user(session, role=Role.CUSTOMER, seller=None, email=None):
    email = email or f"user{next(_numbers)}@example.com"
    return accounts.create_user(session, email, "correct horse battery", role=role, seller=seller)


def seller_order(session, shop, customer=None, state=None):
    """A one-line order sold by ``shop``, written directly (placing orders is the checkout's
    job; these tests are about what happens after)."""
    from storefront.marketplace.models import (
        CustomerOrder,
        OrderLine,
        SellerOrder,
        SellerOrderState,
    )
    from storefront.marketplace.orders import new_order_number

    _ensure_tree(session)
    factories_product = product(session)
    offer = catalog.upsert_offer(
        session, shop, factories_product, f"SKU{next(_numbers)}", price=1000, stock=5
    )
    order = CustomerOrder(
        number=new_order_number(), customer_id=customer.id if customer else None,
        email=customer.email if customer else "guest@example.com", subtotal=1000, total=1000,
    )
    part = SellerOrder(
        number=f"{order.number}-A", customer_order=order, seller=shop,
        state=state or SellerOrderState.WAITING_ACCEPTANCE,
    )
    part.lines.append(
        OrderLine(offer=offer, product_id=offer.product_id, title=factories_product.title,
                  sku=offer.sku, unit_price=1000, quantity=1)
    )
    session.add(order)
    session.flush()
    return part


def _ensure_tree(session):
    from sqlalchemy import select

    from storefront.marketplace.models import Category

    if session.scalar(select(Category.id).where(Category.code == "washers")) is None:
        category_tree(session)
