import pytest
from sqlalchemy import func, select

from storefront.marketplace import discussions, preferences
from storefront.marketplace.errors import DomainError, InvalidTransition, InvalidValue, NotAllowed
from storefront.marketplace.models import (
    ActorRole,
    Message,
    RelationsModel,
    Role,
    Thread,
    ThreadKind,
)
from tests import factories


@pytest.fixture
def people(session):
    shop = factories.seller(session, "Maison Martin")
    discussions.create_topic(session, "WHERE_IS_MY_ORDER", "Où est ma commande ?")
    discussions.create_topic(session, "PRODUCT_QUESTION", "Question", about_order=False, about_offer=True)
    customer = factories.user(session)
    return {
        "shop": shop,
        "customer": customer,
        "stranger": factories.user(session),
        "seller": factories.user(session, Role.SELLER, seller=shop),
        "other_seller": factories.user(session, Role.SELLER, seller=factories.seller(session, "Autre")),
        "operator": factories.user(session, Role.OPERATOR),
        "order": factories.seller_order(session, shop, customer),
    }


def _open(session, p, body="Bonjour, où en est mon colis ?"):
    return discussions.open_thread(
        session, p["customer"], p["shop"], "WHERE_IS_MY_ORDER", body, seller_order=p["order"]
    )


def test_direct_model(session, people):
    thread = _open(session, people)
    assert thread.model == RelationsModel.DIRECT
    discussions.post_message(session, thread, people["seller"], "Il part demain.")
    discussions.post_message(session, thread, people["operator"], "Nous suivons le dossier.")
    seen = lambda role: [m.author_role for m in discussions.visible_messages(session, thread, role)]  # noqa: E731
    everyone = [ActorRole.CUSTOMER, ActorRole.SELLER, ActorRole.OPERATOR]
    assert seen(ActorRole.CUSTOMER) == seen(ActorRole.SELLER) == everyone
    assert discussions.unread_count(session, thread, people["customer"]) == 2
    discussions.mark_read(session, thread, people["customer"])
    assert discussions.unread_count(session, thread, people["customer"]) == 0
    assert discussions.unread_count(session, thread, people["seller"]) == 1  # the operator's


def test_mediated_model_keeps_the_parties_apart(session, people):
    preferences.set(session, "relations_model", "MEDIATED")
    thread = _open(session, people)
    with pytest.raises(InvalidValue, match="say whom"):
        discussions.post_message(session, thread, people["operator"], "?")
    discussions.post_message(session, thread, people["operator"], "Vendeur, une info ?", to=ActorRole.SELLER)
    discussions.post_message(session, thread, people["seller"], "Expédié hier.")
    discussions.post_message(session, thread, people["operator"], "Votre colis est parti hier.", to=ActorRole.CUSTOMER)
    customer_sees = [m.body for m in discussions.visible_messages(session, thread, ActorRole.CUSTOMER)]
    seller_sees = [m.body for m in discussions.visible_messages(session, thread, ActorRole.SELLER)]
    assert customer_sees == ["Bonjour, où en est mon colis ?", "Votre colis est parti hier."]
    assert seller_sees == ["Vendeur, une info ?", "Expédié hier."]
    assert len(discussions.visible_messages(session, thread, ActorRole.OPERATOR)) == 4


def test_setting_applies_to_new_threads_only(session, people):
    old = _open(session, people)
    preferences.set(session, "relations_model", "MEDIATED")
    assert old.model == RelationsModel.DIRECT
    assert _open(session, people).model == RelationsModel.MEDIATED


def test_strangers_are_kept_out(session, people):
    thread = _open(session, people)
    for intruder in ("stranger", "other_seller"):
        with pytest.raises(NotAllowed):
            discussions.post_message(session, thread, people[intruder], "Coucou")
    with pytest.raises(NotAllowed, match="not yours"):
        discussions.open_thread(
            session, people["stranger"], people["shop"], "WHERE_IS_MY_ORDER", "?", seller_order=people["order"]
        )


@pytest.mark.parametrize(("body", "message"), [("   ", "empty"), ("x" * 5001, "at most 5,000")])
def test_bad_bodies_write_nothing(session, people, body, message):
    with pytest.raises(InvalidValue, match=message):
        _open(session, people, body=body)
    assert session.scalar(select(func.count(Thread.id))) == 0
    assert session.scalar(select(func.count(Message.id))) == 0


def test_html_is_kept_as_text(session, people):
    thread = _open(session, people, body="<script>alert(1)</script>")
    assert thread.messages[0].body == "<script>alert(1)</script>"  # escaped when shown


def test_claim_and_close(session, people):
    thread = _open(session, people)
    with pytest.raises(NotAllowed):
        discussions.escalate(session, thread, people["seller"])
    discussions.escalate(session, thread, people["operator"])
    assert thread.kind == ThreadKind.CLAIM
    discussions.close_thread(session, thread, people["operator"])
    with pytest.raises(InvalidTransition, match="closed"):
        discussions.post_message(session, thread, people["customer"], "Encore moi")


