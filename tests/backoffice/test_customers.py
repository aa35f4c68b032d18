"""Customer accounts in the back office: the search (name, email, order number), a customer's page,
blocking and unblocking with a reason in the audit log; a blocked customer's sessions end, and
they can neither log in (told why only with the right password) nor order."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.marketplace import accounts, customer_admin, operator_audit, user_sessions
from storefront.marketplace import cart as cart_service
from storefront.marketplace.customer_admin import CustomerSort, CustomerStatus
from storefront.marketplace.errors import InvalidTransition, InvalidValue, NotAllowed, NotFound
from storefront.marketplace.models import OperatorRole, Role, UserSession
from storefront.marketplace.refusals import Refusal
from tests import order_fixtures
from tests.checkout_fixtures import MAINLAND
from tests.order_fixtures import PASSWORD, Visitor, audit_count, html_text, place

people = order_fixtures.people


def staff_member(session, role: OperatorRole):
    return accounts.create_user(session, f"{role.value.lower()}@staff.example.com", PASSWORD,
                                role=Role.OPERATOR, operator_role=role)



# --- Service: search ----------------------------------------------------------------------------


def test_search_by_name_email_or_order_number(session, people):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1))
    place(session, people.customer, (shop.offers["beta"], 1))

    def found(**kwargs):
        return [row.user.email for row in customer_admin.search(session, **kwargs).items]

    assert found(query="camille") == [people.customer.email]  # part of the name, any case
    assert found(query="MARTIN") == [people.customer.email]
    assert found(query=people.other_customer.email[:6]) == [people.other_customer.email]
    assert found(query=order.number) == [people.customer.email]
    assert found(query=order.number.lower()) == [people.customer.email]
    assert found(query=order.seller_orders[0].number) == [people.customer.email]
    assert found(query="%") == [] and found(query="_") == []  # literal, not wildcards
    assert found(query="nobody") == []
    # Only customers: sellers' staff and the operator are not listed.
    assert set(found()) == {people.customer.email, people.other_customer.email}
    row = customer_admin.search(session, query="camille").items[0]
    assert (row.orders, row.blocked) == (2, False)
    assert row.last_order_at is not None


def test_sort_filter_and_pages(session, people):
    shop = people.shop
    place(session, people.other_customer, (shop.offers["alpha"], 1))
    customer_admin.block(session, people.operator, people.customer, "Fraude à la carte")
    by_name = customer_admin.search(session, sort=CustomerSort.NAME, descending=False)
    assert [r.user.name for r in by_name.items] == ["Camille Martin", "Dominique Petit"]
    by_orders = customer_admin.search(session, sort=CustomerSort.ORDERS, descending=True)
    assert [r.orders for r in by_orders.items] == [1, 0]
    last = customer_admin.search(session, sort=CustomerSort.LAST_ORDER, descending=False)
    assert last.items[-1].last_order_at is None  # never ordered: last either way
    blocked = customer_admin.search(session, status=CustomerStatus.BLOCKED)
    assert [(r.user.email, r.blocked) for r in blocked.items] == [(people.customer.email, True)]
    active = customer_admin.search(session, status=CustomerStatus.ACTIVE)
    assert [r.user.email for r in active.items] == [people.other_customer.email]
    first = customer_admin.search(session, per_page=1, sort=CustomerSort.EMAIL, descending=False)
    second = customer_admin.search(session, per_page=1, page=2, sort=CustomerSort.EMAIL, descending=False)
    assert (first.total, first.pages) == (2, 2)
    assert first.items[0].user.id != second.items[0].user.id


def test_the_search_costs_two_queries_whatever_the_page(session, people, count_queries):
    for index in range(12):
        accounts.create_user(session, f"client{index}@example.com", PASSWORD, name=f"Client {index}")
    session.commit()
    session.expunge_all()
    with count_queries() as statements:
        page = customer_admin.search(session, query="client", per_page=50)
        assert all(row.user.email for row in page.items)
    assert page.total == 12 and len(statements) == 2


# --- Service: block, unblock --------------------------------------------------------------------


def test_blocking_ends_every_session_and_is_audited(session, people):
    login_id = user_sessions.open_session(session, people.customer)
    customer_admin.block(session, people.operator, people.customer, "  Impayés répétés  ")
    assert user_sessions.load_user(session, login_id) is None
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert customer_admin.is_blocked(session, people.customer)
    entry = operator_audit.search(session, action="customer.block").entries[0]
    assert (entry.actor_email, entry.target_kind, entry.target_id) == (
        people.operator.email, "user_account", str(people.customer.id))
    assert (entry.before, entry.after) == ({"blocked": False}, {"blocked": True, "reason": "Impayés répétés"})

    customer_admin.unblock(session, people.operator, people.customer, "Régularisé")
    assert not customer_admin.is_blocked(session, people.customer)
    entry = operator_audit.search(session, action="customer.unblock").entries[0]
    assert (entry.before, entry.after) == ({"blocked": True, "reason": "Impayés répétés"},
                                          {"blocked": False, "reason": "Régularisé"})


def test_refused_blocks_change_nothing(session, people):
    clerk = staff_member(session, OperatorRole.CATALOG)
    for actor, customer, reason, error, code in [
        (people.operator, people.customer, "   ", InvalidValue, Refusal.BLOCK_REASON_MISSING),
        (people.operator, people.customer, "x" * 501, InvalidValue, Refusal.BLOCK_REASON_TOO_LONG),
        (clerk, people.customer, "Fraude", NotAllowed, None),
        (people.customer, people.other_customer, "Fraude", NotAllowed, None),
    ]:
        with pytest.raises(error) as raised:
            customer_admin.block(session, actor, customer, reason)
        assert code is None or raised.value.details["reason"] == code
    with pytest.raises(InvalidTransition):
        customer_admin.unblock(session, people.operator, people.customer, "Erreur")
    customer_admin.block(session, people.operator, people.customer, "Fraude")
    with pytest.raises(InvalidTransition):
        customer_admin.block(session, people.operator, people.customer, "Encore")
    assert operator_audit.search(session).total == 1


def test_support_may_block_and_another_staff_account_is_not_a_customer(session, people):
    support = staff_member(session, OperatorRole.SUPPORT)
    customer_admin.block(session, support, people.customer, "Comportement abusif")
    with pytest.raises(NotFound):
        customer_admin.block(session, support, people.alpha_staff, "Pas un client")


def test_a_blocked_customer_cannot_log_in_nor_order(session, people):
    customer_admin.block(session, people.operator, people.customer, "Fraude")
    with pytest.raises(NotAllowed) as raised:
        accounts.authenticate(session, people.customer.email, PASSWORD)
    assert raised.value.details["reason"] == Refusal.ACCOUNT_BLOCKED
    # A wrong password says nothing more than for anyone.
    assert accounts.authenticate(session, people.customer.email, "wrong password!") is None
    cart = cart_service.open_cart(session, user_id=people.customer.id)
    cart_service.add_item(session, cart, people.shop.offers["alpha"].id, 1)
    cart_service.set_address(session, cart, MAINLAND, email=people.customer.email)
    session.commit()
    with pytest.raises(NotAllowed) as raised:
        place(session, people.customer, (people.shop.offers["beta"], 1))
    assert raised.value.details["reason"] == Refusal.ACCOUNT_BLOCKED
    customer_admin.unblock(session, people.operator, people.customer, "Erreur de ma part")
    assert accounts.authenticate(session, people.customer.email, PASSWORD) == people.customer


def test_the_detail_has_orders_threads_and_history(session, people, count_queries):
    shop = people.shop
    order = place(session, people.customer, (shop.offers["alpha"], 1), (shop.offers["beta"], 1))
    customer_admin.block(session, people.operator, people.customer, "Fraude")
    session.expunge_all()
    customer = customer_admin.get_customer(session, people.customer.id)
    with count_queries() as statements:
        detail = customer_admin.detail(session, customer)
        assert [so.seller.name for o in detail.orders for so in o.seller_orders]
    assert len(statements) <= 8
    assert [o.number for o in detail.orders] == [order.number]
    assert detail.blocked and detail.block.reason == "Fraude" and detail.block.blocked_by.email == people.operator.email
    assert [e.action for e in detail.history] == ["customer.block"]


# --- Web ----------------------------------------------------------------------------------------


def test_customer_service_finds_a_customer_by_order_number_and_blocks_them(app, client, session, people):
    order = place(session, people.customer, (people.shop.offers["alpha"], 1))
    customer_client = app.test_client()
    shopper = Visitor(customer_client).log_in(people.customer)
    assert shopper.get("/compte/").status_code == 200

    support = Visitor(client).log_in(staff_member(session, OperatorRole.SUPPORT))
    page = support.page(f"/backoffice/customers?q={order.number}")
    assert 'data-testid="customer-row"' in page and people.customer.email in page
    assert people.other_customer.email not in page
    detail = support.page(f"/backoffice/customers/{people.customer.id}")
    so = order.seller_orders[0]
    assert f'href="/backoffice/orders/{so.number}"' in detail

    refused = support.post(f"/backoffice/customers/{people.customer.id}/block", {"reason": ""})
    assert refused.status_code == 422
    assert "Give the reason" in refused.get_data(as_text=True)
    assert audit_count(session) == 0

    done = support.post(f"/backoffice/customers/{people.customer.id}/block", {"reason": "Fraude <b>carte</b>"})
    assert done.status_code == 302
    page = support.page(f"/backoffice/customers/{people.customer.id}")
    assert "Fraude &lt;b&gt;carte&lt;/b&gt;" in page and 'data-testid="customer-blocked"' in page
    # The customer's browser is logged out, and logging in again is refused with the reason.
    assert shopper.get("/compte/").status_code == 302
    answer = Visitor(app.test_client()).post(
        "/compte/connexion", {"email": people.customer.email, "password": PASSWORD})
    assert answer.status_code == 422
    assert "This account is blocked" in html_text(answer.get_data(as_text=True))
    wrong = Visitor(app.test_client()).post(
        "/compte/connexion", {"email": people.customer.email, "password": "not the password"})
    assert "This account is blocked" not in wrong.get_data(as_text=True)
    assert "Wrong email address or password." in wrong.get_data(as_text=True)

    again = support.post(f"/backoffice/customers/{people.customer.id}/block", {"reason": "Encore"})
    assert again.status_code == 409 and "already blocked" in again.get_data(as_text=True)
    support.post(f"/backoffice/customers/{people.customer.id}/unblock", {"reason": "Régularisé"})
    assert Visitor(app.test_client()).log_in(people.customer)
    assert audit_count(session) == 2


def test_the_list_keeps_its_filters_and_sorts_in_the_url(client, session, people):
    place(session, people.other_customer, (people.shop.offers["alpha"], 1))
    admin = Visitor(client).log_in(people.operator)
    page = admin.page("/backoffice/customers?sort=orders&order=desc&status=active")
    rows = page.split('data-testid="customer-row"')[1:]
    assert people.other_customer.email in rows[0]
    assert "sort=name" in page and "status=active" in page
    assert 'aria-sort="descending"' in page
    for hostile in ("?sort=x&order=y&status=z&page=-1", "?q=%00%3Cscript%3E", f"?q={'9' * 500}",
                    "?page=99999999999"):
        assert admin.get(f"/backoffice/customers{hostile}").status_code == 200
    assert admin.get(f"/backoffice/customers/{people.alpha_staff.id}").status_code == 404
    assert admin.get(f"/backoffice/customers/{2**31 - 1}").status_code == 404
    assert admin.get(f"/backoffice/customers/{2**31}").status_code == 404


@pytest.mark.parametrize("role", [OperatorRole.CATALOG, OperatorRole.FINANCE])
def test_catalog_and_finance_staff_get_403_and_change_nothing(client, session, people, role):
    visitor = Visitor(client).log_in(staff_member(session, role))
    before = audit_count(session)
    assert visitor.get("/backoffice/customers").status_code == 403
    assert visitor.get(f"/backoffice/customers/{people.customer.id}").status_code == 403
    answer = visitor.post(f"/backoffice/customers/{people.customer.id}/block", {"reason": "Fraude"})
    assert answer.status_code == 403
    assert audit_count(session) == before
    assert not customer_admin.is_blocked(session, people.customer)
    assert 'data-testid="nav-customers"' not in visitor.page("/backoffice/")
