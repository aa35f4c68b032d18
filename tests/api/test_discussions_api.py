"""Discussions over HTTP with a real OAuth 2.0 client: a seller answers a customer's thread (the
customer sees it, escaped, on the web), reads, closes; another seller's thread is 404 and left
alone; validation, scopes, the operator's escalation, unread-first pagination, bounded queries."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from storefront.marketplace import discussions
from storefront.marketplace.models import ActorRole, Message, Thread, ThreadKind, ThreadStatus
from storefront.marketplace.refusals import Refusal
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.api.test_api_writes_and_limits import bearer, new_client
from tests.order_fixtures import Visitor, build_people, part_of, place

HOSTILE = '<script>alert("x")</script> Votre colis part demain'


def post(base, path, token, headers=(), **kwargs):
    return httpx.post(f"{base}{path}", headers={"Authorization": f"Bearer {token}", **dict(headers)}, **kwargs)


def ask(session, people, seller_key="alpha", body="Bonjour, où en est mon colis ?", part=None):
    seller = getattr(people.shop, seller_key)
    if part is None:
        part = part_of(place(session, people.customer, (people.shop.offers[seller_key], 1)), seller)
    thread = discussions.open_thread(session, people.customer, seller, "WHERE_IS_MY_ORDER", body,
                                     seller_order=part)
    session.commit()
    return thread


def messages(session) -> int:
    return session.scalar(select(func.count(Message.id)))


@pytest.fixture
def people(session):
    return build_people(session)


def test_a_seller_answers_a_customer_through_the_api(session, live, client, people):  # noqa: F811
    thread = ask(session, people)
    token = token_of(live, *client_for(session, people.shop.alpha, "discussions:read discussions:write"))

    listed = call(live, "/api/v1/discussions", token)
    assert listed.status_code == 200, listed.json()
    (item,) = listed.json()["items"]
    assert item["id"] == thread.id and item["unread"] == 1 and item["topic"] == "WHERE_IS_MY_ORDER"
    assert item["order_id"] == thread_order_number(session, thread) and "close" in item["actions"]

    one = call(live, f"/api/v1/discussions/{thread.id}", token).json()
    assert [m["author"]["role"] for m in one["messages"]] == ["CUSTOMER"]
    assert one["messages"][0]["author"]["name"] == "Camille M."  # never the address

    answered = post(live, f"/api/v1/discussions/{thread.id}/messages", token, json={"body": HOSTILE})
    assert answered.status_code == 201, answered.json()
    assert answered.json()["messages"][-1]["body"] == HOSTILE  # stored and returned as text
    assert answered.json()["messages"][-1]["author"] == {"role": "SELLER", "name": people.shop.alpha.name}
    assert answered.json()["unread"] == 0  # answering reads the thread

    # The customer sees the answer, as text: the service, and the web page escaping it.
    session.expire_all()
    seen = discussions.visible_messages(session, session.get(Thread, thread.id), ActorRole.CUSTOMER)
    assert [(m.author_role, m.body) for m in seen][-1] == (ActorRole.SELLER, HOSTILE)
    assert discussions.unread_count(session, session.get(Thread, thread.id), people.customer) == 1
    page = Visitor(client).log_in(people.customer).page(f"/messages/{thread.id}")
    assert "&lt;script&gt;alert(" in page and '<script>alert("x")' not in page

    closed = post(live, f"/api/v1/discussions/{thread.id}/close", token)
    assert closed.status_code == 200 and closed.json()["status"] == "CLOSED"
    assert closed.json()["actions"] == []
    is_problem(post(live, f"/api/v1/discussions/{thread.id}/close", token), 409, "invalid_transition")
    late = post(live, f"/api/v1/discussions/{thread.id}/messages", token, json={"body": "Encore"})
    assert is_problem(late, 409, "invalid_transition")["reason"] == Refusal.CLOSED


def thread_order_number(session, thread) -> str:
    from storefront.marketplace.models import SellerOrder

    return session.get(SellerOrder, thread.seller_order_id).number


def test_another_sellers_thread_is_unknown_and_untouched(session, live, people):  # noqa: F811
    thread = ask(session, people, "beta")
    token = token_of(live, *client_for(session, people.shop.alpha, "discussions:read discussions:write"))
    before = messages(session)
    assert call(live, "/api/v1/discussions", token).json()["items"] == []
    for response in (
        call(live, f"/api/v1/discussions/{thread.id}", token),
        post(live, f"/api/v1/discussions/{thread.id}/messages", token, json={"body": "Coucou"}),
        post(live, f"/api/v1/discussions/{thread.id}/read", token),
        post(live, f"/api/v1/discussions/{thread.id}/close", token),
        call(live, "/api/v1/discussions/99999", token),
    ):
        is_problem(response, 404, "not_found")
    session.expire_all()
    assert messages(session) == before
    assert session.get(Thread, thread.id).status == ThreadStatus.OPEN


def test_validation_and_scopes(session, live, people):  # noqa: F811
    thread = ask(session, people)
    token = token_of(live, *client_for(session, people.shop.alpha, "discussions:read discussions:write"))
    path = f"/api/v1/discussions/{thread.id}/messages"
    before = messages(session)
    cases = [
        ({"body": "Bonjour", "bcc": "x@example.com"}, 422, "invalid_value", "bcc"),
        ({"text": "Bonjour"}, 422, "invalid_value", "text"),
        ({}, 422, "invalid_value", "body"),
        ({"body": 12}, 422, "invalid_value", "body"),
        ({"body": "Bonjour", "to": "NOBODY"}, 422, "invalid_value", "to"),
    ]
    for payload, status, code, field in cases:
        assert is_problem(post(live, path, token, json=payload), status, code)["field"] == field
    empty = post(live, path, token, json={"body": "   "})
    assert is_problem(empty, 422, "invalid_value")["reason"] == Refusal.EMPTY
    long = post(live, path, token, json={"body": "x" * 5001})
    assert is_problem(long, 422, "invalid_value")["reason"] == Refusal.TOO_LONG
    assert is_problem(post(live, f"/api/v1/discussions/{thread.id}/read", token, json={"all": True}),
                      422, "invalid_value")["field"] == "all"
    bad_cursor = call(live, "/api/v1/discussions", token, params={"cursor": "forged"})
    assert is_problem(bad_cursor, 400, "invalid_cursor")["field"] == "cursor"
    assert is_problem(call(live, "/api/v1/discussions", token, params={"status": "x"}), 400,
                      "invalid_parameter")["field"] == "status"

    reader = token_of(live, *client_for(session, people.shop.alpha, "discussions:read"))
    for action in ("messages", "read", "close"):
        refused = post(live, f"/api/v1/discussions/{thread.id}/{action}", reader, json={"body": "x"})
        assert is_problem(refused, 403, "insufficient_scope")["scope"] == "discussions:write"
    orders_only = token_of(live, *client_for(session, people.shop.alpha, "orders:read"))
    is_problem(call(live, "/api/v1/discussions", orders_only), 403, "insufficient_scope")
    session.expire_all()
    assert messages(session) == before


def test_mark_read_and_the_operator_escalates(session, live, people):  # noqa: F811
    thread = ask(session, people)
    seller = token_of(live, *client_for(session, people.shop.alpha, "discussions:read discussions:write"))
    read = post(live, f"/api/v1/discussions/{thread.id}/read", seller)
    assert read.status_code == 200 and read.json()["unread"] == 0
    # The portal's staff account shares the reading (the client acts as it).
    session.expire_all()
    assert discussions.unread_count(session, session.get(Thread, thread.id), people.alpha_staff) == 0
    # A seller may not escalate; the operator's client may, once.
    is_problem(post(live, f"/api/v1/discussions/{thread.id}/escalate", seller), 409, "invalid_transition")
    operator = token_of(live, *client_for(session, None, "discussions:read discussions:write"))
    seen = call(live, f"/api/v1/discussions/{thread.id}", operator).json()
    assert "escalate" in seen["actions"]
    escalated = post(live, f"/api/v1/discussions/{thread.id}/escalate", operator)
    assert escalated.status_code == 200 and escalated.json()["kind"] == "CLAIM"
    assert "escalate" not in escalated.json()["actions"]
    session.expire_all()
    assert session.get(Thread, thread.id).kind == ThreadKind.CLAIM


def test_unread_first_pages_and_bounded_queries(session, client, people, count_queries):
    headers = bearer(client, *new_client(session, people.shop.alpha, "discussions:read discussions:write"))
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    threads = [ask(session, people, body=f"Question {n}", part=part) for n in range(3)]
    # The seller reads the two latest; the oldest one stays unread and comes first.
    for thread in threads[1:]:
        assert client.post(f"/api/v1/discussions/{thread.id}/read", headers=headers).status_code == 200

    def pages(limit):
        ids, url, seen = [], f"/api/v1/discussions?limit={limit}", 0
        while url:
            with count_queries() as statements:
                answer = client.get(url, headers=headers)
            assert answer.status_code == 200, answer.json
            seen = max(seen, len(statements))
            ids += [item["id"] for item in answer.json["items"]]
            link = answer.headers.get("Link")
            url = link[link.index("/api/"):link.index(">")] if link else None
            assert (answer.json["next_cursor"] is None) == (link is None)
        return ids, seen

    ids, first_count = pages(1)
    assert ids == [threads[0].id, threads[2].id, threads[1].id]
    for n in range(4):
        ask(session, people, body=f"Encore {n}", part=part)
    ids, later_count = pages(50)
    assert len(ids) == 7 and later_count <= first_count and later_count <= 8
    assert pages(2)[0] == ids  # the same order, page by page


def test_an_idempotency_key_replays_each_write_and_does_it_once(session, live, people):  # noqa: F811
    thread = ask(session, people)
    seller = token_of(live, *client_for(session, people.shop.alpha, "discussions:read discussions:write"))
    path = f"/api/v1/discussions/{thread.id}"
    before = messages(session)

    def twice(action, token, key, **kwargs):
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        first = httpx.post(f"{live}{path}/{action}", headers=headers, **kwargs)
        again = httpx.post(f"{live}{path}/{action}", headers=headers, **kwargs)
        assert first.status_code in (200, 201), first.json()
        assert again.status_code == first.status_code and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
        return first

    twice("messages", seller, "answer-1", json={"body": "Il part demain."})
    session.expire_all()
    assert messages(session) == before + 1  # sent once
    twice("read", seller, "read-1")
    operator = token_of(live, *client_for(session, None, "discussions:read discussions:write"))
    twice("escalate", operator, "escalate-1")  # a second escalation would be refused (409)
    closed = twice("close", operator, "close-1")  # as would a second close
    assert closed.json()["status"] == "CLOSED"
    session.expire_all()
    assert messages(session) == before + 1
    # The same key with another request is refused, and writes nothing.
    other = post(live, f"{path}/messages", seller, json={"body": "Autre"}, headers={"Idempotency-Key": "answer-1"})
    assert is_problem(other, 422, "idempotency_key_reused")["field"] == "Idempotency-Key"
    session.expire_all()
    assert messages(session) == before + 1
