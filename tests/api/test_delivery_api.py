"""The delivery API over HTTP with a real OAuth 2.0 client: modes, zones, carriers, rates with
ETag and If-Match, seller isolation, refused values, and the promise, which must be what the
product page and the cart show for the same offer and postal code."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from sqlalchemy import select

from storefront.marketplace import cart as cart_service
from storefront.marketplace import listing, product_detail, webhooks
from storefront.marketplace.models import ProductListing, ShippingRate, WebhookEvent
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.api.test_catalog_api import send
from tests.checkout_fixtures import MORNING, guest_cart
from tests.order_fixtures import build_people


@pytest.fixture
def people(session):
    return build_people(session)


@pytest.fixture
def tokens(session, live, people):  # noqa: F811
    def token(seller, scopes="delivery:read delivery:write"):
        return token_of(live, *client_for(session, seller, scopes))

    shop = people.shop
    return {
        "alpha": token(shop.alpha),
        "beta": token(shop.beta),
        "alpha_reader": token(shop.alpha, "delivery:read"),
        "alpha_orders": token(shop.alpha, "orders:read"),
        "operator": token(None),
    }


@pytest.fixture
def morning(app):
    """The shop's clock stopped on a Tuesday morning, before the cut-off."""
    app.config["FROZEN_TIME"] = MORNING
    yield MORNING
    app.config.pop("FROZEN_TIME", None)


def _rate(session, shipper, mode_code, zone_code="FR-MAIN") -> ShippingRate:
    session.expire_all()
    return next(r for r in session.scalars(select(ShippingRate))
                if r.shipper_id == shipper.id and r.mode.code == mode_code and r.zone.code == zone_code)


def _values(rate: ShippingRate) -> tuple:
    return rate.fee, rate.extra_item_fee, rate.free_threshold, rate.transit_min, rate.transit_max


def test_modes_zones_and_carriers(live, people, tokens):  # noqa: F811
    token = tokens["alpha_reader"]
    modes = call(live, "/api/v1/delivery/modes", token).json()["items"]
    assert [(m["code"], m["saturday_delivery"]) for m in modes] == [
        ("THD", False), ("EHD", True), ("RELAY", False)]
    assert modes[0]["label"] == "Standard suivi" and modes[0]["label_en"] == "Tracked standard"
    zones = call(live, "/api/v1/delivery/zones", token).json()["items"]
    assert [(z["code"], z["rules"]) for z in zones] == [
        ("FR-COR", [{"country": "FR", "postal_prefix": "20"}]),
        ("FR-MAIN", [{"country": "FR", "postal_prefix": ""}])]
    carriers = call(live, "/api/v1/delivery/carriers", token).json()["items"]
    assert carriers and all("{tracking}" in c["tracking_url_template"] for c in carriers if c["tracking_url_template"])
    assert "COLISSIMO" in {c["code"] for c in carriers}
    is_problem(call(live, "/api/v1/delivery/modes", tokens["alpha_orders"]), 403, "insufficient_scope")


def test_each_seller_reads_its_rates_and_the_operator_all(live, people, tokens):  # noqa: F811
    mine = call(live, "/api/v1/delivery/rates", tokens["alpha"]).json()["items"]
    assert {(r["seller"], r["mode"], r["zone"]) for r in mine} == {
        ("alpha", "THD", "FR-MAIN"), ("alpha", "RELAY", "FR-MAIN")}
    thd = next(r for r in mine if r["mode"] == "THD")
    assert thd["fee"] == {"amount": 590, "currency": "EUR"}
    assert thd["free_threshold"] == {"amount": 5000, "currency": "EUR"}
    assert (thd["transit_min"], thd["transit_max"]) == (2, 4)
    # The seller filter is the operator's: a seller's client still sees its own alone.
    assert call(live, "/api/v1/delivery/rates", tokens["alpha"], params={"seller": "beta"}).json()["items"] == mine

    token, seen, url = tokens["operator"], [], f"{live}/api/v1/delivery/rates?limit=3"
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200 and len(page.json()["items"]) <= 3
        seen += page.json()["items"]
        link = page.headers.get("link")
        url = link.split(">")[0][1:] if link else None
    assert len(seen) == 7 and [r["id"] for r in seen] == sorted(r["id"] for r in seen)
    betas = call(live, "/api/v1/delivery/rates", token, params={"seller": "beta"}).json()["items"]
    assert {(r["mode"], r["zone"]) for r in betas} == {("THD", "FR-MAIN"), ("THD", "FR-COR")}
    is_problem(call(live, "/api/v1/delivery/rates", token, params={"cursor": "x"}), 400, "invalid_cursor")


