"""Housekeeping: each purge deletes exactly what is older than its retention and keeps the rest,
on the shop's clock (frozen, no sleeps), in a number of statements that does not grow with the
rows; the hourly job runs every registered purge."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storefront.jobs.housekeeping import purge_old_rows
from storefront.marketplace import catalog, housekeeping
from storefront.marketplace.models import Cart, CartLine, OutboxMessage, OutboxStatus
from tests import factories

NOW = datetime(2026, 12, 1, 3, 17, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
_ids = itertools.count(1)


@pytest.fixture
def frozen(app):
    app.config["FROZEN_TIME"] = NOW
    yield NOW
    app.config.pop("FROZEN_TIME", None)


@pytest.fixture
def offer(session):
    shop = factories.seller(session)
    factories.category_tree(session)
    return catalog.upsert_offer(session, shop, factories.product(session), "SKU-1", price=1000, stock=50)


def carts_and_emails(deleted: dict[str, int]) -> dict[str, int]:
    """The counts of the two purges this module tests, out of every registered purge's."""
    return {name: deleted[name] for name in ("guest_carts", "sent_emails")}


def cart(session, updated_at, *, user=None, line_added_at=None, offer=None) -> int:
    row = Cart(
        token=None if user else f"guest-{next(_ids)}",
        user_id=user.id if user else None,
        updated_at=updated_at,
        created_at=updated_at,
    )
    session.add(row)
    session.flush()
    if line_added_at is not None:
        session.add(CartLine(cart_id=row.id, offer_id=offer.id, quantity=1, price_seen=offer.price,
                             added_at=line_added_at))
    session.commit()
    return row.id


def email(session, status: OutboxStatus, sent_at: datetime | None) -> int:
    n = next(_ids)
    row = OutboxMessage(
        locale="fr", sender="boutique@example.com", to_address=f"c{n}@example.com",
        message_id=f"<{n}@example.com>", status=status, sent_at=sent_at,
        created_at=(sent_at or NOW) - DAY,
    )
    session.add(row)
    session.commit()
    return row.id


def remaining(session, model) -> set[int]:
    session.expire_all()
    return set(session.scalars(select(model.id)))


def test_guest_carts_older_than_the_retention_go_with_their_lines(app, session, frozen, offer):
    assert app.config["CART_RETENTION_DAYS"] == 30
    cutoff = NOW - 30 * DAY
    old = cart(session, cutoff - SECOND)
    old_with_line = cart(session, cutoff - 5 * DAY, line_added_at=cutoff - 5 * DAY, offer=offer)
    at_the_boundary = cart(session, cutoff)
    recent = cart(session, NOW - DAY)
    # The cart row is old but a line was added since the cutoff: the shopper is still at it.
    line_added_recently = cart(session, cutoff - 10 * DAY, line_added_at=NOW - 2 * DAY, offer=offer)
    customer = factories.user(session, email="camille@example.com")
    users_cart = cart(session, cutoff - 90 * DAY, user=customer)

    assert carts_and_emails(purge_old_rows.call_local()) == {"guest_carts": 2, "sent_emails": 0}

    assert remaining(session, Cart) == {at_the_boundary, recent, line_added_recently, users_cart}
    assert old not in remaining(session, Cart) and old_with_line not in remaining(session, Cart)
    lines = set(session.scalars(select(CartLine.cart_id)))
    assert lines == {line_added_recently}  # the old cart's line went with it (ON DELETE CASCADE)
    assert carts_and_emails(purge_old_rows.call_local()) == {"guest_carts": 0, "sent_emails": 0}


def test_sent_emails_older_than_the_retention_go_and_failed_ones_stay(app, session, frozen):
    app.config["OUTBOX_RETENTION_DAYS"] = 7
    try:
        cutoff = NOW - 7 * DAY
        old_sent = email(session, OutboxStatus.SENT, cutoff - SECOND)
        very_old_sent = email(session, OutboxStatus.SENT, cutoff - 400 * DAY)
        sent_at_boundary = email(session, OutboxStatus.SENT, cutoff)
        recently_sent = email(session, OutboxStatus.SENT, NOW - DAY)
        old_failed = email(session, OutboxStatus.FAILED, None)
        session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.id == old_failed)
            .values(created_at=cutoff - 100 * DAY, next_attempt_at=cutoff - 100 * DAY)
        )
        session.commit()
        pending = email(session, OutboxStatus.PENDING, None)

        assert carts_and_emails(purge_old_rows.call_local()) == {"guest_carts": 0, "sent_emails": 2}
    finally:
        app.config["OUTBOX_RETENTION_DAYS"] = 30

    assert remaining(session, OutboxMessage) == {sent_at_boundary, recently_sent, old_failed, pending}
    assert not {old_sent, very_old_sent} & remaining(session, OutboxMessage)


def test_the_cutoff_follows_the_shops_clock(app, session, offer):
    """On the real clock nothing is old yet; thirty-one days later (frozen), it is."""
    now = datetime.now(UTC)
    guest = cart(session, now - DAY)
    sent = email(session, OutboxStatus.SENT, now - DAY)
    assert carts_and_emails(purge_old_rows.call_local()) == {"guest_carts": 0, "sent_emails": 0}
    app.config["FROZEN_TIME"] = now + 31 * DAY
    try:
        assert carts_and_emails(purge_old_rows.call_local()) == {"guest_carts": 1, "sent_emails": 1}
    finally:
        app.config.pop("FROZEN_TIME", None)
    assert guest not in remaining(session, Cart) and sent not in remaining(session, OutboxMessage)


