"""Seller ratings, the service: once per delivered seller order, refused before delivery and for
another customer's order (nothing written), the seller's answer once, the operator's moderation
moving the seller's grade, the minimum count before a grade shows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.marketplace import orders, seller_ratings, sellers, webhooks
from storefront.marketplace.errors import Conflict, InvalidTransition, InvalidValue, NotFound
from storefront.marketplace.models import (
    ActorRole,
    OperatorAuditEntry,
    Seller,
    SellerRating,
    WebhookEvent,
)
from storefront.marketplace.refusals import Refusal
from tests.order_fixtures import people  # noqa: F401
from tests.rating_fixtures import HOSTILE, delivered, waiting


def ratings(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(SellerRating.id)))


def grade_of(session, seller) -> tuple[int, int]:
    session.expire_all()
    row = session.get(Seller, seller.id)
    return row.rating_sum, row.rating_count


def test_a_delivered_order_is_rated_once_and_the_grade_follows(session, people):  # noqa: F811
    alpha = people.shop.alpha
    webhooks.subscribe(session, alpha, "http://127.0.0.1:9/hooks", ["rating.created", "rating.answered"],
                       allow_private=True)
    part = delivered(session, people)
    rating = seller_ratings.rate(session, part, people.customer, 4, f"  {HOSTILE}  ")
    assert (rating.grade, rating.comment, rating.seller_order_id) == (4, HOSTILE, part.id)
    assert grade_of(session, alpha) == (4, 1)
    event = session.scalar(select(WebhookEvent).where(WebhookEvent.type == "rating.created"))
    assert event.seller_id == alpha.id and event.payload["grade"] == 4
    assert event.payload["order_number"] == part.number and "comment" not in event.payload

    # Twice: refused, nothing changed.
    with pytest.raises(Conflict) as refused:
        seller_ratings.rate(session, part, people.customer, 1, "encore")
    assert refused.value.details["reason"] == Refusal.ALREADY_RATED
    assert ratings(session) == 1 and grade_of(session, alpha) == (4, 1)

    # The order page offers no second form.
    assert seller_ratings.slots_for(session, part.customer_order)[0].can_rate is False


def test_before_delivery_and_another_customers_order_are_refused(session, people):  # noqa: F811
    part = waiting(session, people)
    with pytest.raises(InvalidTransition) as refused:
        seller_ratings.rate(session, part, people.customer, 5)
    assert refused.value.details["reason"] == Refusal.RATING_NOT_DELIVERED
    orders.accept(session, part, actor_role=ActorRole.OPERATOR)
    with pytest.raises(InvalidTransition):
        seller_ratings.rate(session, part, people.customer, 5)
    mine = delivered(session, people)
    with pytest.raises(NotFound):
        seller_ratings.rate(session, mine, people.other_customer, 5)
    with pytest.raises(NotFound):
        seller_ratings.seller_order_of(session, people.other_customer.id, mine.customer_order.number, mine.number)
    assert ratings(session) == 0 and grade_of(session, people.shop.alpha) == (0, 0)


@pytest.mark.parametrize(("grade", "comment", "field"), [
    (0, "", "grade"), (6, "", "grade"), ("5.0", "", "grade"), (True, "", "grade"), (None, "", "grade"),
    (5, "x" * (seller_ratings.MAX_COMMENT + 1), "comment"),
])
def test_bad_grades_and_comments_write_nothing(session, people, grade, comment, field):  # noqa: F811
    part = delivered(session, people)
    with pytest.raises(InvalidValue) as refused:
        seller_ratings.rate(session, part, people.customer, grade, comment)
    assert refused.value.details["field"] == field
    assert ratings(session) == 0 and grade_of(session, people.shop.alpha) == (0, 0)


def test_the_seller_answers_once_and_only_its_own(session, people):  # noqa: F811
    alpha, beta = people.shop.alpha, people.shop.beta
    rating = seller_ratings.rate(session, delivered(session, people), people.customer, 2, "Colis abîmé")
    with pytest.raises(NotFound):
        seller_ratings.rating_for_seller(session, rating.id, beta.id)
    with pytest.raises(NotFound):
        seller_ratings.answer(session, rating, beta.id, "Pas à nous")
    with pytest.raises(InvalidValue) as empty:
        seller_ratings.answer(session, rating, alpha.id, "   ")
    assert empty.value.details["reason"] == Refusal.RATING_ANSWER_EMPTY
    seller_ratings.answer(session, rating, alpha.id, "Désolés, nous avons changé de transporteur.")
    with pytest.raises(Conflict) as twice:
        seller_ratings.answer(session, rating, alpha.id, "Encore")
    assert twice.value.details["reason"] == Refusal.ALREADY_ANSWERED
    session.expire_all()
    again = session.get(SellerRating, rating.id)
    assert again.answer == "Désolés, nous avons changé de transporteur." and again.answered_at is not None


def test_moderation_takes_the_grade_out_and_back_and_is_audited(session, people):  # noqa: F811
    alpha = people.shop.alpha
    low = seller_ratings.rate(session, delivered(session, people), people.customer, 1, "Nul !!!")
    seller_ratings.rate(session, delivered(session, people), people.customer, 5)
    assert grade_of(session, alpha) == (6, 2)
    with pytest.raises(InvalidValue) as no_reason:
        seller_ratings.hide(session, low, "  ", actor=people.operator)
    assert no_reason.value.details["reason"] == Refusal.RATING_HIDE_REASON
    seller_ratings.hide(session, low, "Propos injurieux", actor=people.operator)
    assert grade_of(session, alpha) == (5, 1)
    assert [r.id for r in seller_ratings.visible_page(session, alpha).items] != [low.id]
    assert low.id not in {r.id for r in seller_ratings.visible_page(session, alpha).items}
    with pytest.raises(InvalidTransition):
        seller_ratings.hide(session, low, "encore", actor=people.operator)
    assert grade_of(session, alpha) == (5, 1)
    seller_ratings.unhide(session, low, actor=people.operator)
    assert grade_of(session, alpha) == (6, 2)
    with pytest.raises(InvalidTransition):
        seller_ratings.unhide(session, low, actor=people.operator)
    actions = session.scalars(select(OperatorAuditEntry.action).where(
        OperatorAuditEntry.target_kind == "seller_rating").order_by(OperatorAuditEntry.id)).all()
    assert actions == ["rating.hide", "rating.unhide"]
    entry = session.scalar(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "rating.hide"))
    assert entry.after["hidden_reason"] == "Propos injurieux" and entry.actor_email == people.operator.email


def test_the_grade_shows_from_the_minimum_count(session, people):  # noqa: F811
    alpha = people.shop.alpha
    assert sellers.public_rating(alpha, 3) == sellers.PublicRating(None, 0)
    for grade in (5, 4):
        seller_ratings.rate(session, delivered(session, people), people.customer, grade)
    session.refresh(alpha)
    assert not sellers.public_rating(alpha, 3).shown and sellers.public_rating(alpha, 3).count == 2
    assert sellers.public_rating(alpha, 2) == sellers.PublicRating(4.5, 2)
    seller_ratings.rate(session, delivered(session, people), people.customer, 3)
    session.refresh(alpha)
    assert sellers.public_rating(alpha, 3) == sellers.PublicRating(4.0, 3)
    assert sellers.public_rating(alpha, 0).shown  # a minimum under 1 counts as 1
