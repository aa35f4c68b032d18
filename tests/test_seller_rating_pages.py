"""Seller ratings on the web: the customer's form from the order page (CSRF, kept input, one
rating, another customer's order 404), the seller page and its paginated ratings (escaped, hidden
ones left out, "New seller" below the minimum), the portal's answer form, the back office's
filters and moderation."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from storefront.marketplace import preferences, seller_ratings
from storefront.marketplace.models import OperatorRole, SellerRating
from tests.backoffice.test_shop_settings import staff_member
from tests.order_fixtures import Visitor, audit_count, html_text, people  # noqa: F401
from tests.rating_fixtures import HOSTILE, delivered, waiting


def rate_url(part) -> str:
    return f"/commande/mes-commandes/{part.customer_order.number}/avis/{part.number}"


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(SellerRating.id)))


def test_the_customer_rates_a_delivered_order_once(session, client, people):  # noqa: F811
    part = delivered(session, people)
    other = waiting(session, people, "beta")
    me = Visitor(client).log_in(people.customer)
    order_page = me.page(f"/commande/mes-commandes/{part.customer_order.number}")
    assert f'href="{rate_url(part)}"' in order_page and 'data-testid="rate-seller"' in order_page
    # The waiting one has no form yet.
    assert rate_url(other) not in me.page(f"/commande/mes-commandes/{other.customer_order.number}")

    form = me.page(rate_url(part))
    assert 'name="csrf_token"' in form and 'data-testid="grade-5"' in form
    # No grade: refused, the comment typed comes back.
    refused = me.post(rate_url(part), {"comment": HOSTILE})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose a grade from 1 to 5 stars." in text
    assert "&lt;script&gt;alert(" in text and '<script>alert("x")' not in text
    assert count(session) == 0
    # Without the CSRF token: refused.
    assert client.post(rate_url(part), data={"grade": "5"}).status_code == 400

    done = me.post(rate_url(part), {"grade": "4", "comment": HOSTILE})
    assert done.status_code == 302 and done.headers["Location"].endswith("#order-ratings")
    after = me.page(f"/commande/mes-commandes/{part.customer_order.number}")
    assert 'data-testid="rate-seller"' not in after and 'data-grade="4"' in after
    assert "&lt;script&gt;alert(" in after and '<script>alert("x")' not in after

    twice = me.post(rate_url(part), {"grade": "1", "comment": "Encore"})
    assert twice.status_code == 409
    assert "already rated this seller for this order" in twice.get_data(as_text=True)
    assert count(session) == 1
    assert session.scalar(select(SellerRating.grade)) == 4


def test_before_delivery_and_another_customers_order(session, client, people):  # noqa: F811
    part = delivered(session, people)
    stranger = Visitor(client).log_in(people.other_customer)
    assert stranger.get(rate_url(part)).status_code == 404
    assert stranger.post(rate_url(part), {"grade": "1"}).status_code == 404
    assert stranger.get(f"/commande/mes-commandes/{part.customer_order.number}/avis/NOPE").status_code == 404
    stranger.post("/compte/deconnexion")
    early = waiting(session, people)
    me = Visitor(client).log_in(people.customer)
    refused = me.post(rate_url(early), {"grade": "5", "comment": "Vite !"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "once the order has been delivered" in page and "Vite !" in page
    assert count(session) == 0


def test_the_seller_page_shows_the_grade_from_the_minimum_and_the_visible_ratings(session, client, people):  # noqa: F811
    alpha = people.shop.alpha
    first = seller_ratings.rate(session, delivered(session, people), people.customer, 5, HOSTILE)
    seller_ratings.answer(session, first, alpha.id, "Merci <i>beaucoup</i> !")
    seller_ratings.rate(session, delivered(session, people), people.customer, 4, "Bien")
    page = client.get(f"/vendeur/{alpha.slug}", headers={"Accept-Language": "en"}).text
    assert "New seller" in page and "★ 4.5/5" not in page  # 2 ratings, the minimum is 3
    assert "&lt;script&gt;alert(" in page and '<script>alert("x")' not in page
    assert "Merci &lt;i&gt;beaucoup&lt;/i&gt; !" in page
    hidden = seller_ratings.rate(session, delivered(session, people), people.customer, 1, "Insultes")
    seller_ratings.hide(session, hidden, "Propos injurieux", actor=people.operator)
    page = client.get(f"/vendeur/{alpha.slug}", headers={"Accept-Language": "en"}).text
    assert "Insultes" not in page and "New seller" in page  # hidden: not shown, not counted
    preferences.set(session, "seller_rating_min_count", 2)
    session.commit()
    page = client.get(f"/vendeur/{alpha.slug}", headers={"Accept-Language": "fr"}).text
    assert re.search(r"★ 4,5/5 <span[^>]*>\(2 avis\)", page)
    # The product page's buy box reads the same rule.
    product = people.shop.offers["alpha"].product
    assert "4,5/5" in client.get(f"/p/{product.id}/{product.slug}", headers={"Accept-Language": "fr"}).text
    # All of them, paginated.
    for _ in range(10):
        seller_ratings.rate(session, delivered(session, people), people.customer, 3, "Correct")
    listing = client.get(f"/vendeur/{alpha.slug}/avis", headers={"Accept-Language": "en"})
    assert listing.status_code == 200 and "Page 1 of 2" in listing.text
    assert listing.text.count('data-testid="rating-item"') == 10
    second = client.get(f"/vendeur/{alpha.slug}/avis?page=2", headers={"Accept-Language": "en"}).text
    assert second.count('data-testid="rating-item"') == 2 and "Insultes" not in second


def test_the_seller_answers_in_the_portal_once(session, client, people):  # noqa: F811
    alpha_rating = seller_ratings.rate(session, delivered(session, people), people.customer, 2, HOSTILE)
    beta_rating = seller_ratings.rate(session, delivered(session, people, "beta"), people.customer, 5, "Top")
    seller = Visitor(client).log_in(people.alpha_staff)
    page = seller.page("/seller/ratings")
    assert 'data-testid="answer-form"' in page and "Top" not in page
    assert "&lt;script&gt;alert(" in page and '<script>alert("x")' not in page
    # Empty: refused, nothing written; too long: the text comes back.
    assert seller.post(f"/seller/ratings/{alpha_rating.id}/answer", {"answer": " "}).status_code == 422
    long = seller.post(f"/seller/ratings/{alpha_rating.id}/answer", {"answer": "y" * 2001})
    assert long.status_code == 422 and "y" * 2001 in long.text
    # Another seller's rating: 404.
    assert seller.post(f"/seller/ratings/{beta_rating.id}/answer", {"answer": "Hop"}).status_code == 404
    done = seller.post(f"/seller/ratings/{alpha_rating.id}/answer", {"answer": "Nous sommes désolés."})
    assert done.status_code == 302
    again = seller.post(f"/seller/ratings/{alpha_rating.id}/answer", {"answer": "Encore"})
    assert again.status_code == 409 and "already has your answer" in again.text
    session.expire_all()
    assert session.get(SellerRating, alpha_rating.id).answer == "Nous sommes désolés."
    assert session.get(SellerRating, beta_rating.id).answer == ""


def test_the_back_office_filters_and_hides_with_a_reason(session, client, people):  # noqa: F811
    low = seller_ratings.rate(session, delivered(session, people), people.customer, 1, HOSTILE)
    seller_ratings.rate(session, delivered(session, people, "beta"), people.customer, 5, "Parfait")
    catalog = staff_member(session, client, OperatorRole.CATALOG)
    assert catalog.get("/backoffice/ratings").status_code == 403
    catalog.post("/compte/deconnexion")
    support = staff_member(session, client, OperatorRole.SUPPORT)
    page = support.page("/backoffice/ratings")
    assert page.count('data-testid="rating-item"') == 2
    assert "&lt;script&gt;alert(" in page and '<script>alert("x")' not in page
    only_alpha = support.page(f"/backoffice/ratings?seller={people.shop.alpha.code}&grade=1&hidden=0")
    assert only_alpha.count('data-testid="rating-item"') == 1 and "Parfait" not in only_alpha
    assert support.page("/backoffice/ratings?grade=9&hidden=x&seller=nope").count('data-testid="rating-item"') == 2

    entries = audit_count(session)
    no_reason = support.post(f"/backoffice/ratings/{low.id}/hide", {"reason": ""})
    assert no_reason.status_code == 422 and audit_count(session) == entries
    done = support.post(f"/backoffice/ratings/{low.id}/hide?hidden=0", {"reason": "Propos injurieux"})
    assert done.status_code == 302 and "hidden=0" in done.headers["Location"]
    assert audit_count(session) == entries + 1
    session.expire_all()
    hidden = session.get(SellerRating, low.id)
    assert hidden.hidden and hidden.hidden_reason == "Propos injurieux"
    assert session.get(type(people.shop.alpha), people.shop.alpha.id).rating_count == 0
    hidden_list = support.page("/backoffice/ratings?hidden=1")
    assert 'data-testid="unhide-rating"' in hidden_list and "Propos injurieux" in hidden_list
    assert support.post(f"/backoffice/ratings/{low.id}/unhide").status_code == 302
    session.expire_all()
    assert not session.get(SellerRating, low.id).hidden
    assert session.get(type(people.shop.alpha), people.shop.alpha.id).rating_count == 1
    # The seller sees its hidden rating, marked.
    support.post("/compte/deconnexion")
    seller_ratings.hide(session, session.get(SellerRating, low.id), "Hors sujet", actor=people.operator)
    portal = Visitor(client).log_in(people.alpha_staff).page("/seller/ratings")
    assert 'data-testid="rating-hidden"' in portal and "Hors sujet" in html_text(portal)
