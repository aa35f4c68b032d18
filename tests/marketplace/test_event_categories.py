"""Event categories: each rule kind, AND across kinds and OR within one, picks, dates, the
recompute when an offer changes and on schedule, validation, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storefront.jobs.events import recompute_event_categories
from storefront.marketplace import event_categories, seller_portal
from storefront.marketplace.errors import NotFound
from storefront.marketplace.event_categories import EventInvalid, EventProblem, EventState
from storefront.marketplace.models import (
    Condition,
    EventCategory,
    EventMember,
    Offer,
    OperatorAuditEntry,
    PickKind,
)
from tests.event_fixtures import build_event_shop, rules


@pytest.fixture
def ev(session):
    return build_event_shop(session)


def names(ev, ids) -> set[str]:
    by_id = {p.id: key for key, p in ev.products.items()}
    return {by_id[i] for i in ids if i in by_id}


def matching(session, ev, **kwargs) -> set[str]:
    return names(ev, event_categories.matching_ids(session, rules(**kwargs)))


def members(session, ev, event) -> set[str]:
    return names(ev, session.scalars(select(EventMember.product_id).where(EventMember.event_id == event.id)))


def category_id(session, code):
    from storefront.marketplace import reference

    return reference.get_category(session, code).id


def test_categories_match_with_their_descendants(session, ev):
    assert matching(session, ev, category_ids=[category_id(session, "appliances")]) == {
        "washer", "dryer", "fridge", "used"}
    assert matching(session, ev, category_ids=[category_id(session, "washers")]) == {"washer", "used"}
    # OR within a kind
    assert matching(session, ev, category_ids=[category_id(session, "fridges"), category_id(session, "garden")]) == {
        "fridge", "mower"}


def test_brands_sellers_conditions_and_shipped_by_retailer(session, ev):
    lumo = ev.products["washer"].brand_id
    verdo = ev.products["mower"].brand_id
    assert matching(session, ev, brand_ids=[lumo]) == {"washer", "dryer", "used"}
    assert matching(session, ev, brand_ids=[lumo, verdo]) == {"washer", "dryer", "used", "mower"}
    assert matching(session, ev, seller_ids=[ev.shop.beta.id]) == {"dryer", "used"}
    assert matching(session, ev, seller_ids=[ev.shop.beta.id, ev.shop.gamma.id]) == {"dryer", "used", "mower"}
    assert matching(session, ev, conditions=["USED"]) == {"used"}
    assert matching(session, ev, conditions=["USED", "REFURBISHED"]) == {"used", "mower"}
    # The retailer's own offer, and Gamma's stored in the retailer's warehouse.
    assert matching(session, ev, shipped_by_retailer=True) == {"fridge", "mower"}


def test_minimum_discount_is_the_shops_own_figure(session, ev):
    assert matching(session, ev, min_discount=20) == {"washer", "mower"}
    assert matching(session, ev, min_discount=21) == {"washer"}
    assert matching(session, ev, min_discount=17) == {"washer", "mower", "dryer"}
    assert matching(session, ev, min_discount=100) == set()
    for price, origin in [(8050, 10000), (8350, 10000), (1, 3), (999, 1000), (100, 100), (100, None)]:
        assert event_categories.discount_percent(price, origin) == Offer(price=price, origin_price=origin).discount_percent


def test_price_range_reads_the_buy_box_price_in_cents(session, ev):
    assert matching(session, ev, price_min=1000, price_max=5000) == {"washer", "dryer", "fridge"}
    assert matching(session, ev, price_min=5001) == {"mower"}
    assert matching(session, ev, price_max=999) == {"used"}


def test_kinds_combine_with_and(session, ev):
    lumo = ev.products["washer"].brand_id
    assert matching(session, ev, brand_ids=[lumo], min_discount=30) == {"washer"}
    assert matching(session, ev, brand_ids=[lumo], seller_ids=[ev.shop.beta.id], conditions=["NEW"]) == {"dryer"}
    assert matching(session, ev, shipped_by_retailer=True, category_ids=[category_id(session, "appliances")]) == {
        "fridge"}
    assert matching(session, ev, brand_ids=[lumo], shipped_by_retailer=True) == set()


def test_pins_are_always_in_and_exclusions_never(session, ev):
    lumo = ev.products["washer"].brand_id
    event = event_categories.create(session, None, rules(brand_ids=[lumo]))
    assert members(session, ev, event) == {"washer", "dryer", "used"}
    event_categories.pick(session, None, event, ev.products["mower"].gtin, PickKind.PINNED)
    event_categories.pick(session, None, event, str(ev.products["used"].id), PickKind.EXCLUDED)
    assert members(session, ev, event) == {"washer", "dryer", "mower"}
    assert event.member_count == 3
    # Picking again with the other kind moves it; unpicking gives it back to the rules.
    event_categories.pick(session, None, event, ev.products["mower"].gtin, PickKind.EXCLUDED)
    assert members(session, ev, event) == {"washer", "dryer"}
    event_categories.unpick(session, None, event, ev.products["used"].id)
    assert members(session, ev, event) == {"washer", "dryer", "used"}
    # Pinned products come first on the shelf.
    event_categories.pick(session, None, event, ev.products["fridge"].gtin, PickKind.PINNED)
    [shelf] = event_categories.shelves(session, datetime.now(UTC))
    assert shelf.product_ids[0] == ev.products["fridge"].id
    with pytest.raises(NotFound):
        event_categories.pick(session, None, event, "123", PickKind.PINNED)
    with pytest.raises(NotFound):
        event_categories.pick(session, None, event, "9" * 40, PickKind.PINNED)


def test_only_pins_make_an_event_too(session, ev):
    event = event_categories.create(session, None, rules(min_discount=90))
    event_categories.pick(session, None, event, ev.products["fridge"].gtin, PickKind.PINNED)
    event_categories.update(session, None, event, rules(min_discount=None))  # no criterion left
    assert members(session, ev, event) == {"fridge"}


def test_shelves_and_pages_only_between_the_dates(session, ev):
    now = datetime.now(UTC)
    lumo = ev.products["washer"].brand_id
    live = event_categories.create(session, None, rules(brand_ids=[lumo]))
    upcoming = event_categories.create(
        session, None, rules(slug="soldes", name="Soldes", brand_ids=[lumo],
                             starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=9)))
    ended = event_categories.create(
        session, None, rules(slug="rentree", name="Rentrée", brand_ids=[lumo],
                             starts_at=now - timedelta(days=9), ends_at=now - timedelta(seconds=1)))
    assert [s.event.slug for s in event_categories.shelves(session, now)] == ["black-friday"]
    assert event_categories.state_of(live, now) == EventState.LIVE
    assert event_categories.state_of(upcoming, now) == EventState.UPCOMING
    assert event_categories.state_of(ended, now) == EventState.ENDED
    assert event_categories.live_event(session, "black-friday", now) == live
    for slug in ("soldes", "rentree", "nothing"):
        with pytest.raises(NotFound):
            event_categories.live_event(session, slug, now)
    # Upcoming events show on the day they start; a deactivated one never.
    assert [s.event.slug for s in event_categories.shelves(session, now + timedelta(days=3))] == ["soldes"]
    event_categories.set_active(session, None, upcoming, False)
    assert event_categories.shelves(session, now + timedelta(days=3)) == []
    assert event_categories.state_of(upcoming, now) == EventState.INACTIVE
    assert [e.slug for e in event_categories.search(session, state="ENDED").events] == ["rentree"]


def test_a_price_drop_that_reaches_the_discount_puts_the_product_in(session, ev):
    """The seller's own price change (the portal's service, which refreshes the listing) moves
    the product into the event in the same transaction."""
    event = event_categories.create(session, None, rules(min_discount=30))
    assert members(session, ev, event) == {"washer"}
    dryer = ev.offers["dryer"]
    seller_portal.update_offer(session, ev.shop.beta, dryer.id, price=4000, origin_price=6000,
                               stock=5, lead_time_days=1)
    assert members(session, ev, event) == {"washer", "dryer"}
    assert session.get(EventCategory, event.id).member_count == 2
    # And back out when the discount goes.
    seller_portal.update_offer(session, ev.shop.beta, dryer.id, price=5900, origin_price=6000,
                               stock=5, lead_time_days=1)
    assert members(session, ev, event) == {"washer"}


def test_the_periodic_job_catches_changes_made_behind_the_listing(session, ev):
    event = event_categories.create(session, None, rules(conditions=["USED"]))
    assert members(session, ev, event) == {"used"}
    # Written directly (as a migration or a script would), without a listing refresh.
    session.get(Offer, ev.offers["used"].id).condition = Condition.GOOD
    session.commit()
    session.query(EventMember).filter_by(event_id=event.id).delete()  # drifted
    session.commit()
    assert recompute_event_categories.call_local() == 1
    session.expire_all()
    assert members(session, ev, event) == set()
    event_categories.update(session, None, event, rules(conditions=["GOOD"]))
    assert members(session, ev, event) == {"used"}
    assert recompute_event_categories.call_local() == 1
    assert members(session, ev, event) == {"used"}
    # Every quarter of an hour.
    runs = [m for m in range(60) if recompute_event_categories.schedule(datetime(2026, 12, 1, 3, m))]
    assert runs == [0, 15, 30, 45]


@pytest.mark.parametrize(
    ("kwargs", "field", "problem"),
    [
        ({}, "rules", EventProblem.NO_RULES),
        ({"min_discount": 0}, "rules", EventProblem.NO_RULES),
        ({"min_discount": 101}, "min_discount", EventProblem.DISCOUNT),
        ({"min_discount": -1}, "min_discount", EventProblem.DISCOUNT),
        ({"price_min": 5000, "price_max": 1000}, "price_max", EventProblem.PRICE_RANGE),
        ({"price_min": -5}, "price_min", EventProblem.PRICE),
        ({"brand_ids": [2**31 - 1]}, "brand_ids", EventProblem.UNKNOWN_BRAND),
        ({"conditions": ["BROKEN"]}, "conditions", EventProblem.CONDITION),
        ({"shipped_by_retailer": True, "slug": "Black Friday!"}, "slug", EventProblem.SLUG),
        ({"shipped_by_retailer": True, "name": "  "}, "name", EventProblem.NAME),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_written(session, ev, kwargs, field, problem):
    audit = session.scalar(select(func.count()).select_from(OperatorAuditEntry))
    with pytest.raises(EventInvalid) as refused:
        event_categories.create(session, None, rules(**kwargs))
    assert refused.value.problems[field] == problem
    assert session.scalar(select(func.count()).select_from(EventCategory)) == 0
    assert session.scalar(select(func.count()).select_from(OperatorAuditEntry)) == audit


def test_end_before_start_and_a_taken_slug_are_refused(session, ev):
    now = datetime.now(UTC)
    with pytest.raises(EventInvalid) as refused:
        event_categories.create(session, None, rules(min_discount=10, starts_at=now, ends_at=now - timedelta(hours=1)))
    assert refused.value.problems == {"ends_at": EventProblem.DATES}
    event_categories.create(session, None, rules(min_discount=10))
    with pytest.raises(EventInvalid) as refused:
        event_categories.create(session, None, rules(min_discount=20))
    assert refused.value.problems == {"slug": EventProblem.SLUG_TAKEN}


def test_writes_are_audited_with_before_and_after(session, ev, people_operator):
    event = event_categories.create(session, people_operator, rules(min_discount=10))
    event_categories.update(session, people_operator, event, rules(min_discount=25))
    event_categories.pick(session, people_operator, event, ev.products["fridge"].gtin, PickKind.PINNED)
    event_categories.set_active(session, people_operator, event, False)
    event_categories.delete_event(session, people_operator, event)
    entries = session.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id)).all()
    assert [e.action for e in entries] == [
        "event.create", "event.update", "event.pinned", "event.deactivate", "event.delete"]
    assert (entries[1].before["min_discount"], entries[1].after["min_discount"]) == (10, 25)
    assert {e.actor_email for e in entries} == {people_operator.email}
    assert session.scalar(select(func.count()).select_from(EventMember)) == 0


def test_preview_counts_without_writing(session, ev):
    lumo = ev.products["washer"].brand_id
    found = event_categories.preview(session, rules(brand_ids=[lumo], min_discount=10))
    assert found.count == 2 and {p.title for p in found.sample} == {"Lave-linge Lumo 8 kg", "Sèche-linge Lumo"}
    assert session.scalar(select(func.count()).select_from(EventCategory)) == 0


@pytest.fixture
def people_operator(session):
    from storefront.marketplace.models import Role
    from tests import factories

    return factories.user(session, Role.OPERATOR, email="events@example.com")
