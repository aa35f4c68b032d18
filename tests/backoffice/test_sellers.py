"""Sellers in the back office: the list's read model and counts, suspending (offers gone from the
listing, the product page and search at once; open orders go on), reopening, closing (refused
while orders are open), the audit log; then the pages, their actions and who may use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront import clock
from storefront.marketplace import (
    accounts,
    catalog,
    discussions,
    finance,
    listing,
    orders,
    search,
    seller_admin,
    sellers,
)
from storefront.marketplace.errors import InvalidTransition, InvalidValue
from storefront.marketplace.models import (
    ActorRole,
    OperatorAuditEntry,
    OperatorRole,
    ProductListing,
    ReasonType,
    Role,
    SellerOrderState,
    SellerState,
)
from storefront.marketplace.seller_admin import SellerAction
from tests import order_fixtures
from tests.order_fixtures import PASSWORD, Visitor, audit_count, html_text, part_of, place

people = order_fixtures.people


@pytest.fixture
def marketplace(session, people):
    """The order fixtures' shop with its listing built (category and search pages read it)."""
    listing.refresh(session)
    session.commit()
    return people



def found_by_search(session, people, words: str) -> list[int]:
    return search.search(session, words, people.shop.mainland).product_ids


# --- services -------------------------------------------------------------------------------------


def test_suspending_hides_the_offers_at_once_and_open_orders_go_on(session, marketplace):
    people = marketplace
    dryer = people.shop.products["dryer"]  # sold by Alpha only
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    assert found_by_search(session, people, "seche linge") == [dryer.id]

    sellers.suspend_seller(session, people.shop.alpha, "  Retards   répétés ", actor=people.operator)

    session.expire_all()
    alpha = people.shop.alpha
    assert alpha.state == SellerState.SUSPENDED and alpha.suspended_reason == "Retards répétés"
    assert catalog.offers_for(session, dryer) == []  # the product page
    assert found_by_search(session, people, "seche linge") == []  # search
    rows = session.scalars(select(ProductListing).where(ProductListing.product_id == dryer.id)).all()
    assert rows and all(row.offer_count == 0 and row.best_offer_id is None for row in rows)  # categories
    # Its order goes on: the seller accepts it as before.
    orders.accept(session, part, actor_role=ActorRole.SELLER, actor_id=people.alpha_staff.id)
    assert part.state == SellerOrderState.SHIPPING

    [entry] = session.scalars(select(OperatorAuditEntry)).all()
    assert (entry.action, entry.target_kind, entry.target_id) == ("seller.suspend", "seller", str(alpha.id))
    assert entry.actor_email == people.operator.email
    assert entry.before == {"state": "OPEN", "suspended_reason": ""}
    assert entry.after == {"state": "SUSPENDED", "suspended_reason": "Retards répétés"}


def test_reopening_shows_the_offers_again(session, marketplace):
    people = marketplace
    dryer = people.shop.products["dryer"]
    sellers.suspend_seller(session, people.shop.alpha, "Documents manquants", actor=people.operator)
    sellers.reopen_seller(session, people.shop.alpha, actor=people.operator)
    session.expire_all()
    assert people.shop.alpha.state == SellerState.OPEN and people.shop.alpha.suspended_reason == ""
    assert [o.sku for o in catalog.offers_for(session, dryer)] == ["A-DRY"]
    assert found_by_search(session, people, "seche linge") == [dryer.id]
    actions = session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()
    assert actions == ["seller.suspend", "seller.reopen"]


def test_closing_is_refused_while_orders_are_open(session, marketplace):
    people = marketplace
    part = part_of(place(session, people.customer, (people.shop.offers["beta"], 1)), people.shop.beta)
    with pytest.raises(InvalidTransition) as refused:
        sellers.close_seller(session, people.shop.beta, "Fin du contrat", actor=people.operator)
    assert refused.value.details == {"reason": "open_orders", "count": 1}
    session.expire_all()
    assert people.shop.beta.state == SellerState.OPEN and audit_count(session) == 0

    reason = orders.reason_codes(session, ReasonType.REFUSAL, ActorRole.SELLER)[0]
    orders.refuse(session, part, actor_role=ActorRole.SELLER, reason_code=reason.code)
    sellers.close_seller(session, people.shop.beta, "Fin du contrat", actor=people.operator)
    session.expire_all()
    assert people.shop.beta.state == SellerState.CLOSED
    assert catalog.offers_for(session, people.shop.products["fridge"]) == []
    assert seller_admin.available_actions(people.shop.beta) == ()
    with pytest.raises(InvalidTransition):
        sellers.reopen_seller(session, people.shop.beta, actor=people.operator)
    with pytest.raises(InvalidTransition):
        sellers.suspend_seller(session, people.shop.beta, "x", actor=people.operator)


