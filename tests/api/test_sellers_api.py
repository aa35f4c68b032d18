"""The sellers API over HTTP with a real OAuth 2.0 client: a seller's own shop (read, profile
update), the operator's list and reads, scopes, isolation, and refused values."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from storefront.marketplace import sellers
from storefront.marketplace.models import Seller
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.api.test_catalog_api import send
from tests.order_fixtures import build_people


@pytest.fixture
def people(session):
    return build_people(session)


@pytest.fixture
def tokens(session, live, people):  # noqa: F811
    def token(seller, scopes="sellers:read sellers:write"):
        return token_of(live, *client_for(session, seller, scopes))

    shop = people.shop
    return {
        "alpha": token(shop.alpha),
        "beta": token(shop.beta),
        "alpha_reader": token(shop.alpha, "sellers:read"),
        "alpha_orders": token(shop.alpha, "orders:read"),
        "operator": token(None, "sellers:read sellers:write"),
    }


def _row(session, code) -> Seller:
    session.expire_all()
    return sellers.get_seller(session, code=code)


def test_a_seller_reads_and_updates_its_own_shop(session, live, people, tokens):  # noqa: F811
    mine = call(live, "/api/v1/sellers/me", tokens["alpha"])
    assert mine.status_code == 200, mine.json()
    body = mine.json()
    assert body["code"] == "alpha" and body["name"] == "Alpha Maison" and body["state"] == "OPEN"
    assert body["rating"] == {"grade": None, "count": 0} and body["created_at"].endswith("Z")
    slug = body["slug"]

    changed = send("PATCH", live, "/api/v1/sellers/me", tokens["alpha"], json={
        "name": "  Alpha Maison & Jardin ", "description": "Électroménager depuis 1987.",
        "return_policy": "Retours sous 30 jours.", "logo_url": "https://cdn.example.com/alpha.png",
        "default_lead_time_days": 3})
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "Alpha Maison & Jardin"
    assert changed.json()["slug"] == slug  # its pages keep their address
    row = _row(session, "alpha")
    assert (row.name, row.description, row.return_policy, row.logo_url, row.default_lead_time_days) == (
        "Alpha Maison & Jardin", "Électroménager depuis 1987.", "Retours sous 30 jours.",
        "https://cdn.example.com/alpha.png", 3)
    # Left out: unchanged; null empties a text.
    again = send("PATCH", live, "/api/v1/sellers/me", tokens["alpha"], json={"logo_url": None})
    assert again.status_code == 200 and again.json()["logo_url"] == ""
    assert _row(session, "alpha").description == "Électroménager depuis 1987."


def test_scopes_and_another_sellers_shop(session, live, people, tokens):  # noqa: F811
    is_problem(call(live, "/api/v1/sellers/me", tokens["alpha_orders"]), 403, "insufficient_scope")
    refused = send("PATCH", live, "/api/v1/sellers/me", tokens["alpha_reader"], json={"name": "X"})
    assert is_problem(refused, 403, "insufficient_scope")["scope"] == "sellers:write"
    assert _row(session, "alpha").name == "Alpha Maison"

    # Another seller's shop is as unknown as a missing one; a seller lists its own alone.
    is_problem(call(live, "/api/v1/sellers/beta", tokens["alpha"]), 404, "not_found")
    is_problem(call(live, "/api/v1/sellers/nobody", tokens["alpha"]), 404, "not_found")
    assert call(live, "/api/v1/sellers/alpha", tokens["alpha"]).json()["code"] == "alpha"
    listed = call(live, "/api/v1/sellers", tokens["alpha"]).json()
    assert [s["code"] for s in listed["items"]] == ["alpha"] and listed["next_cursor"] is None
    # Beta's client changes Beta only.
    send("PATCH", live, "/api/v1/sellers/me", tokens["beta"], json={"description": "Froid"})
    assert _row(session, "alpha").description == "" and _row(session, "beta").description == "Froid"


def test_the_operator_lists_pages_filters_and_reads_every_shop(session, live, people, tokens):  # noqa: F811
    shop = people.shop
    sellers.suspend_seller(session, shop.gamma, "KYC incomplete")
    token = tokens["operator"]
    seen, url = [], f"{live}/api/v1/sellers?limit=2"
    while url:
        page = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200, page.json()
        assert len(page.json()["items"]) <= 2
        seen += [s["code"] for s in page.json()["items"]]
        link = page.headers.get("link")
        url = link.split(">")[0][1:] if link else None
    assert seen == ["storefront", "alpha", "beta", "gamma"]
    suspended = call(live, "/api/v1/sellers", token, params={"state": "SUSPENDED"}).json()["items"]
    assert [(s["code"], s["suspended_reason"]) for s in suspended] == [("gamma", "KYC incomplete")]
    retailer = call(live, "/api/v1/sellers/storefront", token).json()
    assert retailer["is_operator"] is True
    # The operator's client has no shop of its own to read or change.
    is_problem(call(live, "/api/v1/sellers/me", token), 403, "not_allowed")
    is_problem(send("PATCH", live, "/api/v1/sellers/me", token, json={"name": "X"}), 403, "not_allowed")
    is_problem(call(live, "/api/v1/sellers", token, params={"state": "ASLEEP"}), 400, "invalid_parameter")
    is_problem(call(live, "/api/v1/sellers", token, params={"cursor": "forged"}), 400, "invalid_cursor")


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"name": 5}, "name"),
    ({"legal_name": "Autre SAS"}, "legal_name"),
    ({"state": "OPEN"}, "state"),
    ({"default_lead_time_days": -1}, "default_lead_time_days"),
    ({"default_lead_time_days": "2"}, "default_lead_time_days"),
    ({"logo_url": "http://cdn.example.com/a.png"}, "logo_url"),
    ({"description": "x" * 5001}, "description"),
    ({"city": "y" * 81}, "city"),
])
def test_refused_values_name_the_field_and_change_nothing(session, live, people, tokens, body, field):  # noqa: F811
    answer = send("PATCH", live, "/api/v1/sellers/me", tokens["alpha"],
                  json={"description": "Nouvelle description", **body})
    assert is_problem(answer, 422, "invalid_value")["field"] == field
    row = _row(session, "alpha")
    assert (row.name, row.description, row.default_lead_time_days, row.logo_url) == ("Alpha Maison", "", 1, "")


def test_a_body_that_is_not_json_is_refused(live, people, tokens):  # noqa: F811
    answer = send("PATCH", live, "/api/v1/sellers/me", tokens["alpha"], content=b"{",
                  headers={"Content-Type": "application/json"})
    is_problem(answer, 400, "malformed_json")


def test_the_three_domains_are_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    operations = {(path, method): op for path, item in doc["paths"].items() for method, op in item.items()}
    scopes = {key: op["security"][0]["oauth2"][0] for key, op in operations.items()
              if op["tags"][0] in ("sellers", "delivery", "finance")}
    assert scopes[("/api/v1/sellers/me", "patch")] == "sellers:write"
    assert scopes[("/api/v1/delivery/rates/{rate_id}", "patch")] == "delivery:write"
    assert scopes[("/api/v1/finance/commissions", "get")] == "finance:read"
    finance = [key for key in scopes if key[0].startswith("/api/v1/finance/")]
    assert {scopes[key] for key in finance} == {"finance:read"}
    assert len(finance) == 7  # commissions, statements (2), invoices (3: list, one, its PDF), ledger
    assert len(scopes) == 18
    promise = operations[("/api/v1/delivery/promise", "post")]
    assert any(p["name"] == "Idempotency-Key" for p in promise["parameters"])
    state = next(p for p in operations[("/api/v1/sellers", "get")]["parameters"] if p["name"] == "state")
    named = state["schema"]["$ref"].rsplit("/", 1)[1]  # the enum lives in the components
    assert set(doc["components"]["schemas"][named]["enum"]) == {"OPEN", "CLOSED", "SUSPENDED"}
    assert "/api/v1/finance/statements/{statement_id}" in doc["paths"]  # the finance issue landed


def test_the_list_runs_as_many_queries_for_one_shop_as_for_four(live, people, tokens, count_queries):  # noqa: F811
    def selects(limit):
        with count_queries() as statements:
            answer = call(live, "/api/v1/sellers", tokens["operator"], params={"limit": limit})
            assert len(answer.json()["items"]) == limit
        return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))

    selects(1)  # the process reads its list of revoked tokens on its first authenticated request
    one = selects(1)
    assert one >= 1 and selects(4) == one
