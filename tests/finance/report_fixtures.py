"""A hand-written ledger for the finance reports' tests (service and back-office pages): real
order lines of the ``people`` shop, entries at chosen moments around the end of October 2026."""

from __future__ import annotations

import pytest

from storefront.marketplace import reference
from storefront.marketplace.models import LedgerKind
from tests.finance.billing_fixtures import entry, paris
from tests.order_fixtures import place

K = LedgerKind


@pytest.fixture
def ledger(session, people):
    """Hand-written entries on real order lines. Alpha sells dryers, Beta fridges (both in
    Maison), Gamma ovens, moved to a second top-level category, Jardin.

    ========================  =======  ==============================================
    Paris time                seller   entries (cents, the seller's point of view)
    ========================  =======  ==============================================
    Sat 31 Oct 2026 23:30     gamma    CAPTURE 1200, COMMISSION -144
    Sun 1 Nov 00:30           beta     CAPTURE 800, COMMISSION -96
    Mon 2 Nov 10:00           alpha    CAPTURE 3000, COMMISSION -360, SHIPPING_FEE 590,
                                       COMMISSION -71 (on the shipping, no line)
    Tue 10 Nov 15:00          alpha    REFUND -1500, COMMISSION_REFUND 180 (the line),
                                       REFUND -590 (the shipping, no line)
    Mon 30 Nov 12:00          alpha    COMMISSION_VAT -122, ADJUSTMENT 50, PAYOUT -1000
    Tue 1 Dec 00:10           beta     CAPTURE 800, COMMISSION -96 (after November)
    ========================  =======  ==============================================
    """
    shop = people.shop
    garden = reference.create_category(session, "garden", "Jardin", label_en="Garden")
    shop.products["oven"].category_id = garden.id
    order = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1),
                  (shop.offers["gamma"], 1), now=paris(2026, 10, 30, 9, 0))
    lines = {so.seller_id: (so, so.lines[0]) for so in order.seller_orders}

    def write(seller, kind, amount, at, *, line=True):
        seller_order, order_line = lines[seller.id]
        entry(session, seller, kind, amount, at, seller_order_id=seller_order.id,
              order_line_id=order_line.id if line else None)

    write(shop.gamma, K.CAPTURE, 1200, paris(2026, 10, 31, 23, 30))
    write(shop.gamma, K.COMMISSION, -144, paris(2026, 10, 31, 23, 30))
    write(shop.beta, K.CAPTURE, 800, paris(2026, 11, 1, 0, 30))
    write(shop.beta, K.COMMISSION, -96, paris(2026, 11, 1, 0, 30))
    monday = paris(2026, 11, 2, 10, 0)
    write(shop.alpha, K.CAPTURE, 3000, monday)
    write(shop.alpha, K.COMMISSION, -360, monday)
    write(shop.alpha, K.SHIPPING_FEE, 590, monday, line=False)
    write(shop.alpha, K.COMMISSION, -71, monday, line=False)
    refunded = paris(2026, 11, 10, 15, 0)
    write(shop.alpha, K.REFUND, -1500, refunded)
    write(shop.alpha, K.COMMISSION_REFUND, 180, refunded)
    write(shop.alpha, K.REFUND, -590, refunded, line=False)
    for kind, amount in ((K.COMMISSION_VAT, -122), (K.ADJUSTMENT, 50), (K.PAYOUT, -1000)):
        write(shop.alpha, kind, amount, paris(2026, 11, 30, 12, 0), line=False)
    write(shop.beta, K.CAPTURE, 800, paris(2026, 12, 1, 0, 10))
    write(shop.beta, K.COMMISSION, -96, paris(2026, 12, 1, 0, 10))
    session.commit()
    return shop