@pytest.mark.parametrize("purge", ["carts", "emails"])
def test_a_purge_runs_the_same_statements_for_few_rows_and_many(session, count_queries, offer, purge):
    cutoff = NOW - 30 * DAY

    def make_old(n):
        for _ in range(n):
            if purge == "carts":
                cart(session, cutoff - DAY, line_added_at=cutoff - DAY, offer=offer)
            else:
                email(session, OutboxStatus.SENT, cutoff - DAY)

    run = housekeeping.purge_guest_carts if purge == "carts" else housekeeping.purge_sent_emails
    counts = []
    for n in (2, 40):
        make_old(n)
        with count_queries() as statements:
            assert run(session, cutoff) == n
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 4  # the DELETE (and the transaction's own statements), not one per row


def test_a_backlog_goes_in_batches_of_the_given_size(session, count_queries):
    cutoff = NOW - 30 * DAY
    ids = [email(session, OutboxStatus.SENT, cutoff - DAY) for _ in range(5)]
    with count_queries() as statements:
        assert housekeeping.purge_sent_emails(session, cutoff, batch_size=2) == 5
    deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1
    assert not set(ids) & remaining(session, OutboxMessage)


def test_one_failing_purge_does_not_stop_the_others(session):
    email(session, OutboxStatus.SENT, NOW - 40 * DAY)

    def broken(session, cutoff):
        session.execute(select(func.count()).select_from(OutboxMessage).where(func.no_such_function()))
        return 0

    purges = [
        housekeeping.Purge("broken", broken),
        housekeeping.Purge("sent_emails", housekeeping.purge_sent_emails, "OUTBOX_RETENTION_DAYS"),
    ]
    with pytest.raises(housekeeping.PurgeFailed, match="broken") as failed:
        housekeeping.run_all(session, now=NOW, settings={"OUTBOX_RETENTION_DAYS": 30}, purges=purges)
    assert failed.value.done == {"sent_emails": 1}
    assert remaining(session, OutboxMessage) == set()


def test_other_modules_register_their_purges_once(session):
    """How the server-side sessions and rate-limit counters add theirs (rows with an expiry: the
    cutoff is now)."""
    seen = []
    purge = housekeeping.Purge("expiring_rows", lambda session, cutoff: seen.append(cutoff) or 0)
    housekeeping.register(purge)
    try:
        with pytest.raises(ValueError, match="registered already"):
            housekeeping.register(purge)
        assert housekeeping.run_all(session, now=NOW, settings={
            "CART_RETENTION_DAYS": 30, "OUTBOX_RETENTION_DAYS": 30,
        })["expiring_rows"] == 0
        assert seen == [NOW]
    finally:
        housekeeping.PURGES.remove(purge)


def test_the_hourly_job_also_drops_ended_rate_limit_windows(app, session):
    """Rate-limit windows expire in real time (not the shop's clock): the job removes those that
    ended and keeps the running ones."""
    import time

    from storefront.marketplace.models import RateLimitCounter

    session.add_all([
        RateLimitCounter(key="ended", hits=3, expires_at=time.time() - 5),
        RateLimitCounter(key="running", hits=1, expires_at=time.time() + 600),
    ])
    session.commit()
    assert purge_old_rows.call_local()["rate_limit_counters"] == 1
    assert session.scalars(select(RateLimitCounter.key)).all() == ["running"]


def test_the_hourly_job_drops_sign_in_sessions_past_their_lifetime(session, frozen):
    """A session past its lifetime lets nobody in: the job deletes it, and keeps running ones."""
    from storefront.marketplace import user_sessions
    from storefront.marketplace.models import UserSession

    shopper = factories.user(session)
    ended = user_sessions.open_session(session, shopper, lifetime=timedelta(hours=1))
    running = user_sessions.open_session(session, shopper)
    session.commit()
    with_ended_lifetime = frozen + timedelta(hours=2)
    deleted = housekeeping.run_all(
        session, now=with_ended_lifetime, settings={"CART_RETENTION_DAYS": 30, "OUTBOX_RETENTION_DAYS": 30}
    )
    assert deleted["user_sessions"] == 1
    kept = session.scalars(select(UserSession.id)).all()
    assert kept == [user_sessions._digest(running.split(":", 1)[1])]
    assert ended != running


def test_the_hourly_job_drops_api_idempotency_keys_older_than_a_day(session, frozen):
    from storefront.marketplace.models import ApiIdempotencyKey

    for key, age in (("old", timedelta(hours=25)), ("fresh", timedelta(hours=23))):
        session.add(ApiIdempotencyKey(client_id="c1", key=key, request_hash="h", status=201,
                                      body="{}", headers={}, created_at=frozen - age))
    session.commit()
    assert purge_old_rows.call_local()["api_idempotency_keys"] == 1
    assert session.scalars(select(ApiIdempotencyKey.key)).all() == ["fresh"]


def test_the_job_that_purges_old_runs_can_purge_its_own_and_still_finish(app, session, monkeypatch):
    """On PostgreSQL the purge of job runs once left its DELETE uncommitted: the wrapper's write
    of "finished" on its own connection then waited for the job's locks, held by the same thread,
    for ever. Two months on the shop's clock: this very run is older than the retention."""
    from storefront.marketplace.models import JobRun

    session.add(JobRun(name="purge_old_rows", started_at=datetime.now(UTC) - 90 * DAY))
    session.commit()
    monkeypatch.setitem(app.config, "FROZEN_TIME", datetime.now(UTC) + 60 * DAY)
    deleted = purge_old_rows.call_local()
    assert deleted["job_runs"] == 2  # the old run and this one
    session.expire_all()
    assert session.scalar(select(func.count(JobRun.id))) == 0
    monkeypatch.setitem(app.config, "FROZEN_TIME", datetime.now(UTC))
    purge_old_rows.call_local()
    (run,) = session.scalars(select(JobRun))
    assert run.ok is True and run.finished_at is not None  # a run not purged is recorded to its end
