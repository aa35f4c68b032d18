"""The reference endpoints over HTTP with a real OAuth 2.0 client: the category tree, a
category's attributes (inherited, requirement levels, value lists), brands, reason codes for the
caller's role, discussion topics; scopes, parameters, and bounded query counts."""

from __future__ import annotations

from storefront.marketplace import reference
from storefront.marketplace.models import AttributeType, RequirementLevel
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.api.test_api_writes_and_limits import bearer, new_client
from tests.order_fixtures import build_people


def _reference_data(session):
    people = build_people(session)  # the checkout shop: Maison > Électroménager > Lave-linge
    reference.get_or_create_brand(session, "Zanussi")
    reference.get_or_create_brand(session, "Bosch")
    session.commit()
    return people


def test_reference_over_http(session, live):  # noqa: F811
    people = _reference_data(session)
    token = token_of(live, *client_for(session, people.shop.alpha, "reference:read"))

    tree = call(live, "/api/v1/categories", token)
    assert tree.status_code == 200, tree.json()
    home = next(node for node in tree.json()["items"] if node["code"] == "home")
    appliances = next(c for c in home["children"] if c["code"] == "appliances")
    assert home["label_en"] == "Home" and home["level"] == 1
    assert "washers" in [c["code"] for c in appliances["children"]]

    attributes = call(live, "/api/v1/categories/washers/attributes", token).json()
    by_code = {a["code"]: a for a in attributes["items"]}
    assert by_code["colour"]["requirement"] == "REQUIRED"  # the nearest category's level wins
    assert by_code["colour"]["from_category"] == "washers"
    assert [v["code"] for v in by_code["colour"]["values"]] == ["WHITE", "BLACK"]
    assert by_code["capacity_kg"] == {**by_code["capacity_kg"], "requirement": "RECOMMENDED",
                                      "unit": "kg", "values": None, "type": "DECIMAL"}
    assert by_code["silent"]["from_category"] == "appliances"
    is_problem(call(live, "/api/v1/categories/nope/attributes", token), 404, "not_found")

    brands = [b["name"] for b in call(live, "/api/v1/brands", token).json()["items"]]
    assert "Bosch" in brands and "Zanussi" in brands and brands == sorted(brands)

    reasons = call(live, "/api/v1/reason-codes", token, params={"type": "refund"}).json()["items"]
    assert reasons and {r["type"] for r in reasons} == {"REFUND"}
    every = call(live, "/api/v1/reason-codes", token).json()["items"]
    assert len({r["type"] for r in every}) > 1
    # The operator may give reasons a seller may not: the list is the caller's.
    operator = token_of(live, *client_for(session, None, "reference:read"))
    operator_codes = {(r["type"], r["code"]) for r in
                      call(live, "/api/v1/reason-codes", operator).json()["items"]}
    assert {(r["type"], r["code"]) for r in every} <= operator_codes

    topics = call(live, "/api/v1/discussion-topics", token).json()["items"]
    assert "WHERE_IS_MY_ORDER" in [t["code"] for t in topics]
    assert all({"about_order", "about_offer", "label", "label_en"} <= t.keys() for t in topics)


def test_parameters_and_scope(session, live):  # noqa: F811
    people = _reference_data(session)
    token = token_of(live, *client_for(session, people.shop.alpha, "reference:read"))
    body = is_problem(call(live, "/api/v1/reason-codes", token, params={"type": "BOGUS"}), 400,
                      "invalid_parameter")
    assert body["field"] == "type"
    for path in ("/api/v1/categories", "/api/v1/brands", "/api/v1/discussion-topics"):
        refused = call(live, path, token, params={"updated_since": "2026-01-01T00:00:00Z"})
        assert is_problem(refused, 400, "invalid_parameter")["field"] == "updated_since"
    assert is_problem(call(live, "/api/v1/categories", token, params={"kind": "x"}), 400,
                      "invalid_parameter")["field"] == "kind"
    other = token_of(live, *client_for(session, people.shop.alpha, "orders:read"))
    for path in ("/api/v1/categories", "/api/v1/categories/washers/attributes", "/api/v1/brands",
                 "/api/v1/reason-codes", "/api/v1/discussion-topics"):
        assert is_problem(call(live, path, other), 403, "insufficient_scope")["scope"] == "reference:read"


def test_query_counts_do_not_grow_with_the_data(session, client, count_queries):
    people = _reference_data(session)
    headers = bearer(client, *new_client(session, people.shop.alpha, "reference:read"))

    def counted(path):
        with count_queries() as statements:
            assert client.get(path, headers=headers).status_code == 200
        return len(statements)

    paths = ("/api/v1/categories", "/api/v1/categories/washers/attributes", "/api/v1/brands",
             "/api/v1/discussion-topics", "/api/v1/reason-codes")
    counted(paths[0])  # the process reads its list of revoked tokens here, once per interval
    before = {path: counted(path) for path in paths}
    for n in range(5):
        reference.get_or_create_brand(session, f"Marque {n}")
        reference.create_category(session, f"sub{n}", f"Sous {n}", parent_code="washers")
        reference.create_value_list(session, f"list{n}", f"Liste {n}", [(f"V{n}", f"V {n}", "")])
        reference.create_attribute(session, f"attr{n}", f"Attr {n}", AttributeType.LIST, value_list_code=f"list{n}")
        reference.link_attribute(session, "washers", f"attr{n}", RequirementLevel.OPTIONAL)
    session.commit()
    after = {path: counted(path) for path in paths}
    assert after == before and max(after.values()) <= 8, after