def test_a_seller_updates_its_rate_with_if_match(session, live, people, tokens):  # noqa: F811
    shop = people.shop
    listing.refresh(session)
    webhooks.subscribe(session, shop.alpha, "http://127.0.0.1:9/alpha", ["rate.updated"], allow_private=True)
    webhooks.subscribe(session, shop.beta, "http://127.0.0.1:9/beta", ["rate.updated"], allow_private=True)
    relay = _rate(session, shop.alpha, "RELAY")
    url = f"/api/v1/delivery/rates/{relay.id}"

    read = call(live, url, tokens["alpha"])
    tag = read.headers["etag"]
    assert read.json()["etag"] == tag and read.json()["fee"]["amount"] == 390
    assert is_problem(send("PATCH", live, url, tokens["alpha"], json={"fee": 100}), 428,
                      "precondition_required")["field"] == "If-Match"
    updated = send("PATCH", live, url, tokens["alpha"], headers={"If-Match": tag},
                   json={"fee": 100, "free_threshold": 2500, "transit_max": 6})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["fee"]["amount"] == 100 and updated.json()["free_threshold"]["amount"] == 2500
    assert updated.headers["etag"] != tag
    assert _values(_rate(session, shop.alpha, "RELAY")) == (100, 100, 2500, 3, 6)
    # The category pages' delivered price follows: the dryer is now 15,00 € + 1,00 €.
    best = session.scalar(select(ProductListing.best_total).where(
        ProductListing.product_id == shop.products["dryer"].id, ProductListing.zone_id == shop.mainland.id))
    assert best == 1500 + 100
    # Alpha's systems hear of it (Beta's do not).
    events = list(session.scalars(select(WebhookEvent).where(WebhookEvent.type == "rate.updated")))
    assert [(e.seller_id, e.payload["rate_id"], e.payload["fee"], e.payload["mode"]) for e in events] == [
        (shop.alpha.id, relay.id, 100, "RELAY")]

    stale = send("PATCH", live, url, tokens["alpha"], headers={"If-Match": tag}, json={"fee": 50})
    assert is_problem(stale, 412, "precondition_failed")["etag"] == updated.headers["etag"]
    removed = send("PATCH", live, url, tokens["alpha"], headers={"If-Match": updated.headers["etag"]},
                   json={"free_threshold": None})
    assert removed.status_code == 200 and removed.json()["free_threshold"] is None
    assert _values(_rate(session, shop.alpha, "RELAY")) == (100, 100, None, 3, 6)


def test_another_sellers_rate_is_unknown_and_untouched(session, live, people, tokens):  # noqa: F811
    shop = people.shop
    rate = _rate(session, shop.alpha, "THD")
    before = _values(rate)
    url = f"/api/v1/delivery/rates/{rate.id}"
    is_problem(call(live, url, tokens["beta"]), 404, "not_found")
    is_problem(send("PATCH", live, url, tokens["beta"], json={"fee": 0}, headers={"If-Match": "*"}),
               404, "not_found")
    is_problem(call(live, "/api/v1/delivery/rates/999999", tokens["alpha"]), 404, "not_found")
    # The operator reads it, but rates are changed by their seller.
    assert call(live, url, tokens["operator"]).status_code == 200
    is_problem(send("PATCH", live, url, tokens["operator"], json={"fee": 0}, headers={"If-Match": "*"}),
               403, "not_allowed")
    refused = send("PATCH", live, url, tokens["alpha_reader"], json={"fee": 0}, headers={"If-Match": "*"})
    assert is_problem(refused, 403, "insufficient_scope")["scope"] == "delivery:write"
    assert _values(_rate(session, shop.alpha, "THD")) == before


@pytest.mark.parametrize("body, field", [
    ({"fee": -1}, "fee"),
    ({"extra_item_fee": -50}, "extra_item_fee"),
    ({"fee": "590"}, "fee"),
    ({"fee": 5.9}, "fee"),
    ({"fee": None}, "fee"),
    ({"transit_min": 5}, "transit_max"),  # above the maximum (4)
    ({"transit_max": -2}, "transit_max"),
    ({"mode": "EHD"}, "mode"),
    ({"currency": "USD"}, "currency"),
])
def test_refused_values_name_the_field_and_write_nothing(session, live, people, tokens, body, field):  # noqa: F811
    rate = _rate(session, people.shop.alpha, "THD")
    before = _values(rate)
    url = f"/api/v1/delivery/rates/{rate.id}"
    tag = call(live, url, tokens["alpha"]).headers["etag"]
    answer = send("PATCH", live, url, tokens["alpha"], json={"extra_item_fee": 0, **body},
                  headers={"If-Match": tag})
    assert is_problem(answer, 422, "invalid_value")["field"] == field
    assert _values(_rate(session, people.shop.alpha, "THD")) == before


def _shown(options) -> list[tuple]:
    return [(o.mode.code, o.fee, o.promise.ship_by.isoformat(), o.promise.earliest.isoformat(),
             o.promise.latest.isoformat()) for o in options]


def _answered(body) -> list[tuple]:
    assert all(o["fee"]["currency"] == "EUR" for o in body["options"])
    return [(o["mode"]["code"], o["fee"]["amount"], o["ship_by"], o["promised_from"], o["promised_to"])
            for o in body["options"]]


