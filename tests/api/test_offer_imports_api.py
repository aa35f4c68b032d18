"""Offer imports through the API: multipart upload → 202 and a Location, the import's status and
counts, its error report as CSV; problem+json for bad input; another seller's import is 404."""

from __future__ import annotations

import httpx2 as httpx

from storefront.marketplace.models import Offer
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.imports.helpers import csv_bytes


def _send(live, token, files=None, data=None):  # noqa: F811
    return httpx.post(f"{live}/api/v1/offers/imports", headers={"Authorization": f"Bearer {token}"},
                      files=files, data=data)


def test_offer_import_through_the_api(session, live, mini_shop):  # noqa: F811
    martin = token_of(live, *client_for(session, mini_shop.martin, "catalog:read catalog:write"))
    occaz = token_of(live, *client_for(session, mini_shop.occaz, "catalog:read catalog:write"))
    fridge = mini_shop.fridge
    data = csv_bytes([["sku", "ean", "price", "quantity"], ["MM-FRIDGE", fridge.gtin, "999.00", "2"],
                      ["MM-BAD", fridge.gtin, "1.00", "-2"]])
    answer = _send(live, martin, files={"file": ("offers.csv", data, "text/csv")}, data={"mode": "NORMAL"})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert answer.headers["location"].endswith(f"/api/v1/offers/imports/{body['id']}")
    status = call(live, f"/api/v1/offers/imports/{body['id']}", martin).json()
    assert (status["status"], status["created"], status["refused"], status["read"]) == ("COMPLETE", 1, 1, 2)
    report = httpx.get(status["errors_url"], headers={"Authorization": f"Bearer {martin}"})
    assert report.headers["content-type"].startswith("text/csv")
    assert report.text.lstrip("\ufeff").splitlines()[1].startswith("3;MM-BAD;stock;ERROR;")
    session.expire_all()
    assert session.query(Offer).filter_by(sku="MM-FRIDGE").one().price == 99900
    # Another seller sees nothing of it.
    is_problem(call(live, f"/api/v1/offers/imports/{body['id']}", occaz), 404, "not_found")
    # Bad input: no file, a file refused as a whole, an unknown mode.
    is_problem(_send(live, occaz, data={"mode": "NORMAL"}), 400, "invalid_value")
    refused = _send(live, occaz, files={"file": ("x.csv", b"", "text/csv")})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    is_problem(_send(live, occaz, files={"file": ("x.csv", data, "text/csv")}, data={"mode": "ALL"}), 422,
               "invalid_value")
