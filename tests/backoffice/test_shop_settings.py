"""The shop's preferences page (/backoffice/settings): each display toggle shows or hides its
piece of the shop page, values are checked (and kept when refused, with nothing saved and no
audit entry), changes are audited with before/after, and reach other processes within
REFERENCE_CACHE_SECONDS."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from storefront.extensions import db
from storefront.marketplace import accounts, operator_audit, preferences, reference_cache
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OperatorRole, Role, StoreSetting
from tests.order_fixtures import PASSWORD, Visitor, audit_count

VALID = {
    "show_sold_by": "y", "show_shipped_by": "y", "show_delivery_promise": "y", "show_seller_rating": "y",
    "show_other_sellers": "y", "seller_rating_min_count": "3", "relations_model": "DIRECT", "acceptance_delay_hours": "48",
    "default_postal_code": "", "offer_import_min_minutes": "15", "imports_per_day": "24",
    "order_export_minutes": "60", "capture_at": "ship", "commission_on_shipping": "", "billing_cycle": "twice_monthly",
    "invoice_payment_days": "30", "retailer_address": "", "payout_holding_days": "7", "payout_debtor_name": "",
    "payout_debtor_iban": "", "payout_debtor_bic": "",
}
# Each toggle and the data-testid of what it shows on a product page.
TOGGLES = {
    "show_sold_by": "sold-by",
    "show_shipped_by": "shipped-by",
    "show_delivery_promise": "delivery-promise",
    "show_seller_rating": "seller-rating",
    "show_other_sellers": "other-offers",
}


def staff_member(session, client, role=OperatorRole.ADMIN) -> Visitor:
    email = f"{role.value.lower()}@staff.example.com"
    user = accounts.find_user(session, email) or accounts.create_user(
        session, email, PASSWORD, role=Role.OPERATOR, operator_role=role)
    session.commit()
    return Visitor(client).log_in(user)



def product_page(client, product) -> str:
    return client.get(f"/p/{product.id}/{product.slug}", headers={"Accept-Language": "fr"}).text


@pytest.mark.parametrize("key", list(TOGGLES))
def test_each_display_toggle_hides_its_piece_of_the_product_page(session, client, mini_shop, key):
    testid = f'data-testid="{TOGGLES[key]}"'
    assert testid in product_page(client, mini_shop.washer)
    operator = staff_member(session, client)
    response = operator.post("/backoffice/settings", {**VALID, key: ""})
    assert response.status_code == 302
    assert preferences.get(session, key) is False
    page = product_page(client, mini_shop.washer)
    assert testid not in page
    others = {t for k, t in TOGGLES.items() if k != key}
    assert all(f'data-testid="{t}"' in page for t in others), "only the one toggled off is hidden"


def test_the_page_shows_the_stored_values_and_saving_audits_before_and_after(session, client):
    preferences.set(session, "acceptance_delay_hours", 72)
    session.commit()
    operator = staff_member(session, client)
    page = operator.page("/backoffice/settings")
    assert re.search(r'name="acceptance_delay_hours"[^>]*value="72"', page)
    assert 'data-testid="show_other_sellers"' in page and "checked" in page
    response = operator.post("/backoffice/settings", {**VALID, "acceptance_delay_hours": "24",
                                                      "default_postal_code": "69001", "show_sold_by": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/backoffice/settings")
    session.expire_all()
    assert preferences.get(session, "acceptance_delay_hours", fresh=True) == 24
    entry = operator_audit.search(session, action="preferences.update").entries[0]
    assert entry.actor_email == "admin@staff.example.com"
    assert entry.before == {"show_sold_by": True, "acceptance_delay_hours": 72, "default_postal_code": ""}
    assert entry.after == {"show_sold_by": False, "acceptance_delay_hours": 24, "default_postal_code": "69001"}
    # The same values again: nothing changes, no entry.
    before = audit_count(session)
    operator.post("/backoffice/settings", {**VALID, "acceptance_delay_hours": "24",
                                           "default_postal_code": "69001", "show_sold_by": ""})
    assert audit_count(session) == before


@pytest.mark.parametrize(("field", "typed"), [
    ("acceptance_delay_hours", "0"),
    ("acceptance_delay_hours", "241"),
    ("acceptance_delay_hours", "-4"),
    ("acceptance_delay_hours", "quarante"),
    ("acceptance_delay_hours", "9" * 30),
    ("default_postal_code", "7500"),
    ("default_postal_code", "75O01"),
    ("default_postal_code", "<b>75001</b>"),
    ("default_postal_code", "75\x0001"),
    ("imports_per_day", "0"),
    ("order_export_minutes", "1"),
    ("offer_import_min_minutes", "100000"),
    ("relations_model", "ANARCHY"),
    ("invoice_payment_days", "61"),  # Code de commerce L441-10: at most 60 days
    ("invoice_payment_days", "-1"),
    ("retailer_address", "x" * 201),
    ("capture_at", "never"),
    ("billing_cycle", "weekly"),
])
def test_refused_values_are_kept_shown_next_to_their_field_and_nothing_is_saved(session, client, field, typed):
    operator = staff_member(session, client)
    before = audit_count(session)
    response = operator.post("/backoffice/settings", {**VALID, "show_sold_by": "", field: typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    if field not in ("relations_model", "capture_at", "billing_cycle"):
        assert f'data-testid="error-{field}"' in page
        assert 'aria-invalid="true"' in page
        if "\x00" not in typed:  # kept as typed (escaped); a NUL byte is no 500 either
            assert f'value="{typed.replace("<", "&lt;").replace(">", "&gt;")}"' in page
    assert "<b>75001</b>" not in page
    assert preferences.get(session, "show_sold_by", fresh=True) is True  # the valid change neither
    assert audit_count(session) == before


def test_the_service_checks_ranges_and_postal_codes(session):
    for key, value in [("acceptance_delay_hours", 0), ("acceptance_delay_hours", 241), ("imports_per_day", True),
                       ("default_postal_code", "1234"), ("default_postal_code", 75001), ("show_other_sellers", 1)]:
        with pytest.raises(InvalidValue) as refused:
            preferences.update(session, None, {"show_sold_by": False, key: value})
        assert refused.value.details["field"] == key
    assert preferences.get(session, "show_sold_by", fresh=True) is True
    assert operator_audit.search(session).total == 0
    assert preferences.check("default_postal_code", " 20000 ") == "20000"


@pytest.mark.parametrize("role", [OperatorRole.CATALOG, OperatorRole.SUPPORT, OperatorRole.FINANCE])
def test_other_roles_get_403_and_change_nothing(session, client, role):
    visitor = staff_member(session, client, role)
    before = audit_count(session)
    assert visitor.get("/backoffice/settings").status_code == 403
    assert visitor.post("/backoffice/settings", {**VALID, "show_sold_by": ""}).status_code == 403
    assert visitor.post("/backoffice/relations", {"model": "MEDIATED"}).status_code == 403
    assert 'data-testid="nav-settings"' not in visitor.page("/backoffice/")
    assert audit_count(session) == before
    assert preferences.get(session, "show_sold_by", fresh=True) is True
    assert preferences.get(session, "relations_model", fresh=True) == "DIRECT"


def test_the_default_postal_code_gives_the_dates_of_its_zone(session, client, mini_shop):
    paris = product_page(client, mini_shop.washer)
    preferences.set(session, "default_postal_code", "20000")  # Corsica: 3 to 5 days
    session.commit()
    corsica = product_page(client, mini_shop.washer)
    assert 'value="20000"' in corsica and 'value="20000"' not in paris


def test_another_process_sees_a_change_within_its_refresh_interval(app, session, another_app):
    """Each app has its own engine and cache, like another web worker or the job worker."""
    prompt = another_app(environ={"REFERENCE_CACHE_SECONDS": "0"})
    lazy = another_app(environ={"REFERENCE_CACHE_SECONDS": "3600"})
    assert prompt.config["REFERENCE_CACHE_SECONDS"] == 0 and lazy.config["REFERENCE_CACHE_SECONDS"] == 3600

    def seen_by(other) -> bool:
        with other.app_context():
            value = preferences.get_all(db.session)["show_other_sellers"]
            db.session.remove()
            return value

    assert seen_by(prompt) is True and seen_by(lazy) is True  # both keep a copy now
    preferences.update(session, None, {"show_other_sellers": False})  # this process saves
    assert preferences.get_all(session)["show_other_sellers"] is False  # its own copy is dropped
    assert seen_by(prompt) is False  # 0 seconds: the next read sees it
    assert seen_by(lazy) is True  # an hour: not yet (what the setting is for)


def test_every_process_sees_a_back_office_change_at_once(app, session, another_app):
    """Another worker with an hour-long copy drops it as soon as it sees that the reference
    generation moved (REFERENCE_CHECK_SECONDS; 0 here: it looks on every read)."""
    watchful = another_app(environ={"REFERENCE_CACHE_SECONDS": "3600", "REFERENCE_CHECK_SECONDS": "0"})
    assert watchful.config["REFERENCE_CHECK_SECONDS"] == 0

    def seen_by(other):
        with other.app_context():
            value = preferences.get_all(db.session)["show_other_sellers"]
            db.session.remove()
            return value

    assert seen_by(watchful) is True  # a copy, kept an hour
    before = reference_cache.generation(session)
    preferences.update(session, None, {"show_other_sellers": False})
    assert reference_cache.generation(session) == before + 1  # counted with the change
    assert seen_by(watchful) is False
    session.execute(update(StoreSetting).where(StoreSetting.key == "show_other_sellers").values(value=True))
    session.commit()  # a statement, not the ORM: counted too
    assert seen_by(watchful) is True
    generation = reference_cache.generation(session)
    preferences.get_all(session)  # reading changes nothing
    session.commit()
    assert reference_cache.generation(session) == generation


def test_the_operator_sets_when_payments_are_captured_and_how_sellers_are_billed(session, client):
    operator = staff_member(session, client)
    page = operator.page("/backoffice/settings")
    assert 'data-testid="capture_at-ship"' in page and 'data-testid="billing_cycle-twice_monthly"' in page
    response = operator.post("/backoffice/settings", {
        **VALID, "capture_at": "accept", "commission_on_shipping": "y", "billing_cycle": "monthly",
        "invoice_payment_days": "45", "retailer_address": "  12 rue de la Paix   75002 Paris "})
    assert response.status_code == 302
    session.expire_all()
    assert {key: preferences.get(session, key, fresh=True) for key in (
        "capture_at", "commission_on_shipping", "billing_cycle", "invoice_payment_days", "retailer_address")} == {
        "capture_at": "accept", "commission_on_shipping": True, "billing_cycle": "monthly",
        "invoice_payment_days": 45, "retailer_address": "12 rue de la Paix 75002 Paris"}
    page = operator.page("/backoffice/settings")
    assert re.search(r'data-testid="capture_at-accept"[^>]*checked', page) or \
        re.search(r'checked[^>]*data-testid="capture_at-accept"', page)
    assert re.search(r'name="invoice_payment_days"[^>]*value="45"', page)