def test_the_promise_is_what_the_shop_shows(session, live, people, tokens, morning):  # noqa: F811
    shop = people.shop
    offer = shop.offers["alpha"]  # the dryer, 15,00 €, 2 days to ship, by Alpha
    answer = send("POST", live, "/api/v1/delivery/promise", tokens["alpha_reader"],
                  json={"offer_id": offer.id, "postal_code": "75002"})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["shipper"] == {"code": "alpha", "name": "Alpha Maison"}
    assert body["zone"]["code"] == "FR-MAIN" and body["quantity"] == 1
    page = product_detail.product_detail(session, shop.products["dryer"].id, shop.mainland, now=morning)
    assert _answered(body) == _shown(page.offer(offer.id).options)
    assert [o[0] for o in _answered(body)] == ["THD", "RELAY"]

    # Two units: the cart's fees (one full fee, one extra-item fee) and dates.
    two = send("POST", live, "/api/v1/delivery/promise", tokens["alpha_reader"],
               json={"offer_id": offer.id, "postal_code": "75002", "quantity": 2})
    cart = guest_cart(session, (offer, 2))
    view = cart_service.review(session, cart, shop.mainland, now=morning)
    assert _answered(two.json()) == _shown(view.shipments[0].options)
    assert [o[1] for o in _answered(two.json())] == [590 + 150, 390 + 100]
    one_mode = send("POST", live, "/api/v1/delivery/promise", tokens["alpha_reader"],
                    json={"offer_id": offer.id, "postal_code": "75002", "mode": "RELAY"})
    assert _answered(one_mode.json()) == _answered(body)[1:]

    # An offer stored and shipped by the retailer (the operator's client may ask about any).
    gamma = shop.offers["gamma"]
    stored = send("POST", live, "/api/v1/delivery/promise", tokens["operator"],
                  json={"offer_id": gamma.id, "postal_code": "75002"})
    assert stored.json()["shipper"]["code"] == "storefront"
    oven = product_detail.product_detail(session, shop.products["oven"].id, shop.mainland, now=morning)
    assert _answered(stored.json()) == _shown(oven.offer(gamma.id).options)


def test_the_promise_retried_with_its_key_answers_the_same(live, people, tokens, morning):  # noqa: F811
    body = {"offer_id": people.shop.offers["alpha"].id, "postal_code": "75002"}
    headers = {"Idempotency-Key": "promise-1"}
    first = send("POST", live, "/api/v1/delivery/promise", tokens["alpha"], json=body, headers=headers)
    again = send("POST", live, "/api/v1/delivery/promise", tokens["alpha"], json=body, headers=headers)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()


@pytest.mark.parametrize("change, status, code, field", [
    ({"postal_code": "20000"}, 422, "not_deliverable", "postal_code"),  # Alpha has no Corsican rate
    ({"postal_code": "1000", "country": "BE"}, 422, "not_deliverable", "postal_code"),  # no zone
    ({"postal_code": "ABC"}, 422, "invalid_value", "postal_code"),
    ({"country": "F"}, 422, "invalid_value", "country"),
    ({"country": "12"}, 422, "invalid_value", "country"),
    ({"quantity": 0}, 422, "invalid_value", "quantity"),
    ({"quantity": "2"}, 422, "invalid_value", "quantity"),
    ({"mode": "TELEPORT"}, 422, "invalid_value", "mode"),
    ({"mode": "EHD"}, 422, "not_deliverable", "mode"),  # a mode Alpha does not offer
    ({"offer_id": -3}, 422, "invalid_value", "offer_id"),
    ({"colour": "red"}, 422, "invalid_value", "colour"),
])
def test_the_promise_refuses_what_it_cannot_answer(live, people, tokens, morning, change, status, code, field):  # noqa: F811
    body = {"offer_id": people.shop.offers["alpha"].id, "postal_code": "75002", **change}
    answer = send("POST", live, "/api/v1/delivery/promise", tokens["alpha"], json=body)
    assert is_problem(answer, status, code)["field"] == field


def test_the_promise_of_another_sellers_offer_is_unknown(live, people, tokens):  # noqa: F811
    body = {"offer_id": people.shop.offers["beta"].id, "postal_code": "75002"}
    is_problem(send("POST", live, "/api/v1/delivery/promise", tokens["alpha"], json=body), 404, "not_found")
    is_problem(send("POST", live, "/api/v1/delivery/promise", tokens["alpha_orders"], json=body),
               403, "insufficient_scope")


def test_the_rates_list_runs_as_many_queries_for_one_rate_as_for_seven(live, people, tokens, count_queries):  # noqa: F811
    def selects(limit):
        with count_queries() as statements:
            answer = call(live, "/api/v1/delivery/rates", tokens["operator"], params={"limit": limit})
            assert len(answer.json()["items"]) == limit
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    selects(1)  # the process reads its list of revoked tokens on its first authenticated request
    one = selects(1)
    assert one >= 1 and selects(7) == one