def test_refusals_change_nothing(session, marketplace):
    people = marketplace
    with pytest.raises(InvalidValue):
        sellers.suspend_seller(session, people.shop.alpha, " \x00 ", actor=people.operator)
    with pytest.raises(InvalidValue):
        sellers.close_seller(session, people.shop.alpha, "x" * 301, actor=people.operator)
    with pytest.raises(InvalidTransition) as retailer:
        sellers.close_seller(session, people.shop.retailer, "non", actor=people.operator)
    assert retailer.value.details["reason"] == "retailer_shop"
    assert seller_admin.available_actions(people.shop.retailer) == ()
    session.expire_all()
    assert people.shop.alpha.state == SellerState.OPEN and audit_count(session) == 0


def test_the_list_counts_orders_late_ones_and_open_threads(session, marketplace):
    people = marketplace
    first = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    orders.accept(session, first, actor_role=ActorRole.SELLER)
    discussions.open_thread(session, people.customer, people.shop.alpha, "WHERE_IS_MY_ORDER",
                            "Où est mon colis ?", seller_order=first)
    session.commit()
    today = clock.today()
    later = today + timedelta(days=30)  # the accepted order should have shipped by then

    def rows(**kwargs):
        found = seller_admin.search(session, today=kwargs.pop("today", today), **kwargs)
        return {row.seller.code: (row.orders, row.late, row.open_threads) for row in found.rows}

    assert rows()["alpha"] == (2, 0, 1) and rows()["beta"] == (0, 0, 0)
    assert rows(today=later)["alpha"] == (2, 1, 1)
    assert seller_admin.summary(session, people.shop.alpha, today=later).late == 1

    assert list(rows(q="BET")) == ["beta"]  # a part of the name, any case
    assert list(rows(q="gam")) == ["gamma"]  # the start of the code
    assert rows(q="%") == {}  # no wildcard
    sellers.suspend_seller(session, people.shop.gamma, "KYC", actor=people.operator)
    assert list(rows(state=SellerState.SUSPENDED)) == ["gamma"]

    by_orders = seller_admin.search(session, today=today, sort="orders", descending=True)
    assert by_orders.rows[0].seller.code == "alpha"
    names = [r.seller.name for r in seller_admin.search(session, today=today, sort="name").rows]
    assert names == sorted(names, key=str.lower)
    assert seller_admin.search(session, today=today, sort="nonsense").rows  # falls back to name
    paged = seller_admin.search(session, today=today, per_page=2, page=999)
    assert (paged.page, paged.pages, len(paged.rows), paged.total) == (2, 2, 2, 4)


def test_the_list_costs_the_same_queries_for_any_number_of_sellers(session, marketplace, count_queries):
    from tests import factories

    people = marketplace
    place(session, people.customer, (people.shop.offers["alpha"], 1))

    def queries() -> int:
        session.expire_all()
        with count_queries() as statements:
            found = seller_admin.search(session, today=clock.today())
            [(row.seller.name, row.orders, row.late, row.open_threads) for row in found.rows]
        return len(statements)

    few = queries()
    for n in range(12):
        factories.seller(session, f"Vendeur {n}", code=f"v{n}")
    session.commit()
    assert queries() == few == 2


def test_users_and_commission_overrides_of_a_seller(session, marketplace):
    people = marketplace
    colleague = accounts.create_user(session, "zoe@example.com", PASSWORD, name="Zoé", role=Role.SELLER,
                                     seller=people.shop.alpha)
    colleague.active = False
    finance.set_commission_rate(session, 900, seller=people.shop.alpha)
    finance.set_commission_rate(session, 700, seller=people.shop.alpha, category_code="washers")
    session.commit()
    found = seller_admin.users(session, people.shop.alpha)
    assert [(u.user.email, u.admin, u.user.active) for u in found] == [
        ("alpha@example.com", True, True), ("zoe@example.com", False, False)]
    overrides = seller_admin.commission_overrides(session, people.shop.alpha)
    assert [(o.category.code if o.category else None, o.rate_bp) for o in overrides] == [
        (None, 900), ("washers", 700)]
    assert seller_admin.commission_overrides(session, people.shop.beta) == []


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def staff_of(client, session, marketplace):
    def sign_in(role: OperatorRole) -> Visitor:
        email = f"{role.value.lower()}@staff.example.com"
        user = accounts.find_user(session, email) or accounts.create_user(
            session, email, PASSWORD, role=Role.OPERATOR, operator_role=role
        )
        session.commit()
        Visitor(client).post("/compte/deconnexion")  # whoever was signed in before
        return Visitor(client).log_in(user)

    return sign_in


