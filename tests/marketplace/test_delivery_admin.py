"""The operator's delivery set-up (marketplace/delivery_admin.py): zones and rules, carriers and
tracking links, the retailer's rates, modes and cut-off, without HTTP. Every write is audited;
every refusal changes nothing and records nothing."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from storefront.marketplace import delivery, delivery_admin, operator_audit, tracking
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import (
    DeliveryMode,
    OperatorAuditEntry,
    ShippingRate,
    Zone,
    ZoneRule,
)
from storefront.marketplace.refusals import Refusal
from tests import order_fixtures
from tests.checkout_fixtures import MORNING

people = order_fixtures.people


def entries(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(OperatorAuditEntry.id)))


def refused(session, call, reason: Refusal, **details) -> InvalidValue:
    before = entries(session)
    with pytest.raises(InvalidValue) as caught:
        call()
    assert caught.value.details["reason"] == reason, caught.value.details
    for key, value in details.items():
        assert caught.value.details[key] == value
    assert entries(session) == before
    return caught.value


# --- zones ---------------------------------------------------------------------------------------


def test_rules_are_parsed_checked_and_ranges_expanded():
    assert delivery_admin.parse_rules("fr 971-973\nBE; FR 20") == [
        ("FR", "971"), ("FR", "972"), ("FR", "973"), ("BE", ""), ("FR", "20"),
    ]
    for bad in ["F", "FR 2O-", "FR 976-971", "FR 9-10", "FR 123456", "BE 12345", "FR x y z", "FR 20\x00"]:
        with pytest.raises(InvalidValue) as caught:
            delivery_admin.parse_rules(bad)
        assert caught.value.details["reason"] == Refusal.ZONE_RULE, bad
    with pytest.raises(InvalidValue) as caught:
        delivery_admin.parse_rules("FR 20\nFR 20")
    assert caught.value.details["reason"] == Refusal.ZONE_RULE_TWICE
    with pytest.raises(InvalidValue) as caught:
        delivery_admin.parse_rules(" \n ")
    assert caught.value.details["reason"] == Refusal.ZONE_EMPTY


def test_a_zone_is_created_with_its_rules_and_audited(session, people):
    zone = delivery_admin.save_zone(session, people.operator, code="DOM", label="Outre-mer",
                                    label_en="Overseas", rules="FR 971-974\nFR 976")
    assert delivery_admin.rules_text(zone) == "FR 971\nFR 972\nFR 973\nFR 974\nFR 976"
    assert delivery.zone_for(session, "FR", "97400").code == "DOM"
    entry = operator_audit.search(session, action="delivery.zone.create").entries[0]
    assert entry.after["rules"][0] == "FR 971" and entry.actor_email == people.operator.email


def test_a_rule_of_another_zone_is_refused_naming_it_and_nothing_is_saved(session, people):
    error = refused(
        session,
        lambda: delivery_admin.save_zone(session, people.operator, code="ISLES", label="Îles",
                                         rules="FR 971\nFR 20"),
        Refusal.ZONE_OVERLAP, rule="FR 20", zone="Corse (FR-COR)",
    )
    assert "Corse" in error.message
    assert session.scalar(select(Zone).where(Zone.code == "ISLES")) is None
    assert session.scalar(select(func.count(ZoneRule.id)).where(ZoneRule.postal_prefix == "971")) == 0
    # A longer prefix inside another zone's shorter one is a carve-out, not an overlap.
    delivery_admin.save_zone(session, people.operator, code="AJACCIO", label="Ajaccio", rules="FR 200")
    assert delivery.zone_for(session, "FR", "20000").code == "AJACCIO"


def test_editing_a_zone_replaces_its_rules_at_once_or_not_at_all(session, people):
    corsica = people.shop.corsica
    delivery_admin.save_zone(session, people.operator, zone=corsica, label="Corse", rules="FR 20\nFR 201")
    assert delivery_admin.rules_text(corsica) == "FR 20\nFR 201"
    refused(session, lambda: delivery_admin.save_zone(session, people.operator, zone=corsica, label="Corse",
                                                      rules="FR 202\nFR"),
            Refusal.ZONE_OVERLAP, zone="France métropolitaine (FR-MAIN)")
    session.expire_all()
    assert delivery_admin.rules_text(delivery_admin.get_zone(session, corsica.id)) == "FR 20\nFR 201"
    entry = operator_audit.search(session, action="delivery.zone.update").entries[0]
    assert entry.before == {"rules": ["FR 20"]} and entry.after == {"rules": ["FR 20", "FR 201"]}


def test_a_zone_in_use_is_not_deleted_an_unused_one_is(session, people):
    refused(session, lambda: delivery_admin.delete_zone(session, people.operator, people.shop.corsica),
            Refusal.ZONE_IN_USE)
    zone = delivery_admin.save_zone(session, people.operator, code="BE", label="Belgique", rules="BE")
    delivery_admin.delete_zone(session, people.operator, zone)
    assert session.scalar(select(Zone).where(Zone.code == "BE")) is None
    assert operator_audit.search(session, action="delivery.zone.delete").entries[0].before["rules"] == ["BE"]


def test_zone_codes_and_labels_are_checked(session, people):
    refused(session, lambda: delivery_admin.save_zone(session, people.operator, code="a b", label="X", rules="BE"),
            Refusal.DELIVERY_CODE)
    refused(session, lambda: delivery_admin.save_zone(session, people.operator, code="FR-COR", label="X", rules="BE"),
            Refusal.CODE_TAKEN, code="FR-COR")
    refused(session, lambda: delivery_admin.save_zone(session, people.operator, code="BE", label=" ", rules="BE"),
            Refusal.LABEL_NEEDED)


# --- carriers ------------------------------------------------------------------------------------


def test_a_tracking_template_is_an_http_url_with_the_placeholder_tracking_uses():
    assert delivery_admin.PLACEHOLDER in tracking.tracking_url.__code__.co_consts
    for good in ["https://t.example/track?n={tracking}", "http://t.example/{tracking}/status"]:
        assert delivery_admin.check_template(good) == good
    for bad in ["https://t.example/track", "ftp://t.example/{tracking}", "javascript:alert({tracking})",
                "https:///{tracking}", "https://t.example/{number}?n={tracking}",
                "https://t.example/ {tracking}", "https://t.example/\x00{tracking}", "x" * 300 + "{tracking}"]:
        with pytest.raises(InvalidValue) as caught:
            delivery_admin.check_template(bad)
        assert caught.value.details["reason"] == Refusal.TRACKING_TEMPLATE, bad


def test_carriers_are_created_and_edited_with_an_audit_entry(session, people):
    carrier = delivery_admin.save_carrier(session, people.operator, code="colis-x", name="Colis X",
                                          tracking_url_template="https://colisx.example/s?c={tracking}")
    assert carrier.code == "COLIS-X"
    assert tracking.tracking_url(carrier, "AB 1") == "https://colisx.example/s?c=AB%201"
    refused(session, lambda: delivery_admin.save_carrier(session, people.operator, carrier=carrier, name="Colis X",
                                                         tracking_url_template="https://colisx.example/"),
            Refusal.TRACKING_TEMPLATE)
    delivery_admin.save_carrier(session, people.operator, carrier=carrier, name="Colis X express",
                                tracking_url_template="https://colisx.example/s?c={tracking}")
    entry = operator_audit.search(session, action="delivery.carrier.update").entries[0]
    assert entry.before == {"name": "Colis X"} and entry.after == {"name": "Colis X express"}
    refused(session, lambda: delivery_admin.save_carrier(session, people.operator, code="COLIS-X", name="Y",
                                                         tracking_url_template="https://y.example/{tracking}"),
            Refusal.CODE_TAKEN)


# --- rates ---------------------------------------------------------------------------------------


def _mode(session, code):
    return session.scalar(select(DeliveryMode).where(DeliveryMode.code == code))


def test_a_negative_fee_or_bad_transit_is_refused_and_the_rate_kept(session, people):
    thd, mainland = _mode(session, "THD"), people.shop.mainland
    save = delivery_admin.save_retailer_rate
    for changes, reason in [
        ({"fee": -1}, Refusal.AMOUNT),
        ({"fee": 10**12}, Refusal.AMOUNT),
        ({"free_threshold": -5}, Refusal.AMOUNT),
        ({"transit_min": 4, "transit_max": 2}, Refusal.TRANSIT_RANGE),
        ({"transit_max": 61}, Refusal.TRANSIT_DAYS),
    ]:
        values = {"fee": 499, "extra_item_fee": 100, "transit_min": 2, "transit_max": 3, **changes}
        refused(session, lambda values=values: save(session, people.operator, thd, mainland, offered=True, **values),
                reason)
    rate = delivery_admin.rate_cell(session, thd.id, mainland.id).rate
    assert (rate.fee, rate.free_threshold, rate.transit_max) == (499, 2500, 3)


def test_a_rate_is_set_audited_and_removed(session, people):
    relay, corsica = _mode(session, "RELAY"), people.shop.corsica
    delivery_admin.save_retailer_rate(session, people.operator, relay, corsica, offered=True, fee=650,
                                      free_threshold=None, transit_min=3, transit_max=6)
    assert [r.fee for r in delivery.rates_for(session, [people.shop.retailer.id], corsica)[people.shop.retailer.id]
            if r.mode.code == "RELAY"] == [650]
    created = operator_audit.search(session, action="delivery.rate.create").entries[0]
    assert created.after["fee"] == 650
    delivery_admin.save_retailer_rate(session, people.operator, relay, corsica, offered=False)
    assert delivery_admin.rate_cell(session, relay.id, corsica.id).rate is None
    assert operator_audit.search(session, action="delivery.rate.delete").entries[0].before["fee"] == 650


# --- modes and cut-off ---------------------------------------------------------------------------


def test_an_inactive_mode_is_offered_nowhere_until_it_comes_back(session, people):
    ehd = _mode(session, "EHD")
    offer = people.shop.offers["first_party"]
    codes = lambda: [o.mode.code for o in delivery.offer_promise(session, offer, "FR", "75002", now=MORNING).options]  # noqa: E731
    assert codes() == ["THD", "EHD"]
    delivery_admin.set_mode_active(session, people.operator, ehd, False)
    assert codes() == ["THD"]
    assert session.scalar(select(func.count(ShippingRate.id)).where(ShippingRate.mode_id == ehd.id)) == 1
    delivery_admin.set_mode_active(session, people.operator, ehd, True)
    assert codes() == ["THD", "EHD"]
    assert [e.action for e in operator_audit.search(session, action="delivery.mode").entries] == [
        "delivery.mode.activate", "delivery.mode.deactivate"]


def test_modes_are_created_and_edited(session, people):
    mode = delivery_admin.save_mode(session, people.operator, code="fdhd", label="Livraison sur rendez-vous",
                                    label_en="Scheduled delivery", position=4)
    assert (mode.code, mode.active) == ("FDHD", True)
    delivery_admin.save_mode(session, people.operator, mode=mode, label="Sur rendez-vous", label_en="Scheduled",
                             saturday_delivery=True, position=4)
    entry = operator_audit.search(session, action="delivery.mode.update").entries[0]
    assert entry.after == {"label": "Sur rendez-vous", "label_en": "Scheduled", "saturday_delivery": True}
    refused(session, lambda: delivery_admin.save_mode(session, people.operator, code="THD", label="x"),
            Refusal.CODE_TAKEN)


def test_cutoffs_are_parsed_as_times_of_day():
    assert delivery_admin.parse_cutoff("14:00") == time(14)
    assert delivery_admin.parse_cutoff(" 9:30 ") == time(9, 30)
    assert delivery_admin.parse_cutoff("12h15") == time(12, 15)
    for bad in ["24:00", "12:60", "1200", "", "noon", "12:5", "-1:00", "12:00:00"]:
        with pytest.raises(InvalidValue) as caught:
            delivery_admin.parse_cutoff(bad)
        assert caught.value.details["reason"] == Refusal.CUTOFF, bad


def test_the_retailers_cutoff_moves_its_promises(session, people):
    offer = people.shop.offers["first_party"]
    before = delivery.offer_promise(session, offer, "FR", "75002", now=MORNING).options[0].promise
    delivery_admin.set_retailer_cutoff(session, people.operator, "09:00")  # MORNING is 9:30
    session.expire_all()
    after = delivery.offer_promise(session, offer, "FR", "75002", now=MORNING).options[0].promise
    assert after.ship_by > before.ship_by
    entry = operator_audit.search(session, action="delivery.cutoff").entries[0]
    assert (entry.before, entry.after) == ({"cutoff_time": "14:00:00"}, {"cutoff_time": "09:00:00"})


# --- preview -------------------------------------------------------------------------------------


def test_offers_are_found_by_id_gtin_or_words(session, people):
    offer = people.shop.offers["beta"]
    assert delivery_admin.find_offers(session, str(offer.id))[0] == offer
    assert offer in delivery_admin.find_offers(session, offer.product.gtin)
    assert offer in delivery_admin.find_offers(session, "réfrigérateur")
    assert len(delivery_admin.find_offers(session, "LAVE-LINGE hublot")) == 2  # any case, every word
    assert delivery_admin.find_offers(session, "99999999999999") == []
    assert delivery_admin.find_offers(session, "%") == []


def test_the_preview_is_the_shops_promise(session, people):
    offer = people.shop.offers["alpha"]
    shown = delivery_admin.preview(session, offer, "FR", "75002", quantity=2, now=MORNING)
    shop = delivery.offer_promise(session, offer, "FR", "75002", quantity=2, now=MORNING)
    assert [(o.mode.code, o.fee, o.promise) for o in shown.options] == [
        (o.mode.code, o.fee, o.promise) for o in shop.options]


def test_the_zone_list_filters_sorts_and_cuts_in_sql(session, people, count_queries):
    all_zones = delivery_admin.zone_page(session, per_page=100)
    assert [row.zone.code for row in all_zones.items] == sorted(z.code for z in session.scalars(select(Zone)))
    with count_queries() as statements:
        page = delivery_admin.zone_page(session, sort="label", descending=True, page=2, per_page=1)
    assert len(statements) == 3  # count, rows, rules
    assert page.total == all_zones.total and page.page == 2 and len(page.items) == 1
    labels = sorted((z.label for z in session.scalars(select(Zone))), reverse=True)
    assert page.items[0].zone.label == labels[1]
    last = delivery_admin.zone_page(session, page=999, per_page=2)
    assert last.page == last.pages and last.items
    assert [r.zone.code for r in delivery_admin.zone_page(session, q="  Cor ").items] == ["FR-COR"]
    assert delivery_admin.zone_page(session, q="%").total == 0  # wildcards are text
    assert delivery_admin.zone_page(session, sort="nonsense").items[0].zone.code == all_zones.items[0].zone.code
