"""The audit of the API's writes: each successful write kept once (not its replay, not a refused
one, not a read) with client, seller, object, body and status; secrets blanked and large bodies
summarised; read by the operator at GET /api/v1/audit and on /backoffice/api-audit (filters,
pages, a fixed number of queries); purged after a year."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront.marketplace import api_audit, housekeeping
from storefront.marketplace.models import ApiAuditEntry, utcnow
from tests.api.test_api_orders import is_problem, orders_placed  # noqa: F401
from tests.api.test_api_writes_and_limits import bearer, new_client
from tests.checkout_fixtures import tags_with
from tests.order_fixtures import Visitor

WRITE = "orders:read orders:write"


def entries(session) -> list[ApiAuditEntry]:
    session.expire_all()
    return list(session.scalars(select(ApiAuditEntry).order_by(ApiAuditEntry.id)))


@pytest.fixture
def api(app):
    """A client of its own for the API (the ``client`` fixture is the operator's browser)."""
    return app.test_client()


def test_a_write_is_kept_once_with_who_what_and_the_answer(session, api, orders_placed):  # noqa: F811
    people, (a1, a2, b1) = orders_placed
    client_id, secret = new_client(session, people.shop.alpha, WRITE)
    alpha = bearer(api, client_id, secret)
    # Reads and refused writes are not changes.
    assert api.get(f"/api/v1/orders/{a1.number}", headers=alpha).status_code == 200
    is_problem(api.post(f"/api/v1/orders/{b1.number}/accept", headers=alpha), 404, "not_found")
    is_problem(api.post(f"/api/v1/orders/{a1.number}/refuse", headers=alpha, json={"reason_code": "NOPE"}),
               422, "invalid_value")
    assert entries(session) == []

    once = {**alpha, "Idempotency-Key": "accept-a1"}
    body = {"expected_version": a1.version}
    accepted = api.post(f"/api/v1/orders/{a1.number}/accept", headers=once, json=body)
    assert accepted.status_code == 200
    replay = api.post(f"/api/v1/orders/{a1.number}/accept", headers=once, json=body)
    assert replay.headers["Idempotent-Replayed"] == "true"
    (entry,) = entries(session)
    assert (entry.client_id, entry.seller_id, entry.method, entry.path, entry.status) == (
        client_id, people.shop.alpha.id, "POST", f"/api/v1/orders/{a1.number}/accept", 200)
    assert (entry.object_kind, entry.object_id, entry.change) == ("order", a1.number, body)
    assert utcnow() - entry.created_at < timedelta(minutes=1)

    # The operator's client: no seller; a body-less POST keeps no change.
    operator = bearer(api, *new_client(session, None, WRITE))
    assert api.post(f"/api/v1/orders/{a2.number}/accept", headers=operator).status_code == 200
    last = entries(session)[-1]
    assert last.seller_id is None and last.object_id == a2.number and last.change is None


def test_a_creation_names_the_new_object_and_a_bulk_body_is_summarised(session, api, orders_placed):  # noqa: F811
    people, _ = orders_placed
    beta = bearer(api, *new_client(session, people.shop.beta, "catalog:read catalog:write"))
    created = api.post("/api/v1/offers", headers=beta, json={
        "product_id": people.shop.products["dryer"].id, "sku": "B-DRY", "price": 1700, "stock": 2})
    assert created.status_code == 201, created.json
    many = [{"product_id": 999_999, "sku": f"B-{i:04d}", "price": 1000, "stock": 1} for i in range(200)]
    assert api.post("/api/v1/offers/bulk", headers=beta, json={"offers": many}).status_code == 200
    creation, bulk = entries(session)
    assert (creation.object_kind, creation.object_id, creation.status) == ("offer", str(created.json["id"]), 201)
    assert creation.change["sku"] == "B-DRY"
    assert (bulk.object_kind, bulk.object_id, bulk.path) == ("offer", "", "/api/v1/offers/bulk")
    assert bulk.change["truncated"] is True and bulk.change["fields"] == {"offers": "200 items"}
    assert bulk.change["size"] > api_audit.MAX_CHANGE


def test_secrets_are_blanked_at_any_depth_and_long_text_bounded():
    change = {"name": "ERP", "client_secret": "s3cr3t", "nested": [{"Password": "p", "ok": 1}],
              "webhook": {"secret": "whsec_x", "url": "https://erp.example/hooks"}, "access_token": "t"}
    kept = api_audit.bounded(change)
    assert kept == {"name": "ERP", "client_secret": "[redacted]", "nested": [{"Password": "[redacted]", "ok": 1}],
                    "webhook": {"secret": "[redacted]", "url": "https://erp.example/hooks"},
                    "access_token": "[redacted]"}
    big = api_audit.bounded({"note": "x" * 10_000, "password": "p" * 10_000})
    assert big["fields"] == {"note": "x" * 100 + "…", "password": "[redacted]"}
    assert "p" * 50 not in str(big)
    assert api_audit.bounded(None) is None and api_audit.bounded([1] * 5_000) == {
        "truncated": True, "size": len(str([1] * 5_000)), "items": 5_000}


def test_the_operator_reads_the_audit_through_the_api(session, api, orders_placed):  # noqa: F811
    people, (a1, a2, _b1) = orders_placed
    alpha_id, alpha_secret = new_client(session, people.shop.alpha, WRITE + " sellers:read")
    alpha = bearer(api, alpha_id, alpha_secret)
    for order in (a1, a2):
        assert api.post(f"/api/v1/orders/{order.number}/accept", headers=alpha).status_code == 200
    is_problem(api.get("/api/v1/audit", headers=alpha), 403, "not_allowed")
    no_scope = bearer(api, *new_client(session, None, "orders:read"))
    is_problem(api.get("/api/v1/audit", headers=no_scope), 403, "insufficient_scope")

    operator = bearer(api, *new_client(session, None, "sellers:read"))
    listed = api.get("/api/v1/audit", headers=operator)
    assert listed.status_code == 200
    items = listed.json["items"]
    assert [i["object_id"] for i in items] == [a2.number, a1.number]  # newest first
    assert items[0]["client_id"] == alpha_id and items[0]["client_name"] == "ERP"
    assert items[0]["seller_id"] == people.shop.alpha.id and items[0]["at"].endswith("Z")
    first = api.get("/api/v1/audit?limit=1", headers=operator)
    assert [i["object_id"] for i in first.json["items"]] == [a2.number] and 'rel="next"' in first.headers["Link"]
    second = api.get(f"/api/v1/audit?limit=1&cursor={first.json['next_cursor']}", headers=operator)
    assert [i["object_id"] for i in second.json["items"]] == [a1.number] and second.json["next_cursor"] is None
    only = api.get(f"/api/v1/audit?object_kind=order&object_id={a1.number}", headers=operator).json["items"]
    assert [i["object_id"] for i in only] == [a1.number]
    assert api.get("/api/v1/audit?operator=true", headers=operator).json["items"] == []
    later = (utcnow() + timedelta(hours=1)).isoformat()
    assert api.get("/api/v1/audit", headers=operator, query_string={"since": later}).json["items"] == []
    is_problem(api.get("/api/v1/audit?since=yesterday", headers=operator), 400, "invalid_parameter")
    is_problem(api.get("/api/v1/audit?cursor=forged", headers=operator), 400, "invalid_cursor")


def _record(session, people, count, *, seller=None, kind="order", object_id="SF-1", at=None):
    for i in range(count):
        api_audit.record(session, client_id="sfc_test", seller_id=seller.id if seller else None,
                         method="POST", path=f"/api/v1/orders/{object_id}/accept", object_kind=kind,
                         object_id=object_id, change={"n": i}, status=200, at=at)


def test_the_back_office_page_filters_pages_and_runs_a_fixed_number_of_queries(
        session, client, orders_placed, count_queries):  # noqa: F811
    people, (a1, _a2, _b1) = orders_placed
    shop = people.shop
    _record(session, people, 2, seller=shop.alpha, object_id=a1.number)
    _record(session, people, 1, seller=shop.beta, kind="offer", object_id="42")
    _record(session, people, 1, object_id="SF-OLD", at=utcnow() - timedelta(days=40))
    operator = Visitor(client).log_in(people.operator)

    page = operator.page("/backoffice/api-audit")
    assert 'href="/backoffice/api-audit" aria-current="page"' in page  # in the navigation
    rows = tags_with(page, "audit-row")
    assert len(rows) == 4 and "42" in page and a1.number in page and "Operator" in page
    assert f'href="/backoffice/orders/{a1.number}"' in page

    def ids(query):
        return len(tags_with(operator.page(f"/backoffice/api-audit?{query}"), "audit-row"))

    assert ids("seller=alpha") == 2 and ids("seller=beta") == 1 and ids("seller=operator") == 1
    assert ids("kind=offer") == 1 and ids(f"object={a1.number}") == 2 and ids("client=sfc_test") == 4
    assert ids("client=someone") == 0
    today = utcnow().date()
    assert ids(f"since={today - timedelta(days=1)}") == 3
    assert ids(f"until={today - timedelta(days=30)}") == 1
    assert operator.get("/backoffice/api-audit?since=%00&until=2026-13-45&kind=%00&page=x").status_code == 200

    with count_queries() as statements:
        operator.page("/backoffice/api-audit")
    few = len(statements)
    _record(session, people, 60, seller=shop.beta, kind="offer", object_id="43")
    with count_queries() as statements:
        crowded = operator.page("/backoffice/api-audit")
    assert len(statements) == few
    assert len(tags_with(crowded, "audit-row")) == 50 and "Page 1 of 2" in crowded
    assert len(tags_with(operator.page("/backoffice/api-audit?page=2"), "audit-row")) == 14


def test_the_page_is_for_the_operator_in_french_first(app, client, session, orders_placed):  # noqa: F811
    people, _ = orders_placed
    assert client.get("/backoffice/api-audit").status_code in (302, 303)
    seller = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert seller.get("/backoffice/api-audit").status_code == 403
    operator = Visitor(client).log_in(people.operator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = operator.page("/backoffice/api-audit")
    assert "Journal de l’API" in page and "Aucune modification" in page
    assert not re.search(r"No change through the API|API audit", page)


def test_the_housekeeping_purges_entries_after_a_year(session, orders_placed):  # noqa: F811
    people, _ = orders_placed
    now = utcnow()
    _record(session, people, 2, object_id="OLD", at=now - timedelta(days=366))
    _record(session, people, 1, object_id="KEPT", at=now - timedelta(days=300))
    session.commit()
    done = housekeeping.run_all(session, now=now, settings={"CART_RETENTION_DAYS": 30, "OUTBOX_RETENTION_DAYS": 30})
    assert done["api_audit"] == 2
    assert session.scalars(select(ApiAuditEntry.object_id)).all() == ["KEPT"]
    assert session.scalar(select(func.count(ApiAuditEntry.id))) == 1
