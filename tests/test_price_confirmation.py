"""A price of 0, or a drop of more than half, waits for the seller's confirmation: in the
service (``price_changes``, ``catalog.upsert_offer``, ``seller_portal.update_offer``) and in the
seller portal's offer form (the warning, what was typed kept, a box to tick)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from storefront.marketplace import catalog, seller_portal
from storefront.marketplace.errors import NeedsConfirmation
from storefront.marketplace.models import Offer
from storefront.marketplace.price_changes import (
    PriceNeedsConfirmation,
    PriceWarningKind,
    check_price,
    price_warning,
)
from storefront.marketplace.refusals import Refusal
from storefront.web.refusals import explain
from tests import order_fixtures
from tests.checkout_fixtures import tags_with
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people  # the fixture, for this module's tests
Z, D = PriceWarningKind.ZERO_PRICE, PriceWarningKind.BIG_DROP


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("old, new, kind, percent", [
    (10_000, 0, Z, Decimal("100.00")),  # free: whatever it was
    (None, 0, Z, None),  # a new offer at 0
    (10_000, 5_000, None, None),  # exactly half: "more than 50 %" is strict
    (10_000, 4_999, D, Decimal("50.01")),
    (10_001, 5_000, D, Decimal("50.01")),  # 50.005 %: above the line, and never shown as 50
    (10_000, 3_800, D, Decimal("62.00")),
    (3, 1, D, Decimal("66.67")),
    (10_000, 12_000, None, None),  # a rise
    (0, 500, None, None),  # from free to a price
    (0, 0, None, None),  # unchanged: confirmed once already
    (None, 500, None, None),
])
def test_which_prices_need_confirming(old, new, kind, percent):
    warning = price_warning(old, new)
    assert (warning and warning.kind) == kind
    if warning is not None:
        assert warning.drop_percent == percent
        assert (warning.old_price, warning.new_price) == (old, new)


def test_check_price_refuses_until_confirmed():
    with pytest.raises(PriceNeedsConfirmation) as refused:
        check_price(10_000, 3_800)
    error = refused.value
    assert isinstance(error, NeedsConfirmation) and error.status == 422
    assert error.details["reason"] == Refusal.PRICE_NEEDS_CONFIRMATION
    assert error.warning.kind == D
    assert {k: error.details[k] for k in ("kind", "old_price", "new_price", "drop_percent", "currency")} == {
        "kind": "BIG_DROP", "old_price": 10_000, "new_price": 3_800, "drop_percent": "62.00", "currency": "EUR",
    }
    confirmed = check_price(10_000, 3_800, confirmed=True)
    assert confirmed is not None and confirmed.kind == D  # a bulk report can still mark the line
    assert check_price(10_000, 9_000) is None


def test_an_offer_created_at_0_waits_for_confirmation(session, people):
    alpha, product = people.shop.alpha, people.shop.products["oven"]
    with pytest.raises(PriceNeedsConfirmation) as refused:
        catalog.upsert_offer(session, alpha, product, "A-OVEN-FREE", price=0, stock=3)
    assert refused.value.warning.kind == Z and refused.value.warning.old_price is None
    session.rollback()
    assert session.scalar(select(Offer).where(Offer.sku == "A-OVEN-FREE")) is None
    offer = catalog.upsert_offer(session, alpha, product, "A-OVEN-FREE", price=0, stock=3, confirmed=True)
    assert offer.price == 0


def test_the_portal_service_changes_nothing_until_confirmed(session, people):
    offer = people.shop.offers["alpha"]  # 15,00 €
    change = dict(price=500, origin_price=None, stock=4, lead_time_days=2)
    with pytest.raises(PriceNeedsConfirmation):
        seller_portal.update_offer(session, people.shop.alpha, offer.id, **change)
    session.expire_all()
    assert (session.get(Offer, offer.id).price, session.get(Offer, offer.id).stock) == (1500, 5)
    saved = seller_portal.update_offer(session, people.shop.alpha, offer.id, **change, confirmed=True)
    assert (saved.price, saved.stock) == (500, 4)


@pytest.mark.parametrize("locale, old, new, expected", [
    ("en", 10_000, 3_800, "Price drop of 62%: from €100.00 to €38.00. Confirm?"),
    ("fr", 10_000, 3_800, "Baisse de prix de 62 % : de 100,00 € à 38,00 €. Confirmer ?"),
    ("fr", 10_000, 4_999, "Baisse de prix de 50,01 % : de 100,00 € à 49,99 €. Confirmer ?"),
    ("en", 1_500, 0, "Price of €0.00: the offer would be free. Confirm?"),
    ("fr", None, 0, "Prix de 0,00 € : l’offre serait gratuite. Confirmer ?"),
])
def test_the_warning_in_each_language_with_its_money_format(app, locale, old, new, expected):
    with pytest.raises(PriceNeedsConfirmation) as refused:
        check_price(old, new)
    with app.test_request_context(), force_locale(locale):
        sentence = explain(refused.value)
    # Babel puts (narrow) no-break spaces in French amounts and percentages.
    assert " ".join(sentence.replace("\u202f", " ").replace("\xa0", " ").split()) == expected


# --- the seller portal ---------------------------------------------------------------------------


@pytest.fixture
def alpha(client, people) -> Visitor:
    return Visitor(client).log_in(people.alpha_staff)


def fields(offer, price, **extra):
    prefix = f"offer-{offer.id}-"
    return {prefix + "price": price, prefix + "origin_price": "", prefix + "stock": "5",
            prefix + "lead_time_days": "2", **{prefix + name: value for name, value in extra.items()}}


def price_of(session, offer) -> int:
    session.expire_all()
    return session.get(Offer, offer.id).price


def test_a_big_drop_comes_back_with_a_warning_and_saves_once_confirmed(session, people, alpha):
    offer = people.shop.offers["alpha"]  # 15,00 €
    url = f"/seller/offers/{offer.id}"

    asked = alpha.post(url, fields(offer, "5,00"))
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "Price drop of 66.67%: from €15.00 to €5.00. Confirm?" in html_text(page)
    assert tags_with(page, "price-confirmation") and tags_with(page, "confirm-price")
    assert any('value="5,00"' in tag for tag in tags_with(page, "offer-price"))  # as typed
    assert price_of(session, offer) == 1500  # nothing saved

    # A tick for another price confirms nothing: the seller typed something new since.
    again = alpha.post(url, fields(offer, "4,00", confirm_price="500"))
    assert again.status_code == 422 and "from €15.00 to €4.00" in html_text(again.get_data(as_text=True))
    assert price_of(session, offer) == 1500

    confirmed = alpha.post(url, fields(offer, "5,00", confirm_price="500"))
    assert confirmed.status_code == 302
    assert price_of(session, offer) == 500


def test_a_price_of_0_asks_in_place_with_htmx(session, people, alpha):
    offer = people.shop.offers["alpha"]
    url = f"/seller/offers/{offer.id}"

    asked = alpha.htmx_post(url, fields(offer, "0"))
    assert asked.status_code == 422 and asked.headers["HX-Retarget"] == f"#offer-{offer.id}"
    row = asked.get_data(as_text=True)
    assert "Price of €0.00: the offer would be free. Confirm?" in html_text(row)
    assert not tags_with(row, "offer-saved")
    assert price_of(session, offer) == 1500

    confirmed = alpha.htmx_post(url, fields(offer, "0", confirm_price="0"))
    assert confirmed.status_code == 200 and tags_with(confirmed.get_data(as_text=True), "offer-saved")
    assert not tags_with(confirmed.get_data(as_text=True), "price-confirmation")
    assert price_of(session, offer) == 0


def test_a_normal_change_saves_at_once_and_french_sellers_read_french(session, people, alpha):
    offer = people.shop.offers["alpha"]
    url = f"/seller/offers/{offer.id}"
    halved = alpha.post(url, fields(offer, "7,50"))  # exactly half: no question
    assert halved.status_code == 302 and price_of(session, offer) == 750

    alpha.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    asked = alpha.post(url, fields(offer, "3,00"))
    text = html_text(asked.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")
    assert asked.status_code == 422
    assert "Baisse de prix de 60 % : de 7,50 € à 3,00 €. Confirmer ?" in text
    assert "Confirmer ce prix" in text
    assert price_of(session, offer) == 750
