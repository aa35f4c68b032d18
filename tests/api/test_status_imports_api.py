"""Status and tracking imports through the API, over HTTP with a seller's token: multipart upload
with ``orders:write`` → 202 and a Location, the import's counts, its report as CSV; another
seller's import is 404, a token without the scope is refused."""

from __future__ import annotations

import httpx2 as httpx

from storefront.marketplace.models import SellerOrder, SellerOrderState
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.imports.helpers import csv_bytes
from tests.order_fixtures import build_people, part_of, place


def _send(live, token, files=None):  # noqa: F811
    return httpx.post(f"{live}/api/v1/orders/imports", headers={"Authorization": f"Bearer {token}"}, files=files)


def test_status_import_through_the_api(session, live):  # noqa: F811
    people = build_people(session)
    shop = people.shop
    alpha_order = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    beta_order = part_of(place(session, people.customer, (shop.offers["beta"], 1)), shop.beta)
    alpha = token_of(live, *client_for(session, shop.alpha, "orders:read orders:write"))
    beta = token_of(live, *client_for(session, shop.beta, "orders:read orders:write"))
    reader = token_of(live, *client_for(session, shop.alpha, "orders:read"))
    data = csv_bytes([["order-number", "action", "carrier", "tracking-number"],
                      [alpha_order.number, "accept", "", ""],
                      [alpha_order.number, "ship", "CHRONOPOST", "XY123456789FR"],
                      [beta_order.number, "accept", "", ""]])

    is_problem(_send(live, reader, files={"file": ("s.csv", data, "text/csv")}), 403, "insufficient_scope")
    answer = _send(live, alpha, files={"file": ("statuses.csv", data, "text/csv")})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert answer.headers["location"].endswith(f"/api/v1/orders/imports/{body['id']}")
    status = call(live, f"/api/v1/orders/imports/{body['id']}", alpha).json()
    assert (status["status"], status["read"], status["applied"], status["refused"], status["already_done"]) == (
        "COMPLETE", 3, 2, 1, 0)
    report = httpx.get(status["errors_url"], headers={"Authorization": f"Bearer {alpha}"})
    assert report.headers["content-type"].startswith("text/csv")
    assert report.text.lstrip("\ufeff").splitlines()[1].startswith(f"4;{beta_order.number};order;ERROR;")
    session.expire_all()
    assert session.get(SellerOrder, alpha_order.id).state == SellerOrderState.SHIPPED
    assert session.get(SellerOrder, beta_order.id).state == SellerOrderState.WAITING_ACCEPTANCE
    # The same file again: the same import, nothing to run.
    again = _send(live, alpha, files={"file": ("statuses.csv", data, "text/csv")})
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    # Another seller sees nothing of it; bad input is problem+json.
    is_problem(call(live, f"/api/v1/orders/imports/{body['id']}", beta), 404, "not_found")
    is_problem(_send(live, beta), 400, "invalid_value")
    refused = _send(live, beta, files={"file": ("x.csv", b"sku;price\r\nA;1\r\n", "text/csv")})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