def test_the_list_page_filters_sorts_and_pages_in_the_url(session, staff_of, count_queries):
    visitor = staff_of(OperatorRole.SUPPORT)
    page = visitor.page("/backoffice/sellers")
    assert page.count('data-testid="seller-row"') == 4 and 'aria-current="page"' in page
    text = html_text(visitor.page("/backoffice/sellers?q=alp&state=OPEN&sort=orders&dir=desc"))
    assert "Alpha Maison" in text and "Beta Froid" not in text and "1 seller" in text
    filtered = visitor.page("/backoffice/sellers?q=alp&sort=orders&dir=desc")
    assert 'value="alp"' in filtered and 'aria-sort="descending"' in filtered
    assert "q=alp" in filtered.split('data-testid="sort-name"')[0].rsplit("href=", 1)[1]
    for nasty in ("?sort=%00&dir=x&state=NOPE&page=-1", "?q=" + "<b>x</b>" * 50, "?page=99999999999"):
        response = visitor.get("/backoffice/sellers" + nasty)
        assert response.status_code == 200 and "<b>x</b>" not in response.get_data(as_text=True)
    with count_queries() as few:
        visitor.page("/backoffice/sellers")
    from tests import factories
    for n in range(8):
        factories.seller(session, f"Vendeur {n}", code=f"v{n}")
    session.commit()
    with count_queries() as many:
        visitor.page("/backoffice/sellers")
    assert len(many) == len(few)


def test_the_seller_page_shows_profile_counts_users_and_overrides(session, marketplace, staff_of):
    people = marketplace
    finance.set_commission_rate(session, 900, seller=people.shop.alpha)
    place(session, people.customer, (people.shop.offers["alpha"], 1))
    visitor = staff_of(OperatorRole.CATALOG)
    page = visitor.page("/backoffice/sellers/alpha")
    text = html_text(page)
    assert "Alpha Maison" in text and "alpha@example.com" in text and "Administrator" in text
    assert 'data-testid="commission-override"' in page and "9 %" in text
    assert 'data-testid="seller-actions"' not in page  # CATALOG reads, does not manage
    assert 'data-testid="commissions-link"' not in page  # nor opens commissions
    assert visitor.get("/backoffice/sellers/nobody").status_code == 404
    admin = staff_of(OperatorRole.ADMIN).page("/backoffice/sellers/alpha")
    assert 'data-testid="seller-suspend"' in admin and 'data-testid="seller-close"' in admin


def test_suspend_and_reopen_through_the_pages(session, marketplace, staff_of, client):
    people = marketplace
    part = part_of(place(session, people.customer, (people.shop.offers["alpha"], 1)), people.shop.alpha)
    admin = staff_of(OperatorRole.ADMIN)
    confirm = admin.page("/backoffice/sellers/alpha/suspend")
    assert 'name="reason"' in confirm and "open orders go on" in confirm
    empty = admin.post("/backoffice/sellers/alpha/suspend", {"reason": "  "})
    assert empty.status_code == 422 and 'data-testid="error-reason"' in empty.get_data(as_text=True)
    assert audit_count(session) == 0

    done = admin.post("/backoffice/sellers/alpha/suspend", {"reason": "Retards <b>répétés</b>"})
    assert done.status_code == 302 and done.location.endswith("/backoffice/sellers/alpha")
    page = admin.page("/backoffice/sellers/alpha")
    assert "Suspended" in page and "Retards &lt;b&gt;répétés&lt;/b&gt;" in page
    assert audit_count(session) == 1
    product = client.get(f"/p/{people.shop.products['dryer'].id}")
    assert "A-DRY" not in product.get_data(as_text=True) and "Alpha Maison" not in product.get_data(as_text=True)

    # The seller still runs its open order in the portal.
    Visitor(client).post("/compte/deconnexion")
    seller = Visitor(client).log_in(people.alpha_staff)
    assert part.number in seller.page("/seller/orders")

    again = staff_of(OperatorRole.ADMIN)
    assert again.post("/backoffice/sellers/alpha/reopen", {}).status_code == 302
    session.expire_all()
    assert people.shop.alpha.state == SellerState.OPEN and audit_count(session) == 2


