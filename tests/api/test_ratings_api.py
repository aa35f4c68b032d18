"""Seller ratings over HTTP with a real OAuth 2.0 client: a seller lists its ratings (cursor
pages) and answers one once (rating.answered fires); another seller's rating is 404 and left
alone; scopes; bad answers are problem+json and write nothing."""

from __future__ import annotations

import httpx2 as httpx
from sqlalchemy import select

from storefront.marketplace import seller_ratings, webhooks
from storefront.marketplace.models import SellerRating, WebhookEvent
from storefront.marketplace.refusals import Refusal
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.order_fixtures import Visitor, people  # noqa: F401
from tests.rating_fixtures import HOSTILE, delivered


def post(base, path, token, **kwargs):
    return httpx.post(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_a_seller_lists_and_answers_its_ratings(session, live, client, people):  # noqa: F811
    alpha, beta = people.shop.alpha, people.shop.beta
    webhooks.subscribe(session, alpha, "http://127.0.0.1:9/hooks", ["rating.answered"], allow_private=True)
    mine = [seller_ratings.rate(session, delivered(session, people), people.customer, grade, HOSTILE)
            for grade in (5, 3, 4)]
    theirs = seller_ratings.rate(session, delivered(session, people, "beta"), people.customer, 1, "Non")
    session.commit()
    token = token_of(live, *client_for(session, alpha, "orders:read orders:write"))

    first = call(live, "/api/v1/ratings?limit=2", token)
    assert first.status_code == 200, first.json()
    assert [r["id"] for r in first.json()["items"]] == [mine[2].id, mine[1].id]
    assert first.json()["items"][0]["comment"] == HOSTILE and first.json()["items"][0]["author"] == "Camille M."
    assert 'rel="next"' in first.headers["Link"]
    rest = call(live, f"/api/v1/ratings?limit=2&cursor={first.json()['next_cursor']}", token).json()
    assert [r["id"] for r in rest["items"]] == [mine[0].id] and rest["next_cursor"] is None
    assert is_problem(call(live, "/api/v1/ratings?cursor=forged", token), 400, "invalid_cursor")

    # Another seller's rating: as unknown as none, and left alone.
    is_problem(post(live, f"/api/v1/ratings/{theirs.id}/answer", token, json={"answer": "Hop"}), 404, "not_found")
    is_problem(post(live, "/api/v1/ratings/999999/answer", token, json={"answer": "Hop"}), 404, "not_found")
    # Bad answers: problem+json, nothing written.
    empty = is_problem(post(live, f"/api/v1/ratings/{mine[1].id}/answer", token, json={"answer": "  "}), 422, "invalid_value")
    assert empty["reason"] == Refusal.RATING_ANSWER_EMPTY
    too_long = post(live, f"/api/v1/ratings/{mine[1].id}/answer", token, json={"answer": "x" * 2001})
    assert is_problem(too_long, 422, "invalid_value")["reason"] == Refusal.RATING_TEXT_TOO_LONG
    assert post(live, f"/api/v1/ratings/{mine[1].id}/answer", token, json={"text": "x"}).status_code == 422

    answered = post(live, f"/api/v1/ratings/{mine[1].id}/answer", token, json={"answer": "Merci <b>!</b>"})
    assert answered.status_code == 200, answered.json()
    assert answered.json()["answer"] == "Merci <b>!</b>" and answered.json()["answered_at"].endswith("Z")
    again = post(live, f"/api/v1/ratings/{mine[1].id}/answer", token, json={"answer": "Encore"})
    assert is_problem(again, 409, "conflict")["reason"] == Refusal.ALREADY_ANSWERED
    session.expire_all()
    assert session.get(SellerRating, theirs.id).answer == ""
    event = session.scalar(select(WebhookEvent).where(WebhookEvent.type == "rating.answered"))
    assert event.seller_id == alpha.id and event.payload["rating_id"] == mine[1].id

    # Shown escaped on the seller page.
    page = client.get(f"/vendeur/{alpha.slug}", headers={"Accept-Language": "en"}).text
    assert "Merci &lt;b&gt;!&lt;/b&gt;" in page

    # Scopes: reading needs orders:read, answering orders:write.
    reader = token_of(live, *client_for(session, alpha, "orders:read"))
    assert is_problem(post(live, f"/api/v1/ratings/{mine[0].id}/answer", reader, json={"answer": "x"}),
                      403, "insufficient_scope")["scope"] == "orders:write"
    # The operator reads every seller's, and answers none.
    operator = token_of(live, *client_for(session, None, "orders:read orders:write"))
    assert {r["seller_id"] for r in call(live, "/api/v1/ratings", operator).json()["items"]} == {alpha.id, beta.id}
    is_problem(post(live, f"/api/v1/ratings/{mine[0].id}/answer", operator, json={"answer": "x"}), 403, "not_allowed")
