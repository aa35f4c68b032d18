"""Cart service: lines, the check against offers, the split into shipments, delivery choices and
totals (no HTTP). The shop is tests/checkout_fixtures.py's; times are a Tuesday morning."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.marketplace import buybox, catalog, delivery, preferences, sellers
from storefront.marketplace import cart as cart_service
from storefront.marketplace.cart import NoticeKind
from storefront.marketplace.errors import InvalidValue, NotDeliverable, NotFound, OutOfStock
from storefront.marketplace.models import Cart, CartLine
from tests import checkout_fixtures
from tests.checkout_fixtures import CORSICA, MAINLAND, MORNING, PARIS, guest_cart

shop = checkout_fixtures.shop  # the fixture, for this module's tests

# --- The split into shipments --------------------------------------------------------------------


def shipments_of(view):
    return {s.shipper.code: sorted(i.offer.sku for i in s.items) for s in view.shipments}


def test_first_party_only_is_one_retailer_shipment(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 2))
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert shipments_of(view) == {"storefront": ["W-1P"]}
    assert view.items[0].seller == shop.retailer and view.items[0].shipper == shop.retailer


def test_third_party_only_is_shipped_by_the_seller(session, shop):
    cart = guest_cart(session, (shop.offers["alpha"], 1), (shop.offers["alpha_washer"], 1))
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert shipments_of(view) == {"alpha": ["A-DRY", "A-WASH"]}


def test_operator_fulfilled_third_party_ships_with_the_retailer(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["first_party"], 1), (offers["gamma"], 1), (offers["alpha"], 1))
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert shipments_of(view) == {"storefront": ["G-OVEN", "W-1P"], "alpha": ["A-DRY"]}
    # The retailer's warehouse comes first; each line still says who sells it.
    assert [s.shipper.code for s in view.shipments] == ["storefront", "alpha"]
    gamma_line = next(i for i in view.items if i.offer.sku == "G-OVEN")
    assert gamma_line.seller == shop.gamma and gamma_line.shipper == shop.retailer


def test_several_sellers_ship_separately(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["beta"], 1), (offers["alpha"], 1))
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert shipments_of(view) == {"alpha": ["A-DRY"], "beta": ["B-FRIDGE"]}
    assert view.count == 2
    assert view.subtotal == 1500 + 800


# --- Fees, choices and totals ----------------------------------------------------------------------


def fees(shipment) -> dict[str, int]:
    return {option.mode.code: option.fee for option in shipment.options}


def test_highest_unit_fee_once_then_extra_item_fees(session, shop):
    offers = shop.offers
    # Alpha: THD 5.90 then 1.50 per further unit; RELAY 3.90 then 1.00. Three units, 48.99 €.
    cart = guest_cart(session, (offers["alpha"], 2), (offers["alpha_washer"], 1))
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    assert shipment.goods_total == 2 * 1500 + 1899
    assert fees(shipment) == {"THD": 590 + 2 * 150, "RELAY": 390 + 2 * 100}


def test_shipping_is_free_from_the_shippers_threshold(session, shop):
    offers = shop.offers
    # Alpha's THD is free from 50 €: 3 × 15 + 18.99 = 63.99 €. RELAY has no threshold.
    cart = guest_cart(session, (offers["alpha"], 3), (offers["alpha_washer"], 1))
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    assert fees(shipment) == {"THD": 0, "RELAY": 390 + 3 * 100}
    assert shipment.chosen.mode.code == "THD"  # the cheapest, when nothing was chosen
    # Below the threshold it is charged again.
    cart_service.set_quantity(session, cart, offers["alpha"].id, 1)
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    assert fees(shipment)["THD"] == 590 + 150


def test_fee_rule_is_deliverys_shipment_fee(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["first_party"], 1))
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    for option in shipment.options:
        assert option.fee == delivery.shipment_fee([1], option.rate, 1999)
    assert fees(shipment) == {"THD": 499, "EHD": 990}


def test_the_cheapest_mode_is_chosen_until_the_shopper_chooses(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["first_party"], 1), (offers["beta"], 1))
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert view.shipping_total == 499 + 690
    assert view.total == 1999 + 800 + 499 + 690

    cart_service.choose_delivery(session, cart, shop.retailer.id, "EHD", shop.mainland, now=MORNING)
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    retailer_shipment = view.shipments[0]
    assert retailer_shipment.chosen.mode.code == "EHD"
    assert view.shipping_total == 990 + 690
    assert view.total == view.subtotal + view.shipping_total


def test_a_mode_the_shipper_does_not_offer_in_the_zone_is_refused(session, shop):
    cart = guest_cart(session, (shop.offers["beta"], 1))
    with pytest.raises(NotDeliverable):
        cart_service.choose_delivery(session, cart, shop.beta.id, "EHD", shop.mainland, now=MORNING)
    with pytest.raises(NotDeliverable):
        cart_service.choose_delivery(session, cart, shop.beta.id, "NOPE", shop.mainland, now=MORNING)
    with pytest.raises(NotFound):  # Alpha ships nothing in this cart
        cart_service.choose_delivery(session, cart, shop.alpha.id, "THD", shop.mainland, now=MORNING)
    assert cart.deliveries == []


def test_a_choice_that_no_longer_applies_falls_back_to_the_cheapest(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 1))
    cart_service.choose_delivery(session, cart, shop.retailer.id, "EHD", shop.mainland, now=MORNING)
    # Corsica: the retailer has no express there.
    cart_service.set_address(session, cart, CORSICA, email="guest@example.com")
    view = cart_service.review(session, cart, shop.corsica, now=MORNING)
    assert view.shipments[0].chosen.mode.code == "THD"
    assert [n.kind for n in view.notices] == [NoticeKind.MODE_UNAVAILABLE]
    assert cart_service.review(session, cart, shop.corsica, now=MORNING).notices == []


def test_a_shipper_without_rates_in_the_zone_makes_the_cart_undeliverable(session, shop):
    cart = guest_cart(session, (shop.offers["alpha"], 1), (shop.offers["beta"], 1), address=CORSICA)
    view = cart_service.review(session, cart, shop.corsica, now=MORNING)
    assert not view.deliverable
    assert [s.shipper.code for s in view.undeliverable] == ["alpha"]


# --- Promises --------------------------------------------------------------------------------------


def test_promises_are_delivery_promise_with_the_largest_lead_time(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["first_party"], 1), (offers["gamma"], 1))
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    for option in shipment.options:
        assert option.promise == delivery.promise(
            MORNING,
            lead_time_days=1,
            transit_min=option.rate.transit_min,
            transit_max=option.rate.transit_max,
            saturday_delivery=option.mode.saturday_delivery,
            tz=PARIS,
        )
    cart = guest_cart(session, (offers["alpha"], 1), (offers["alpha_washer"], 1))  # lead 2 and 1
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    assert shipment.lead_time_days == 2
    thd = next(o for o in shipment.options if o.mode.code == "THD")
    assert thd.promise == delivery.promise(
        MORNING, lead_time_days=2, transit_min=2, transit_max=4, tz=PARIS
    )


@pytest.mark.parametrize("name", ["first_party", "alpha", "beta", "gamma"])
def test_one_unit_is_promised_the_dates_of_the_product_page(session, shop, name):
    offer = shop.offers[name]
    ranked = buybox.rank_offers(
        session, [offer], shop.mainland, retailer=sellers.operator_seller(session), now=MORNING,
        weight_grams=offer.product.weight_grams,
    )[0]
    cart = guest_cart(session, (offer, 1))
    [shipment] = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments
    assert shipment.shipper == ranked.shipper
    assert {o.mode.code: (o.fee, o.promise) for o in shipment.options} == {
        o.mode.code: (o.fee, o.promise) for o in ranked.options
    }


# --- The check against offers ----------------------------------------------------------------------


def test_review_applies_and_reports_corrections_once(session, shop):
    offers = shop.offers
    cart = guest_cart(
        session, (offers["first_party"], 3), (offers["alpha"], 4), (offers["beta"], 1), (offers["gamma"], 1)
    )
    catalog.upsert_offer(session, shop.retailer, offers["first_party"].product, "W-1P", price=1799,
                         stock=10, fulfillment="OPERATOR")
    catalog.set_stock(session, offers["alpha"], 2)
    catalog.deactivate_offer(session, offers["beta"])
    catalog.set_stock(session, offers["gamma"], 0)

    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    notices = {(n.kind, n.title, n.old, n.new) for n in view.notices}
    assert notices == {
        (NoticeKind.PRICE_CHANGED, "Lave-linge hublot 9 kg", 1999, 1799),
        (NoticeKind.QUANTITY_REDUCED, "Sèche-linge pompe à chaleur", 4, 2),
        (NoticeKind.REMOVED_INACTIVE, "Réfrigérateur combiné", None, None),
        (NoticeKind.REMOVED_OUT_OF_STOCK, "Four encastrable", None, None),
    }
    assert {(i.offer.sku, i.quantity, i.unit_price) for i in view.items} == {
        ("W-1P", 3, 1799), ("A-DRY", 2, 1500)
    }
    # Applied: the next look finds nothing to say.
    again = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert again.notices == [] and again.total == view.total
    assert {line.offer.sku: line.price_seen for line in cart.lines} == {"W-1P": 1799, "A-DRY": 1500}


def test_a_closed_shops_offers_leave_the_cart(session, shop):
    cart = guest_cart(session, (shop.offers["alpha"], 1))
    sellers.suspend_seller(session, shop.alpha, "documents manquants")
    view = cart_service.review(session, cart, shop.mainland, now=MORNING)
    assert view.is_empty
    assert [n.kind for n in view.notices] == [NoticeKind.REMOVED_INACTIVE]


def test_review_runs_the_same_queries_for_one_line_or_many(session, shop, count_queries):
    offers = shop.offers
    small = guest_cart(session, (offers["first_party"], 1))
    large = guest_cart(session, *[(offers[name], 1) for name in ("first_party", "alpha", "beta", "gamma", "alpha_washer")])
    cart_service.review(session, small, shop.mainland, now=MORNING)  # rates and retailer cached
    session.expire_all()
    with count_queries() as one:
        cart_service.review(session, small, shop.mainland, now=MORNING)
    session.expire_all()
    with count_queries() as many:
        cart_service.review(session, large, shop.mainland, now=MORNING)
    assert len(many) == len(one)
    # The cart, its lines with their offers, sellers and products, its delivery choices, and the
    # retailer (a primary-key read, expired above): the zone's rates come from memory.
    assert len(one) <= 4, one


def test_reference_data_is_read_again_once_changed(session, shop, count_queries):
    """The cache of zones, rates and preferences never serves what this process has changed."""
    cart = guest_cart(session, (shop.offers["first_party"], 1))
    before = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments[0].options
    delivery.set_rate(session, shop.retailer, "THD", "FR-MAIN", fee=1234, transit_min=1, transit_max=2)
    after = cart_service.review(session, cart, shop.mainland, now=MORNING).shipments[0].options
    assert {o.mode.code: o.fee for o in after}["THD"] == 1234
    assert {o.mode.code: o.fee for o in before}["THD"] != 1234
    assert delivery.zone_for(session, "FR", "75002").code == "FR-MAIN"
    zone = delivery.get_zone(session, "FR-MAIN")
    zone.label = "Métropole (nouveau)"
    session.commit()
    assert delivery.zone_for(session, "FR", "75002").label == "Métropole (nouveau)"
    preferences.set(session, "acceptance_delay_hours", 72)
    assert preferences.get(session, "acceptance_delay_hours") == 72


# --- Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [0, -1, "0", "-1", "1.5", "abc", "", None, "１", "1e3", True, "9999999"])
def test_quantities_must_be_whole_numbers_of_one_or_more(raw):
    with pytest.raises(InvalidValue):
        cart_service.parse_quantity(raw)


def test_quantities_in_range_are_accepted():
    assert cart_service.parse_quantity(" 3 ") == 3
    assert cart_service.parse_quantity(2) == 2


def line_count(session) -> int:
    return session.scalar(select(func.count()).select_from(CartLine))


def test_adding_above_stock_or_the_per_order_maximum_changes_nothing(session, shop):
    offers = shop.offers
    cart = guest_cart(session, (offers["beta"], 2))  # stock 3
    with pytest.raises(OutOfStock) as error:
        cart_service.add_item(session, cart, offers["beta"].id, 2)
    assert error.value.details["available"] == 3
    with pytest.raises(InvalidValue) as error:  # Alpha's dryer: at most 4 per order, 5 in stock
        cart_service.add_item(session, cart, offers["alpha"].id, 5)
    assert error.value.details["reason"] == "max_per_order"
    with pytest.raises(OutOfStock):
        cart_service.set_quantity(session, cart, offers["beta"].id, 4)
    with pytest.raises(InvalidValue):
        cart_service.add_item(session, cart, offers["beta"].id, 0)
    session.expire_all()
    assert [(line.offer_id, line.quantity) for line in cart.lines] == [(offers["beta"].id, 2)]


def test_inactive_unknown_or_mismatched_offers_cannot_be_added(session, shop):
    offers = shop.offers
    cart = cart_service.open_cart(session, token=cart_service.new_guest_token())
    catalog.deactivate_offer(session, offers["beta"])
    with pytest.raises(InvalidValue) as error:
        cart_service.add_item(session, cart, offers["beta"].id, 1)
    assert error.value.details["reason"] == "inactive"
    with pytest.raises(NotFound):
        cart_service.add_item(session, cart, 999_999, 1)
    with pytest.raises(InvalidValue) as error:
        cart_service.add_item(session, cart, offers["alpha"].id, 1, product_id=shop.products["washer"].id)
    assert error.value.details["reason"] == "wrong_product"
    assert line_count(session) == 0
    catalog.set_stock(session, offers["gamma"], 0)
    with pytest.raises(OutOfStock):
        cart_service.add_item(session, cart, offers["gamma"].id, 1)


def test_adding_the_same_offer_again_adds_to_its_line(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 1))
    cart_service.add_item(session, cart, shop.offers["first_party"].id, 2)
    assert [(line.quantity, line.price_seen) for line in cart.lines] == [(3, 1999)]
    cart_service.remove_item(session, cart, shop.offers["first_party"].id)
    assert cart.lines == []
    with pytest.raises(NotFound):
        cart_service.remove_item(session, cart, shop.offers["first_party"].id)


def test_an_address_outside_every_zone_is_refused(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 1), address=None)
    belgian = cart_service.ShippingAddress(name="Lou", line1="Rue Neuve 1", postal_code="1000",
                                           city="Bruxelles", country="BE")
    with pytest.raises(NotDeliverable) as error:
        cart_service.set_address(session, cart, belgian, email="lou@example.com")
    assert error.value.details["field"] == "postal_code"
    for bad, field in [
        (MAINLAND.__class__(**{**MAINLAND.__dict__, "postal_code": "7500"}), "postal_code"),
        (MAINLAND.__class__(**{**MAINLAND.__dict__, "country": "DE"}), "country"),
        (MAINLAND.__class__(**{**MAINLAND.__dict__, "name": " "}), "name"),
    ]:
        with pytest.raises((InvalidValue, NotDeliverable)) as error:
            cart_service.set_address(session, cart, bad, email="lou@example.com")
        assert error.value.details["field"] == field
    with pytest.raises(InvalidValue) as error:
        cart_service.set_address(session, cart, MAINLAND, email="not an email")
    assert error.value.details["field"] == "email"
    session.expire_all()
    assert not cart.has_address and cart.email == ""


# --- Merging at login --------------------------------------------------------------------------------


def test_a_guest_cart_merges_into_the_users_capped_by_stock(session, shop):
    offers = shop.offers
    mine = cart_service.open_cart(session, user_id=shop.customer.id)
    cart_service.add_item(session, mine, offers["beta"].id, 2)  # stock 3
    cart_service.add_item(session, mine, offers["first_party"].id, 1)
    guest = guest_cart(session, (offers["beta"], 2), (offers["alpha"], 1), (offers["first_party"], 2))
    token = guest.token

    merged = cart_service.merge_into_user(session, token, shop.customer)

    assert merged.id == mine.id
    assert {line.offer.sku: line.quantity for line in merged.lines} == {
        "B-FRIDGE": 3,  # 2 + 2, capped by the stock of 3
        "W-1P": 3,  # 1 + 2
        "A-DRY": 1,  # only in the guest's cart
    }
    assert merged.has_address  # the guest's checkout address came along
    assert cart_service.find_cart(session, token=token) is None
    assert session.scalar(select(func.count()).select_from(Cart)) == 1


def test_merging_without_a_guest_cart_changes_nothing(session, shop):
    assert cart_service.merge_into_user(session, None, shop.customer) is None
    assert cart_service.merge_into_user(session, "no-such-token", shop.customer) is None


def test_the_header_count_is_the_number_of_units(session, shop):
    cart = guest_cart(session, (shop.offers["first_party"], 2), (shop.offers["beta"], 1))
    assert cart_service.count_units(session, token=cart.token) == 3
    assert cart_service.count_units(session, token="unknown") == 0
    assert cart_service.count_units(session) == 0


def test_prices_seen_follow_the_offer_when_the_line_changes(session, shop):
    offer = shop.offers["first_party"]
    cart = guest_cart(session, (offer, 1))
    offer.price = 2099
    session.commit()
    cart_service.set_quantity(session, cart, offer.id, 2)
    assert cart.lines[0].price_seen == 2099
