"""The seller portal's "new offer" page (seller.offer_new): find the product, create the offer
through the catalog's rules, see it on the product page at once; errors keep what was typed."""

from __future__ import annotations

from sqlalchemy import select

from storefront.marketplace import listing
from storefront.marketplace.models import Offer
from tests import order_fixtures
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people


def test_the_offers_page_links_to_the_new_offer_page(app, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert 'data-testid="offer-new"' in alpha.page("/seller/offers")
    page = alpha.page("/seller/offers/new")
    for name in ("product", "price", "stock", "condition", "lead_time_days"):
        assert f'name="{name}"' in page, name
    assert 'data-testid="offer-save"' in page


def test_find_a_product_by_title_then_create_its_offer(app, client, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    fridge = people.shop.products["fridge"]
    listing.refresh(session)
    session.commit()
    found = alpha.page(f"/seller/offers/new?q={fridge.title.split()[0]}")
    assert f'href="/seller/offers/new?product={fridge.id}"' in found
    chosen = alpha.page(f"/seller/offers/new?product={fridge.id}")
    assert f'value="{fridge.id}"' in chosen
    response = alpha.post("/seller/offers/new", {"product": fridge.gtin, "price": "749,90", "stock": "4",
                                                 "condition": "REFURBISHED", "lead_time_days": "2"})
    assert response.status_code == 302 and "/seller/offers" in response.headers["Location"]
    offer = session.scalar(select(Offer).where(Offer.seller_id == people.shop.alpha.id, Offer.product_id == fridge.id))
    assert (offer.price, offer.stock, offer.condition.value, offer.lead_time_days) == (74990, 4, "REFURBISHED", 2)
    assert "is created" in html_text(alpha.page(response.headers["Location"]))
    product_page = html_text(client.get(f"/p/{fridge.id}/{fridge.slug}").get_data(as_text=True))
    assert "Alpha Maison" in product_page and "749,90" in product_page


def test_errors_are_shown_on_the_form_with_the_values_kept(app, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    dryer = people.shop.products["dryer"]  # alpha already sells it new
    cases = [
        ({"product": "99999999", "price": "10", "stock": "1", "condition": "NEW", "lead_time_days": "1"},
         "This item is not available", 'value="99999999"'),
        ({"product": dryer.gtin, "price": "12", "stock": "1", "condition": "NEW", "lead_time_days": "1"},
         "You already sell this product in this condition", 'value="12"'),
        ({"product": dryer.gtin, "price": "-5", "stock": "1", "condition": "USED", "lead_time_days": "1"},
         "Enter an amount like 12,50.", 'value="-5"'),
        ({"product": dryer.gtin, "price": "5", "stock": "-1", "condition": "USED", "lead_time_days": "99"},
         "Number must be between", 'value="99"'),
        ({"product": "\x00<b>x</b>", "price": "5", "stock": "1", "condition": "BROKEN", "lead_time_days": "1"},
         "Not a valid choice", ""),
    ]
    before = session.scalar(select(Offer.id).order_by(Offer.id.desc()).limit(1))
    for data, message, kept in cases:
        response = alpha.post("/seller/offers/new", data)
        text = response.get_data(as_text=True)
        assert response.status_code in (404, 422), data
        assert message in html_text(text), (message, html_text(text)[:600])
        assert kept in text
        assert "<b>x</b>" not in text
    assert session.scalar(select(Offer.id).order_by(Offer.id.desc()).limit(1)) == before


def test_a_withdrawn_product_takes_no_new_offer(app, session, people):
    from storefront.marketplace import product_editing

    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    fridge = people.shop.products["fridge"]
    product_editing.set_active(session, people.operator, fridge, False)
    session.commit()
    response = alpha.post("/seller/offers/new", {"product": fridge.gtin, "price": "10", "stock": "1",
                                                 "condition": "NEW", "lead_time_days": "1"})
    assert response.status_code == 404
    assert alpha.page(f"/seller/offers/new?q={fridge.title.split()[0]}").count('data-testid="product-match"') == 0
