"""The OpenAPI document is built from the views' declared models and is valid OpenAPI 3.1."""

from __future__ import annotations

import jsonschema_rs
import schemathesis

from storefront.marketplace.api_clients import SCOPES


def test_document_lists_declared_operations_with_scopes_and_shapes(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    doc = answer.json
    assert doc["openapi"] == "3.1.0"
    accept = doc["paths"]["/api/v1/orders/{number}/accept"]["post"]
    assert accept["security"] == [{"oauth2": ["orders:write"]}]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in accept["parameters"])
    body_ref = accept["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = doc["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert body["additionalProperties"] is False and "line_ids" in body["properties"]
    assert accept["responses"]["default"]["content"]["application/problem+json"]
    listing = doc["paths"]["/api/v1/orders"]["get"]
    names = {p["name"]: p for p in listing["parameters"]}
    assert {"state", "created_since", "limit", "cursor"} <= set(names)
    assert names["limit"]["schema"]["maximum"] == 200
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert set(flows["scopes"]) == set(SCOPES) and flows["tokenUrl"] == "http://localhost/oauth/token"


def test_every_api_view_is_declared(app):
    """A view without @operation would be missing from the document and unvalidated."""
    missing = sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
        and not hasattr(app.view_functions[rule.endpoint], "api_operation")
    )
    assert missing == []


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_is_valid_openapi_31(client):
    """Against the OpenAPI 3.1 meta-schema (schemathesis carries it and checks with jsonschema_rs:
    no other package needed), every schema a valid JSON Schema 2020-12, every $ref resolving."""
    doc = client.get("/api/v1/openapi.json").json
    schemathesis.openapi.from_dict(doc).validate()  # raises on the first violation
    schemas = doc["components"]["schemas"]
    for name, schema in schemas.items():
        jsonschema_rs.meta.validate(schema)
        assert schema.get("title") or name
    broken = sorted({ref for ref in _refs(doc)
                     if not ref.startswith("#/components/schemas/") or ref.rsplit("/", 1)[1] not in schemas})
    assert broken == []
    # Query enums are named in components, not left as dangling pydantic $defs.
    state = next(p for p in doc["paths"]["/api/v1/orders"]["get"]["parameters"] if p["name"] == "state")
    assert state["schema"] == {"$ref": "#/components/schemas/SellerOrderState"}
    ids = [op["operationId"] for path in doc["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))


def test_every_post_is_idempotent_and_every_body_refuses_unknown_fields(client):
    doc = client.get("/api/v1/openapi.json").json
    schemas = doc["components"]["schemas"]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            names = {p["name"] for p in op["parameters"]}
            if method == "post":
                assert "Idempotency-Key" in names, f"POST {path}"
            if "requestBody" in op:
                body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                assert schemas[body.rsplit("/", 1)[1]]["additionalProperties"] is False, f"{method} {path}"


def test_free_texts_say_they_hold_no_nul_character(client):
    """The validation refuses NUL everywhere; the document says so, or a client (and
    schemathesis) would send what the document allows and be refused."""
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert schemas["RefuseBody"]["properties"]["note"]["pattern"] == "^[^\\u0000]*$"
    parcel = schemas["NewParcel"]["properties"]
    assert parcel["carrier_code"]["pattern"] == "\\S"  # its own, kept
    assert parcel["carrier_code"]["not"] == {"pattern": "\\u0000"}
