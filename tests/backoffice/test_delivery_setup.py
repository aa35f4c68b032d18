"""The back office's delivery pages (/backoffice/delivery…): zones, carriers, the shop's rates,
modes and cut-off, and the promise preview, through the Flask client. Refusals keep what was
typed and change nothing; roles without the DELIVERY permission get 403 and leave the audit
log as it was; the shop's pages show a change at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.marketplace import operator_audit
from storefront.marketplace.models import (
    Carrier,
    DeliveryMode,
    OperatorRole,
    Role,
    ShippingRate,
    Zone,
)
from tests import order_fixtures
from tests.order_fixtures import HTMX, Visitor, audit_count, html_text

people = order_fixtures.people


@pytest.fixture
def admin(client, people) -> Visitor:
    return Visitor(client).log_in(people.operator)



def mode(session, code) -> DeliveryMode:
    return session.scalar(select(DeliveryMode).where(DeliveryMode.code == code))


# --- zones ---------------------------------------------------------------------------------------


def test_the_zones_page_lists_zones_with_rules_and_the_nav_link(admin, people):
    page = admin.page("/backoffice/delivery")
    assert 'data-testid="nav-delivery"' in page and 'aria-current="page"' in page
    text = html_text(page)
    assert "FR-COR" in text and "FR 20" in text and "FR-MAIN" in text


def test_a_zone_is_created_from_its_form(admin, session):
    assert 'data-testid="zone-form"' in admin.page("/backoffice/delivery/zones/new")
    response = admin.post("/backoffice/delivery/zones", {
        "code": "DOM", "label": "Outre-mer", "label_en": "Overseas", "rules": "FR 971-974\r\nFR 976"})
    assert response.status_code == 303
    zone = session.scalar(select(Zone).where(Zone.code == "DOM"))
    assert sorted(r.postal_prefix for r in zone.rules) == ["971", "972", "973", "974", "976"]
    assert "FR 976" in admin.page("/backoffice/delivery")


def test_an_overlapping_rule_is_refused_naming_the_other_zone_and_nothing_is_saved(admin, session):
    entries = audit_count(session)
    response = admin.post("/backoffice/delivery/zones", {
        "code": "ISLES", "label": "Îles", "rules": "FR 971\nFR 20"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-rules"' in page and "Corse (FR-COR)" in html_text(page)
    assert 'value="ISLES"' in page and "FR 971\nFR 20" in page  # what was typed stays
    assert session.scalar(select(Zone).where(Zone.code == "ISLES")) is None
    assert audit_count(session) == entries


@pytest.mark.parametrize("rules", ["FR 2O0x", "FR 976-971", "XX YY ZZ", "FR \x00 20", "<b>FR</b>"])
def test_a_bad_rule_is_refused_on_its_field(admin, session, rules):
    response = admin.post("/backoffice/delivery/zones", {"code": "BAD", "label": "Bad", "rules": rules})
    assert response.status_code == 422
    assert 'data-testid="error-rules"' in response.get_data(as_text=True)
    assert session.scalar(select(Zone).where(Zone.code == "BAD")) is None


def test_a_zone_is_edited_and_its_code_stays(admin, session, people):
    corsica = people.shop.corsica
    page = admin.page(f"/backoffice/delivery/zones/{corsica.id}")
    assert "FR 20" in page and 'data-testid="zone-code"' in page
    response = admin.post(f"/backoffice/delivery/zones/{corsica.id}",
                          {"code": "HACK", "label": "Corse", "label_en": "Corsica", "rules": "FR 20"})
    assert response.status_code == 303
    session.expire_all()
    assert (corsica.code, corsica.label_en) == ("FR-COR", "Corsica")
    assert operator_audit.search(session, action="delivery.zone.update").entries[0].after == {"label_en": "Corsica"}


def test_only_an_unused_zone_is_deleted(admin, session, people):
    entries = audit_count(session)
    response = admin.post(f"/backoffice/delivery/zones/{people.shop.corsica.id}/delete")
    assert response.status_code == 303
    assert "cannot be deleted" in html_text(admin.page("/backoffice/delivery"))
    assert audit_count(session) == entries
    admin.post("/backoffice/delivery/zones", {"code": "BE", "label": "Belgique", "rules": "BE"})
    zone = session.scalar(select(Zone).where(Zone.code == "BE"))
    assert 'data-testid="delete-zone"' in admin.page("/backoffice/delivery")
    admin.post(f"/backoffice/delivery/zones/{zone.id}/delete")
    session.expire_all()
    assert session.scalar(select(Zone).where(Zone.code == "BE")) is None


def test_unknown_ids_answer_404(admin):
    for path in ["/backoffice/delivery/zones/999999", "/backoffice/delivery/carriers/999999",
                 "/backoffice/delivery/modes/999999"]:
        assert admin.get(path).status_code == 404
    assert admin.get("/backoffice/delivery/zones/99999999999").status_code == 404
    assert admin.post("/backoffice/delivery/rates/999999/1").status_code == 404


# --- carriers ------------------------------------------------------------------------------------


def test_a_carrier_is_added_and_a_bad_template_is_refused_keeping_the_values(admin, session):
    assert "Colissimo" in admin.page("/backoffice/delivery/carriers")
    entries = audit_count(session)
    response = admin.post("/backoffice/delivery/carriers", {
        "code": "NEWCO", "name": "Newco", "tracking_url_template": "https://newco.example/track?n={number}"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-testid="error-tracking_url_template"' in page
    assert "https://newco.example/track?n={number}" in page and 'value="Newco"' in page
    assert audit_count(session) == entries
    response = admin.post("/backoffice/delivery/carriers", {
        "code": "NEWCO", "name": "Newco", "tracking_url_template": "https://newco.example/track?n={tracking}"})
    assert response.status_code == 303
    carrier = session.scalar(select(Carrier).where(Carrier.code == "NEWCO"))
    assert carrier.tracking_url_template.endswith("{tracking}")


def test_a_carrier_is_edited(admin, session):
    carrier = session.scalar(select(Carrier).where(Carrier.code == "DPD"))
    assert "trace.dpd.fr" in admin.page(f"/backoffice/delivery/carriers/{carrier.id}")
    response = admin.post(f"/backoffice/delivery/carriers/{carrier.id}", {
        "name": "DPD", "tracking_url_template": "http://trace.dpd.fr/{tracking}"})
    assert response.status_code == 303
    session.expire_all()
    assert (carrier.name, carrier.tracking_url_template) == ("DPD", "http://trace.dpd.fr/{tracking}")
    response = admin.post(f"/backoffice/delivery/carriers/{carrier.id}", {
        "name": "DPD", "tracking_url_template": "javascript:alert({tracking})"})
    assert response.status_code == 422


# --- rates ---------------------------------------------------------------------------------------


def _rate_fields(thd, zone, **values):
    prefix = f"r{thd.id}-{zone.id}-"
    return {prefix + name: value for name, value in values.items()}


def test_the_rates_grid_shows_every_zone_and_mode(admin, people, session):
    page = admin.page("/backoffice/delivery/rates")
    assert page.count('data-testid="rate-row"') == 2 * 3  # two zones, three modes
    assert 'value="4,99"' in page  # THD mainland, in euros
    page = admin.page(f"/backoffice/delivery/rates?zone={people.shop.corsica.id}")
    assert page.count('data-testid="rate-row"') == 3
    assert admin.get("/backoffice/delivery/rates?zone=1e9999").status_code == 200


def test_a_rate_is_saved_from_its_row_without_javascript(admin, session, people):
    relay, corsica = mode(session, "RELAY"), people.shop.corsica
    fields = _rate_fields(relay, corsica, offered="y", fee="6,50", extra_item_fee="1", free_threshold="",
                          transit_min="3", transit_max="6")
    response = admin.client.post(f"/backoffice/delivery/rates/{relay.id}/{corsica.id}",
                                 data={**fields, f"r{relay.id}-{corsica.id}-csrf_token": admin.token()})
    assert response.status_code == 303
    rate = session.scalar(select(ShippingRate).where(ShippingRate.mode_id == relay.id,
                                                     ShippingRate.zone_id == corsica.id))
    assert (rate.fee, rate.extra_item_fee, rate.free_threshold, rate.transit_max) == (650, 100, None, 6)
    assert operator_audit.search(session, action="delivery.rate.create").total == 1


def test_a_rate_row_is_saved_by_htmx_and_errors_stay_in_the_row(admin, session, people):
    thd, mainland = mode(session, "THD"), people.shop.mainland
    token = {f"r{thd.id}-{mainland.id}-csrf_token": admin.token()}
    entries = audit_count(session)
    bad = _rate_fields(thd, mainland, offered="y", fee="-3", extra_item_fee="1", free_threshold="25",
                       transit_min="2", transit_max="3")
    response = admin.client.post(f"/backoffice/delivery/rates/{thd.id}/{mainland.id}", data={**bad, **token},
                                 headers=HTMX)
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith("<tr") and "<html" not in row
    assert 'data-testid="error-fee"' in row and 'value="-3"' in row
    assert audit_count(session) == entries
    good = {**bad, f"r{thd.id}-{mainland.id}-fee": "5,49", f"r{thd.id}-{mainland.id}-transit_max": "99"}
    row = admin.client.post(f"/backoffice/delivery/rates/{thd.id}/{mainland.id}", data={**good, **token},
                            headers=HTMX).get_data(as_text=True)
    assert 'data-testid="error-transit_max"' in row and audit_count(session) == entries
    good[f"r{thd.id}-{mainland.id}-transit_max"] = "3"
    row = admin.client.post(f"/backoffice/delivery/rates/{thd.id}/{mainland.id}", data={**good, **token},
                            headers=HTMX).get_data(as_text=True)
    assert 'data-testid="rate-saved"' in row and 'value="5,49"' in row
    session.expire_all()
    rate = session.scalar(select(ShippingRate).where(ShippingRate.mode_id == thd.id,
                                                     ShippingRate.zone_id == mainland.id,
                                                     ShippingRate.shipper_id == people.shop.retailer.id))
    assert rate.fee == 549
    entry = operator_audit.search(session, action="delivery.rate.update").entries[0]
    assert (entry.before, entry.after) == ({"fee": 499}, {"fee": 549})


def test_a_rate_switched_off_is_removed(admin, session, people):
    ehd, mainland = mode(session, "EHD"), people.shop.mainland
    response = admin.client.post(f"/backoffice/delivery/rates/{ehd.id}/{mainland.id}",
                                 data={f"r{ehd.id}-{mainland.id}-csrf_token": admin.token(),
                                       f"r{ehd.id}-{mainland.id}-fee": "9,90"})
    assert response.status_code == 303
    assert session.scalar(select(ShippingRate).where(ShippingRate.mode_id == ehd.id,
                                                     ShippingRate.shipper_id == people.shop.retailer.id)) is None


def test_a_rate_change_shows_on_the_product_page_at_once(app, admin, client, session, people, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)  # the product page is cached for anonymous visitors
    offer = people.shop.offers["first_party"]
    product_url = f"/p/{offer.product_id}/{offer.product.slug}?offre={offer.id}"
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "€4.99" in anonymous.get(product_url, headers=HTMX).get_data(as_text=True)
    thd, mainland = mode(session, "THD"), people.shop.mainland
    admin.client.post(f"/backoffice/delivery/rates/{thd.id}/{mainland.id}", data={
        **_rate_fields(thd, mainland, offered="y", fee="5,79", extra_item_fee="1", free_threshold="25",
                       transit_min="2", transit_max="3"),
        f"r{thd.id}-{mainland.id}-csrf_token": admin.token()})
    page = anonymous.get(product_url, headers=HTMX).get_data(as_text=True)
    assert "€5.79" in page and "€4.99" not in page


# --- modes and cut-off ---------------------------------------------------------------------------


def test_modes_are_created_edited_and_switched_off(admin, session, people):
    assert 'data-testid="mode-row"' in admin.page("/backoffice/delivery/modes")
    response = admin.post("/backoffice/delivery/modes", {"code": "FDHD", "label": "Sur rendez-vous",
                                                         "label_en": "Scheduled", "position": "4"})
    assert response.status_code == 303
    fdhd = mode(session, "FDHD")
    assert (fdhd.label_en, fdhd.active) == ("Scheduled", True)
    response = admin.post(f"/backoffice/delivery/modes/{fdhd.id}", {"label": "Livraison sur rendez-vous",
                                                                    "label_en": "", "position": "5",
                                                                    "saturday_delivery": "y"})
    assert response.status_code == 303
    session.expire_all()
    assert (fdhd.label, fdhd.saturday_delivery, fdhd.position) == ("Livraison sur rendez-vous", True, 5)
    response = admin.post("/backoffice/delivery/modes", {"code": "THD", "label": "Doublon", "position": "-1"})
    assert response.status_code == 422 and "Doublon" in response.get_data(as_text=True)
    ehd = mode(session, "EHD")
    admin.post(f"/backoffice/delivery/modes/{ehd.id}/active", {"active": "0"})
    session.expire_all()
    assert not ehd.active
    offer = people.shop.offers["first_party"]
    page = admin.page(f"/p/{offer.product_id}/{offer.product.slug}?offre={offer.id}")
    assert 'data-mode="THD"' in page and 'data-mode="EHD"' not in page
    admin.post(f"/backoffice/delivery/modes/{ehd.id}/active", {"active": "1"})
    session.expire_all()
    assert ehd.active


@pytest.mark.parametrize("typed", ["25:00", "12:61", "midi", "12", "<script>", "\x00"])
def test_a_bad_cutoff_is_refused_and_kept(admin, session, people, typed):
    entries = audit_count(session)
    response = admin.post("/backoffice/delivery/cutoff", {"cutoff": typed})
    assert response.status_code == 422
    assert 'data-testid="error-cutoff"' in response.get_data(as_text=True)
    assert audit_count(session) == entries


def test_the_cutoff_is_saved(admin, session, people):
    assert 'value="14:00"' in admin.page("/backoffice/delivery/modes")
    assert admin.post("/backoffice/delivery/cutoff", {"cutoff": "11h30"}).status_code == 303
    session.expire_all()
    assert people.shop.retailer.cutoff_time.strftime("%H:%M") == "11:30"
    assert 'value="11:30"' in admin.page("/backoffice/delivery/modes")


# --- preview -------------------------------------------------------------------------------------


def _options(page: str, testid: str) -> list[tuple[str, str, str]]:
    return re.findall(rf'data-testid="{testid}" data-mode="(\w+)"[^>]*?data-earliest="([\d-]+)" data-latest="([\d-]+)"',
                      page, re.S)


def test_the_preview_equals_the_product_pages_promise(admin, people):
    offer = people.shop.offers["first_party"]
    preview = admin.page(f"/backoffice/delivery/preview?q={offer.id}&country=FR&postal_code=75002&quantity=1")
    product = admin.page(f"/p/{offer.product_id}/{offer.product.slug}?offre={offer.id}")
    buy_box = product[product.index('data-testid="buy-box"'):]
    shown = re.findall(r'data-testid="preview-option" data-mode="(\w+)" data-fee="\d+"\s+data-ship-by="[\d-]+" '
                       r'data-earliest="([\d-]+)" data-latest="([\d-]+)"', preview)
    on_product_page = re.findall(r'data-testid="delivery-option" data-mode="(\w+)".*?data-earliest="([\d-]+)" '
                                 r'data-latest="([\d-]+)"', buy_box, re.S)[: len(shown)]
    assert shown and shown == on_product_page
    fees = re.findall(r'class="delivery-option__fee">([^<]+)<', buy_box)[: len(shown)]
    assert [f.strip() for f in fees] == ["€4.99", "€9.90"]
    assert "€4.99" in preview and "€9.90" in preview


def test_the_preview_lists_matches_and_answers_htmx_with_the_result_alone(admin, people):
    page = admin.page("/backoffice/delivery/preview?q=lave-linge&country=FR&postal_code=20000")
    assert page.count('data-testid="preview-offer"') == 2  # the retailer's washer and Alpha's
    alpha = people.shop.offers["alpha_washer"]
    response = admin.get(f"/backoffice/delivery/preview?q=lave-linge&country=FR&postal_code=75002&offer={alpha.id}",
                         headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="delivery-preview"') and "<html" not in fragment
    assert "HX-Request" in response.headers["Vary"]
    assert 'data-mode="THD"' in fragment and 'data-mode="RELAY"' in fragment


@pytest.mark.parametrize("query", [
    "q=&postal_code=75002", "q=zzzz&postal_code=75002", "q=1&postal_code=ABCDE", "q=1&postal_code=75002&quantity=-4",
    "q=1&postal_code=75002&quantity=1e999", "q=%00&postal_code=%00", "q=99999999999999999999&postal_code=75002",
    "q=1&country=XX&postal_code=75002",
])
def test_the_preview_never_fails_on_what_is_typed(admin, query):
    assert admin.get(f"/backoffice/delivery/preview?{query}").status_code == 200


def test_the_preview_says_when_the_shop_does_not_deliver(admin, people):
    offer = people.shop.offers["alpha"]  # Alpha delivers mainland only
    page = admin.page(f"/backoffice/delivery/preview?q={offer.id}&country=FR&postal_code=20000")
    assert 'data-testid="preview-error"' in page


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [OperatorRole.CATALOG, OperatorRole.SUPPORT, OperatorRole.FINANCE])
def test_other_roles_get_403_and_change_nothing(staff_of, session, people, role):  # noqa: F811
    visitor = staff_of(role)
    entries = audit_count(session)
    thd, corsica = mode(session, "THD"), people.shop.corsica
    for path in ["/backoffice/delivery", "/backoffice/delivery/carriers", "/backoffice/delivery/rates",
                 "/backoffice/delivery/modes", "/backoffice/delivery/preview?q=1&postal_code=75002",
                 f"/backoffice/delivery/zones/{corsica.id}"]:
        assert visitor.get(path).status_code == 403, path
    writes = [
        ("/backoffice/delivery/zones", {"code": "NEW", "label": "New", "rules": "BE"}),
        (f"/backoffice/delivery/zones/{corsica.id}", {"label": "X", "rules": "FR 20"}),
        (f"/backoffice/delivery/zones/{corsica.id}/delete", {}),
        ("/backoffice/delivery/carriers", {"code": "X", "name": "X", "tracking_url_template": "https://x.example/{tracking}"}),
        (f"/backoffice/delivery/rates/{thd.id}/{corsica.id}", {}),
        ("/backoffice/delivery/modes", {"code": "X", "label": "X"}),
        (f"/backoffice/delivery/modes/{thd.id}/active", {"active": "0"}),
        ("/backoffice/delivery/cutoff", {"cutoff": "10:00"}),
    ]
    for path, data in writes:
        assert visitor.post(path, data).status_code == 403, path
    assert audit_count(session) == entries
    session.expire_all()
    assert corsica.label == "Corse" and mode(session, "THD").active
    assert 'data-testid="nav-delivery"' not in visitor.page("/backoffice/")


def test_a_customer_cannot_open_the_pages(client, people):
    visitor = Visitor(client).log_in(people.customer)
    assert visitor.get("/backoffice/delivery").status_code == 403
    assert people.customer.role == Role.CUSTOMER


# --- lists: search, sort, pages ------------------------------------------------------------------


def test_zones_are_searched_sorted_and_paged_with_the_filters_kept(admin, session, people, monkeypatch):
    from storefront.backoffice import delivery_setup

    monkeypatch.setattr(delivery_setup, "PER_PAGE", 2)
    session.add(Zone(code="FR-DOM", label="Outre-mer", label_en="Overseas"))
    session.commit()
    codes = [z.code for z in session.scalars(select(Zone).order_by(Zone.code))]
    assert len(codes) >= 3
    first = admin.page("/backoffice/delivery?sort=code&dir=desc")
    shown = re.findall(r'data-testid="zone-row" data-code="([^"]+)"', first)
    assert shown == sorted(codes, reverse=True)[:2]
    assert f"Page 1 sur {-(-len(codes) // 2)}" in html_text(first) or "Page 1 of" in html_text(first)
    assert 'href="/backoffice/delivery?sort=code&amp;dir=desc&amp;page=2" rel="next"' in first
    second = admin.page("/backoffice/delivery?sort=code&dir=desc&page=2")
    assert re.findall(r'data-testid="zone-row" data-code="([^"]+)"', second) == sorted(codes, reverse=True)[2:4]
    # a page past the last shows the last; the search keeps the sort in hidden fields
    last = admin.page("/backoffice/delivery?sort=code&dir=desc&page=9999")
    assert re.findall(r'data-testid="zone-row" data-code="([^"]+)"', last)[-1] == sorted(codes, reverse=True)[-1]
    found = admin.page("/backoffice/delivery?q=cor&sort=code&dir=desc")
    assert re.findall(r'data-testid="zone-row" data-code="([^"]+)"', found) == ["FR-COR"]
    assert 'name="sort" value="code"' in found and 'value="cor"' in found
    nothing = admin.page("/backoffice/delivery?q=%25_zz")
    assert "data-testid=\"zone-row\"" not in nothing and 'value="%_zz"' in nothing


def test_carriers_are_searched_and_sorted(admin, session):
    names = sorted(c.name for c in session.scalars(select(Carrier)))
    by_name = admin.page("/backoffice/delivery/carriers?sort=name&dir=desc")
    codes = re.findall(r'data-testid="carrier-row" data-code="([^"]+)"', by_name)
    assert [session.scalar(select(Carrier.name).where(Carrier.code == c)) for c in codes] == names[::-1]
    assert 'aria-sort="descending"' in by_name
    found = admin.page("/backoffice/delivery/carriers?q=dpd")
    assert re.findall(r'data-testid="carrier-row" data-code="([^"]+)"', found) == ["DPD"]
    refused = admin.post("/backoffice/delivery/carriers?q=dpd", {"code": "", "name": "", "tracking_url_template": ""})
    assert refused.status_code == 422  # the list beside a refused form still answers
