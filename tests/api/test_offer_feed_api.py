"""A seller's offer feed through the API, over HTTP with real OAuth clients: created, read,
replaced and deleted; refused input is problem+json naming the field and saves nothing; "fetch
now" queues the fetch (the test queue runs it at once, as the worker would) from a real HTTP
server on loopback, and the import, the import list and the offers follow; another seller sees
none of it; the import list pages with a cursor."""

from __future__ import annotations

import uuid

import httpx2 as httpx
import pytest

from storefront.marketplace.models import OfferFeed
from tests import factories
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.imports import feed_server
from tests.imports.helpers import csv_bytes, storage, submit_and_run


@pytest.fixture
def server():
    state, stop = feed_server.serve()
    yield state
    stop()


def _headers(token, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


def put_feed(live, token, body):  # noqa: F811
    return httpx.put(f"{live}/api/v1/offers/feed", headers=_headers(token), json=body)


def test_the_seller_sets_its_feed_and_fetches_it_now(session, live, mini_shop, server):  # noqa: F811
    martin = token_of(live, *client_for(session, mini_shop.martin, "catalog:read catalog:write"))
    occaz = token_of(live, *client_for(session, mini_shop.occaz, "catalog:read catalog:write"))
    operator = token_of(live, *client_for(session, None, "catalog:read catalog:write"))
    reader = token_of(live, *client_for(session, mini_shop.martin, "catalog:read"))
    oven = factories.product(session, category_code="appliances", title="Four encastrable", attributes={})
    session.commit()
    # Their own headers: "Réf" is not a name the shop knows, the mapping says it is the SKU.
    server.files["/offres.csv?key=s3cret"] = csv_bytes([["Réf", "ean", "prix", "quantité"],
                                             ["MM-FEED-1", mini_shop.fridge.gtin, "1099,00", "4"],
                                             ["MM-FEED-2", oven.gtin, "649,00", "1"]])
    url = f"{server.url}/offres.csv?key=s3cret"
    good = {"url": url, "frequency": "HOURLY", "mode": "NORMAL", "columns": {"Réf": "sku"}}

    is_problem(call(live, "/api/v1/offers/feed", martin), 404, "not_found")
    # Refused, each naming its field, and nothing saved.
    for body, field, reason in [
        ({**good, "url": "ftp://example.com/offres.csv"}, "url", "feed_url"),
        ({**good, "url": "https://user:pw@example.com/offres.csv"}, "url", "feed_url"),
        ({**good, "frequency": "EVERY_15_MINUTES"}, "frequency", "feed_frequency"),  # below the 15-minute minimum × 24/day
        ({**good, "frequency": "DAILY"}, "daily_time", "feed_daily_time"),
        ({**good, "columns": {"Réf": "sku", "Code": "sku"}}, "columns", "import_mapping"),
    ]:
        refused = is_problem(put_feed(live, martin, body), 422, "invalid_value")
        assert (refused["field"], refused.get("reason")) == (field, reason), body
    unknown = is_problem(put_feed(live, martin, {**good, "columns": {"Réf": "reference"}}), 422, "invalid_value")
    assert unknown["field"] == "columns.Réf"
    is_problem(put_feed(live, martin, {**good, "frequency": "WEEKLY"}), 422, "invalid_value")
    is_problem(put_feed(live, reader, good), 403, "insufficient_scope")
    is_problem(put_feed(live, operator, good), 403, "not_allowed")
    assert session.query(OfferFeed).count() == 0
    is_problem(call(live, "/api/v1/offers/feed", martin), 404, "not_found")

    saved = put_feed(live, martin, good)
    assert saved.status_code == 200, saved.text
    feed = saved.json()
    assert (feed["url"], feed["frequency"], feed["mode"], feed["enabled"], feed["daily_time"]) == (
        url, "HOURLY", "NORMAL", True, None)
    assert feed["columns"] == {"Réf": "sku"} and feed["last_run"] is None and feed["next_run_at"]
    assert feed["allowed_frequencies"] == ["HOURLY", "DAILY"]
    assert call(live, "/api/v1/offers/feed", reader).json() == feed
    # Another seller has no feed, and sees nothing of this one.
    is_problem(call(live, "/api/v1/offers/feed", occaz), 404, "not_found")

    # Fetch now: 202, the feed to poll; the fetch and the import ran in the (test) worker.
    key = {"Idempotency-Key": str(uuid.uuid4())}
    ran = httpx.post(f"{live}/api/v1/offers/feed/run", headers=_headers(martin, **key))
    assert ran.status_code == 202, ran.text
    assert ran.headers["location"] == f"{live}/api/v1/offers/feed"
    last = ran.json()["last_run"]
    assert (last["status"], last["error"], last["import_status"]) == ("IMPORTED", None, "COMPLETE")
    assert server.hits("/offres.csv?key=s3cret") == 1
    replay = httpx.post(f"{live}/api/v1/offers/feed/run", headers=_headers(martin, **key))
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == ran.json()
    assert server.hits("/offres.csv?key=s3cret") == 1  # the replay fetched nothing

    record = httpx.get(last["import_url"], headers=_headers(martin)).json()
    assert (record["id"], record["source"], record["created"], record["refused"], record["file_name"]) == (
        last["import_id"], "FEED", 2, 0, "offres.csv")
    listed = call(live, "/api/v1/offers/imports", martin).json()
    assert [i["id"] for i in listed["items"]] == [record["id"]] and listed["next_cursor"] is None
    offers = call(live, "/api/v1/offers", martin, params={"sku": "MM-FEED-1"}).json()["items"]
    assert [(o["sku"], o["price"]["amount"], o["stock"]) for o in offers] == [("MM-FEED-1", 109900, 4)]

    # The operator's limits: a second import within 15 minutes is refused at once.
    too_soon = is_problem(httpx.post(f"{live}/api/v1/offers/feed/run", headers=_headers(martin)), 422,
                          "invalid_value")
    assert too_soon["reason"] == "import_too_soon"

    # Another seller: the import is unknown, its list empty, and it has no feed to run.
    is_problem(call(live, f"/api/v1/offers/imports/{record['id']}", occaz), 404, "not_found")
    is_problem(httpx.get(f"{live}/api/v1/offers/imports/{record['id']}/errors", headers=_headers(occaz)), 404,
               "not_found")
    assert call(live, "/api/v1/offers/imports", occaz).json()["items"] == []
    is_problem(httpx.post(f"{live}/api/v1/offers/feed/run", headers=_headers(occaz)), 404, "not_found")
    is_problem(call(live, "/api/v1/offers/imports", operator), 403, "not_allowed")

    # Switched off: kept, not run; the mapping left out of the PUT is kept.
    off = put_feed(live, martin, {"url": url, "frequency": "DAILY", "daily_time": "06:30", "enabled": False})
    assert off.status_code == 200, off.text
    assert (off.json()["daily_time"], off.json()["next_run_at"], off.json()["columns"]) == (
        "06:30", None, {"Réf": "sku"})
    assert off.json()["last_run"]["import_id"] == record["id"]
    disabled = is_problem(httpx.post(f"{live}/api/v1/offers/feed/run", headers=_headers(martin)), 409,
                          "invalid_transition")
    assert (disabled["reason"], disabled["field"]) == ("feed_disabled", "enabled")

    deleted = httpx.delete(f"{live}/api/v1/offers/feed", headers=_headers(martin))
    assert deleted.status_code == 204 and deleted.content == b""
    is_problem(call(live, "/api/v1/offers/feed", martin), 404, "not_found")
    is_problem(httpx.delete(f"{live}/api/v1/offers/feed", headers=_headers(martin)), 404, "not_found")
    assert call(live, f"/api/v1/offers/imports/{record['id']}", martin).json()["status"] == "COMPLETE"


def test_the_import_list_pages_newest_first(app, session, live, mini_shop, tmp_path):  # noqa: F811
    martin = token_of(live, *client_for(session, mini_shop.martin, "catalog:read"))
    store = storage(tmp_path)
    made = [submit_and_run(session, mini_shop.martin, csv_bytes([["sku", "stock"], ["MM-WASH", n]]), store).id
            for n in range(3)]
    submit_and_run(session, mini_shop.occaz, csv_bytes([["sku", "stock"], ["TO-WASH", 7]]), store)
    seen, path, params = [], "/api/v1/offers/imports", {"limit": 2}
    while True:
        answer = call(live, path, martin, params=params)
        assert answer.status_code == 200, answer.text
        seen += [i["id"] for i in answer.json()["items"]]
        if "link" not in answer.headers:
            assert answer.json()["next_cursor"] is None
            break
        path, params = answer.headers["link"].split(">")[0].removeprefix(f"<{live}"), None
    assert seen == made[::-1]
    is_problem(call(live, "/api/v1/offers/imports", martin, params={"cursor": "forged"}), 400, "invalid_cursor")
