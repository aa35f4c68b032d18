"""The registries of refusal codes and state labels: every code and every state has its words in
French and English, and services name refusals with registry members, never free strings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from flask import render_template_string
from flask_babel import LazyString, force_locale

from storefront import PROJECT_ROOT
from storefront.marketplace.cart import Notice, NoticeKind
from storefront.marketplace.errors import Conflict, DomainError, InvalidValue, NotFound
from storefront.marketplace.event_categories import EventState
from storefront.marketplace.models import (
    ApplicationState,
    DeliveryStatus,
    FeedFrequency,
    FeedStatus,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    LineState,
    SellerOrderState,
    SellerState,
    ShipmentStatus,
    ThreadKind,
    ThreadStatus,
)
from storefront.marketplace.models.orders import CustomerOrderStatus
from storefront.marketplace.refusals import Refusal
from storefront.web import labels, refusals

# Every value a sentence may need, as the services put them in the error's details.
DETAILS = {
    "state": "SHIPPED",
    "title": "Lampe Arc",
    "available": 2,
    "already": 1,
    "limit": 1500,
    "currency": "EUR",
    "length": 6001,
    "shippers": "Maison Durand",
}

# The state enums a page shows; each must have a table in the registry.
STATE_ENUMS = [CustomerOrderStatus, SellerOrderState, LineState, ShipmentStatus, ThreadStatus,
               ThreadKind, DeliveryStatus]
STATE_ENUMS.append(SellerState)
DETAILS.update(seller_state="SUSPENDED", count=2)  # a shop's state, its open orders
STATE_ENUMS += [ApplicationState]  # seller onboarding
STATE_ENUMS += [EventState]  # event categories
STATE_ENUMS += [ImportStatus, ImportMode, ImportSource, ImportKind, ImportLevel]  # imports
DETAILS.update(field="stock", value="-3", first=2, minutes=15, columns="sku, prix")  # imports
STATE_ENUMS += [FeedStatus, FeedFrequency]  # offer feeds
DETAILS.update(seconds=20, status=500, error="ConnectionRefusedError")  # offer feeds
from storefront.marketplace.payment_operations import PaymentEventKind  # noqa: E402

STATE_ENUMS += [PaymentEventKind]  # what the customer's order page says of the money
from storefront.marketplace.models import BillingDocumentKind, LedgerKind, PeriodState  # noqa: E402

STATE_ENUMS += [LedgerKind, PeriodState, BillingDocumentKind]  # the seller portal's Finance page
from datetime import date  # noqa: E402

from storefront.marketplace.models import BlockReason, PayoutState  # noqa: E402

STATE_ENUMS += [PayoutState, BlockReason]  # payouts (back office and seller portal, Finance)
DETAILS.update(statement=12, seller="Alpha Maison", payable_on=date(2026, 11, 23))  # payouts
# Words spelt the same in both languages (still translated: the catalog has them).
SAME_IN_BOTH = {"Discussion", "API", "Commission"}


@pytest.fixture
def french_catalog():
    path = PROJECT_ROOT / "storefront/translations/fr/LC_MESSAGES/messages.mo"
    with path.open("rb") as mo:
        return read_mo(mo)


def in_both(app, render):
    with app.test_request_context():
        with force_locale("fr"):
            french = str(render())
        with force_locale("en"):
            english = str(render())
    return french, english


def test_every_refusal_code_has_a_sentence(app):
    assert set(refusals.SENTENCES) == set(Refusal)
    for code in Refusal:
        error = InvalidValue("the service's own words", reason=code, **DETAILS)
        french, english = in_both(app, lambda error=error: refusals.explain(error))
        assert french and english, code
        assert "the service's own words" not in (french, english), code
        assert french != english, f"{code}: {english!r} is not translated"


def test_every_cart_notice_has_a_sentence(app):
    assert set(refusals.NOTICES) == set(NoticeKind)
    for kind in NoticeKind:
        notice = Notice(kind, "Lampe Arc", old=2, new=1)
        french, english = in_both(app, lambda notice=notice: refusals.notice_message(notice))
        assert french and english and french != english, kind


def test_every_state_has_a_label_in_both_languages(app, french_catalog):
    assert set(labels.STATE_LABELS) == set(STATE_ENUMS)
    for kind in STATE_ENUMS:
        for state in kind:
            french, english = in_both(app, lambda state=state: labels.state_label(state))
            assert french and english, state
            msgid = labels.STATE_LABELS[kind][state]._args[0]
            assert english == msgid
            assert french_catalog.get(msgid) is not None and french_catalog.get(msgid).string
            if english not in SAME_IN_BOTH:
                assert french != english, f"{kind.__name__}.{state}: {english!r} is not translated"


def test_every_seller_order_state_has_its_words_inside_a_sentence(app):
    assert set(labels.STATE_IN_SENTENCE) == set(SellerOrderState)
    for state in SellerOrderState:
        french, english = in_both(app, lambda state=state: labels.state_in_sentence(state))
        assert french and english and french != english, state


def test_templates_and_python_share_the_labels(app):
    with app.test_request_context(), force_locale("fr"):
        page = render_template_string(
            "{{ shipment|state_label }}|{{ transition|state_label('SellerOrderState') }}|"
            "{{ status|state_label('CustomerOrderStatus') }}",
            shipment=ShipmentStatus.PENDING,
            transition="REFUSED",
            status="PARTIALLY_SHIPPED",
        )
        assert page == "Pas encore expédié|Refusé par le vendeur|Partiellement expédié"
        assert page == "|".join([
            labels.state_label(ShipmentStatus.PENDING),
            labels.state_label(SellerOrderState.REFUSED),
            labels.state_label(CustomerOrderStatus.PARTIALLY_SHIPPED),
        ])
        with pytest.raises(TypeError):
            labels.state_label("SHIPPED")  # a bare string names no enum: say which


def test_explain_falls_back_to_the_services_words_without_a_known_code(app):
    with app.test_request_context(), force_locale("fr"):
        assert refusals.explain(DomainError("plain words")) == "plain words"
        assert refusals.explain(DomainError("plain words", reason="no_such_code")) == "plain words"
        # A field that is also a code names the refusal only for the address fields.
        assert refusals.explain(InvalidValue("bad", field="quantity")) == "bad"
        assert refusals.explain(InvalidValue("bad", field="email")) == refusals.explain(
            InvalidValue("bad", reason=Refusal.EMAIL)
        ) != "bad"
        # A concurrent change of a seller order (the optimistic lock) keeps its sentence.
        assert refusals.explain(Conflict("stale", reason=Refusal.STALE)).startswith(
            "Cette commande vient d’être modifiée ailleurs"
        )
        assert refusals.explain(NotFound("unknown product", reason=Refusal.UNKNOWN_PRODUCT)) == (
            refusals.explain(NotFound("unknown offer", reason=Refusal.UNKNOWN_OFFER))
        )


def test_sentences_are_translated_lazily():
    # Built at import, before any request: the table holds lazy strings or functions.
    for sentence in refusals.SENTENCES.values():
        assert isinstance(sentence, LazyString) or callable(sentence)


# --- every reason= is a registry member -------------------------------------------------------


def _reason_arguments(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "reason":
                    yield keyword.value


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    return False


def test_every_reason_raised_is_a_registry_member():
    """Services (and the views that build errors) name a refusal with ``Refusal.X``: a bare
    string would escape the registry, a misspelt member is caught here before it runs."""
    problems = []
    files = sorted((PROJECT_ROOT / "storefront").rglob("*.py"))
    assert any(path.parent.name == "marketplace" for path in files)
    for path in files:
        where = path.relative_to(PROJECT_ROOT)
        for value in _reason_arguments(path):
            if _is_text(value):
                problems.append(f"{where}:{value.lineno}: reason= is a bare string")
            elif (
                isinstance(value, ast.Attribute)
                and isinstance(value.value, ast.Name)
                and value.value.id == "Refusal"
                and value.attr not in Refusal.__members__
            ):
                problems.append(f"{where}:{value.lineno}: Refusal.{value.attr} does not exist")
    assert problems == []


def test_a_code_built_from_parts_is_checked_when_raised():
    from storefront.marketplace.cart import parse_id

    for what in ("offer", "seller", "product"):
        with pytest.raises(NotFound) as caught:
            parse_id("x", what)
        assert caught.value.details["reason"] in set(Refusal)
