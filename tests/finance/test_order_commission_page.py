"""The seller's order page shows, per line, the commission rate and amount the marketplace keeps,
and the order's total: the figures of ``finance.commission_lines`` (the API's commission lines),
in French and English; cancelled units earn none."""

from __future__ import annotations

import re

from storefront.marketplace import finance, orders
from storefront.marketplace.models import ActorRole, ReasonType
from tests import order_fixtures
from tests.order_fixtures import Visitor, html_text, part_of, place

people = order_fixtures.people  # the fixture

SELLER = ActorRole.SELLER


def _figures(raw: str, testid: str, attribute: str) -> list[int]:
    return [int(v) for v in re.findall(rf'data-testid="{testid}" {attribute}="(-?\d+)"', raw)]


def test_each_line_shows_its_commission_and_the_order_its_total(client, session, people):
    shop = people.shop
    part = part_of(place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1)),
                   shop.alpha)
    expected = finance.commission_lines(session, seller_order_id=part.id, limit=None)
    assert len(expected) == 2 and all(line.commission > 0 for line in expected)

    alpha = Visitor(client).log_in(people.alpha_staff)
    raw = alpha.page(f"/seller/orders/{part.number}")
    assert _figures(raw, "commission-rate", "data-rate-bp") == [line.rate_bp for line in expected]
    assert _figures(raw, "line-commission", "data-amount") == [line.commission for line in expected]
    total = sum(line.commission for line in expected)
    assert _figures(raw, "order-commission", "data-amount") == [total]
    # The dryers: 2 × 15,00 € at the shop's 12 %: 3,60 €.
    assert (expected[0].rate_bp, expected[0].commission) == (1200, 360)
    english = html_text(raw)
    assert "Commission rate" in english and "12%" in english and "€3.60" in english
    assert "Commission on this order" in english

    alpha.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    try:
        french = html_text(alpha.page(f"/seller/orders/{part.number}"))
    finally:
        alpha.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Taux de commission" in french and "Commission sur cette commande" in french
    assert "12 %" in french.replace("\u202f", " ").replace("\xa0", " ") and "3,60" in french

    # Units cancelled: no commission on them, here as in the API.
    reason = orders.reason_codes(session, ReasonType.CANCELATION, SELLER)[0]
    orders.cancel_lines(session, part, {expected[0].line_id: 1}, reason_code=reason.code, actor_role=SELLER)
    raw = alpha.page(f"/seller/orders/{part.number}")
    assert _figures(raw, "line-commission", "data-amount")[0] == 180
    assert _figures(raw, "order-commission", "data-amount") == [180 + expected[1].commission]


def test_the_retailer_own_order_shows_no_commission(client, session, people):
    shop = people.shop
    part = part_of(place(session, people.customer, (shop.offers["first_party"], 1)), shop.retailer)
    assert finance.order_commission(session, part) is None
    operator = Visitor(client).log_in(people.operator)
    raw = operator.page(f"/backoffice/orders/{part.number}")
    assert 'data-testid="order-commission"' not in raw