def test_offer_question_topic_checks(session, people):
    offer = people["order"].lines[0].offer
    thread = discussions.open_thread(
        session, people["customer"], people["shop"], "PRODUCT_QUESTION", "Existe en noir ?", offer=offer
    )
    assert thread.offer_id == offer.id
    with pytest.raises(InvalidValue, match="not about an order"):
        discussions.open_thread(
            session, people["customer"], people["shop"], "PRODUCT_QUESTION", "?", seller_order=people["order"]
        )


# --- what may be done in a conversation now --------------------------------------------------------

T = discussions.ThreadAction
CUSTOMER, SELLER, OPERATOR = ActorRole.CUSTOMER, ActorRole.SELLER, ActorRole.OPERATOR
CLOSED_THREAD = {CUSTOMER: set(), SELLER: set(), OPERATOR: set()}
THREAD_ACTIONS = {  # (model, kind, open): {role: actions}
    ("DIRECT", "DISCUSSION", True): {
        CUSTOMER: {T.REPLY, T.CLOSE}, SELLER: {T.REPLY, T.CLOSE}, OPERATOR: {T.REPLY, T.ESCALATE, T.CLOSE},
    },
    ("DIRECT", "CLAIM", True): {
        CUSTOMER: {T.REPLY, T.CLOSE}, SELLER: {T.REPLY, T.CLOSE}, OPERATOR: {T.REPLY, T.CLOSE},
    },
    ("MEDIATED", "DISCUSSION", True): {
        CUSTOMER: {T.REPLY, T.CLOSE}, SELLER: {T.REPLY, T.CLOSE},
        OPERATOR: {T.REPLY, T.FORWARD, T.ESCALATE, T.CLOSE},
    },
    ("MEDIATED", "CLAIM", True): {
        CUSTOMER: {T.REPLY, T.CLOSE}, SELLER: {T.REPLY, T.CLOSE}, OPERATOR: {T.REPLY, T.FORWARD, T.CLOSE},
    },
    ("DIRECT", "DISCUSSION", False): CLOSED_THREAD,
    ("DIRECT", "CLAIM", False): CLOSED_THREAD,
    ("MEDIATED", "DISCUSSION", False): CLOSED_THREAD,
    ("MEDIATED", "CLAIM", False): CLOSED_THREAD,
}
USERS = {CUSTOMER: "customer", SELLER: "seller", OPERATOR: "operator"}


def _thread_in(session, p, model, kind, is_open):
    """A thread of ``model`` and ``kind``, open or closed, in which the seller takes part."""
    preferences.set(session, "relations_model", model)
    thread = _open(session, p)
    if model == "MEDIATED":
        discussions.forward_message(session, thread, thread.messages[0], p["operator"])
    if kind == "CLAIM":
        discussions.escalate(session, thread, p["operator"])
    if not is_open:
        discussions.close_thread(session, thread, p["customer"])
    return thread


def _do(session, p, thread, action, role):
    user = p[USERS[role]]
    if action == T.REPLY:
        to = ActorRole.CUSTOMER if role == OPERATOR and thread.model == RelationsModel.MEDIATED else None
        return discussions.post_message(session, thread, user, "Merci.", to=to)
    if action == T.FORWARD:
        return discussions.forward_message(session, thread, thread.messages[0], user)
    if action == T.ESCALATE:
        return discussions.escalate(session, thread, user)
    if action == T.CLOSE:
        return discussions.close_thread(session, thread, user)
    raise AssertionError(action)


# What the services still accept though no page ever offered it: customer service forwarding in
# the direct model (both parties read everything there anyway) and escalating a closed thread.
NOT_OFFERED_BUT_ACCEPTED = {("DIRECT", T.FORWARD, OPERATOR), ("*", T.ESCALATE, OPERATOR)}


@pytest.mark.parametrize("role", [CUSTOMER, SELLER, OPERATOR], ids=str)
@pytest.mark.parametrize("model, kind, is_open", list(THREAD_ACTIONS), ids=lambda v: str(v))
def test_thread_actions_are_what_the_services_allow(session, people, model, kind, is_open, role):
    thread = _thread_in(session, people, model, kind, is_open)
    listed = discussions.available_actions(thread, role)
    assert set(listed) == THREAD_ACTIONS[model, kind, is_open][role]
    assert list(listed) == [action for action in T if action in listed]
    for action in T:
        if action in listed or {(model, action, role), ("*", action, role)} & NOT_OFFERED_BUT_ACCEPTED:
            continue
        with pytest.raises(DomainError):
            _do(session, people, thread, action, role)
    for action in listed:
        _do(session, people, _thread_in(session, people, model, kind, is_open), action, role)