def test_closing_with_open_orders_is_refused_clearly(session, marketplace, staff_of):
    people = marketplace
    place(session, people.customer, (people.shop.offers["beta"], 1))
    admin = staff_of(OperatorRole.ADMIN)
    assert "cannot be closed yet" in admin.page("/backoffice/sellers/beta/close")
    response = admin.post("/backoffice/sellers/beta/close", {"reason": "Fin du contrat"}, follow_redirects=True)
    assert "still has 1 open orders" in response.get_data(as_text=True)
    session.expire_all()
    assert people.shop.beta.state == SellerState.OPEN and audit_count(session) == 0
    gamma = admin.post("/backoffice/sellers/gamma/close", {"reason": "Fin du contrat"}, follow_redirects=True)
    assert "The shop is closed." in gamma.get_data(as_text=True)
    assert "seller-actions" not in admin.page("/backoffice/sellers/gamma")
    # An action the state does not allow: back to the page with a message, nothing written.
    late = admin.get("/backoffice/sellers/gamma/reopen", follow_redirects=True)
    assert "not possible for this shop now" in late.get_data(as_text=True)
    assert admin.post("/backoffice/sellers/gamma/suspend", {"reason": "x"}).status_code == 302
    session.expire_all()
    assert people.shop.gamma.state == SellerState.CLOSED and audit_count(session) == 1


@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.CATALOG, OperatorRole.FINANCE])
def test_roles_that_read_sellers_cannot_change_them(session, marketplace, staff_of, role):
    visitor = staff_of(role)
    assert visitor.get("/backoffice/sellers").status_code == 200
    assert visitor.get("/backoffice/sellers/alpha").status_code == 200
    for action in ("suspend", "reopen", "close"):
        assert visitor.get(f"/backoffice/sellers/alpha/{action}").status_code == 403
        assert visitor.post(f"/backoffice/sellers/alpha/{action}", {"reason": "x"}).status_code == 403
    session.expire_all()
    assert marketplace.shop.alpha.state == SellerState.OPEN and audit_count(session) == 0


def test_sellers_and_customers_cannot_open_the_pages(client, marketplace):
    visitor = Visitor(client)
    for person in (marketplace.customer, marketplace.alpha_staff):
        visitor.log_in(person)
        assert visitor.get("/backoffice/sellers").status_code == 403
        assert visitor.post("/backoffice/sellers/alpha/suspend", {"reason": "x"}).status_code == 403
        visitor.post("/compte/deconnexion")


def test_the_pages_are_french_by_default(client, marketplace, staff_of):
    visitor = staff_of(OperatorRole.ADMIN)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    text = html_text(visitor.page("/backoffice/sellers"))
    assert "Vendeurs" in text and "Expéditions en retard" in text
    assert "Suspendre" in html_text(visitor.page("/backoffice/sellers/alpha/suspend"))


def test_a_seller_action_name_is_an_enum_value():
    assert {a.value for a in SellerAction} == {"suspend", "reopen", "close"}


def test_a_suspension_empties_the_page_cache(app, session, marketplace, staff_of):
    """Anonymous shoppers get product pages from the page cache: a suspended shop's offer must
    not linger there for a minute."""
    from cachetools import TTLCache

    from tests.conftest import RequestIsolatingClient

    app.config.update(PAGE_CACHE_SECONDS=60)
    app.extensions["page_cache"] = cache = TTLCache(maxsize=100, ttl=60)
    try:
        shopper = RequestIsolatingClient(app)
        url = f"/p/{marketplace.shop.products['dryer'].id}"
        assert "Alpha Maison" in shopper.get(url, follow_redirects=True).text and len(cache) >= 1
        admin = staff_of(OperatorRole.ADMIN)
        assert admin.post("/backoffice/sellers/alpha/suspend", {"reason": "Fraude"}).status_code == 302
        assert len(cache) == 0
        assert "Alpha Maison" not in shopper.get(url, follow_redirects=True).text
    finally:
        app.config.update(PAGE_CACHE_SECONDS=0)
        app.extensions["page_cache"] = TTLCache(maxsize=100, ttl=1)
