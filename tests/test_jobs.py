"""The scheduled deadline job cancels late seller orders and gives their units back."""

from datetime import UTC, datetime, timedelta

from storefront.jobs import build_queue
from storefront.jobs.deadlines import cancel_overdue_orders
from storefront.marketplace import orders
from storefront.marketplace.models import (
    ActorRole,
    LineState,
    Offer,
    ReasonType,
    SellerOrder,
    SellerOrderState,
)
from tests import factories


def test_queue_storage_follows_configuration(tmp_path):
    assert type(build_queue({"JOBS_DB": str(tmp_path / "q.db")})).__name__ == "SqliteHuey"
    assert (tmp_path / "q.db").exists()
    assert type(build_queue({"REDIS_URL": "redis://127.0.0.1:6379/0"})).__name__ == "RedisHuey"


def test_overdue_orders_are_cancelled_and_restocked(session):
    orders.create_reason_code(
        session, "ACCEPTANCE_TIMEOUT", ReasonType.CANCELATION, "Délai d'acceptation dépassé"
    )
    shop = factories.seller(session)
    now = datetime.now(UTC)
    late = factories.seller_order(session, shop)
    late.acceptance_deadline = now - timedelta(minutes=1)
    on_time = factories.seller_order(session, shop)
    on_time.acceptance_deadline = now + timedelta(hours=47)
    late_offer_stock = late.lines[0].offer.stock
    ids = late.id, on_time.id, late.lines[0].offer_id
    session.commit()

    assert cancel_overdue_orders.call_local() == 1
    session.expire_all()
    cancelled = session.get(SellerOrder, ids[0])
    assert cancelled.state == SellerOrderState.CANCELED
    assert cancelled.lines[0].state == LineState.CANCELED
    assert session.get(Offer, ids[2]).stock == late_offer_stock + 1
    record = cancelled.transitions[-1]
    assert (record.actor_role, record.reason.code) == (ActorRole.SYSTEM, "ACCEPTANCE_TIMEOUT")
    assert session.get(SellerOrder, ids[1]).state == SellerOrderState.WAITING_ACCEPTANCE
    assert cancel_overdue_orders.call_local() == 0  # nothing twice


def test_deadlines_pass_on_the_shops_clock(app, session):
    orders.create_reason_code(
        session, "ACCEPTANCE_TIMEOUT", ReasonType.CANCELATION, "Délai d'acceptation dépassé"
    )
    shop = factories.seller(session)
    frozen = datetime.now(UTC) + timedelta(days=30)
    waiting = factories.seller_order(session, shop)
    waiting.acceptance_deadline = frozen - timedelta(minutes=1)
    waiting_id = waiting.id
    session.commit()

    assert cancel_overdue_orders.call_local() == 0  # on the real clock, the deadline is ahead
    app.config["FROZEN_TIME"] = frozen
    try:
        assert cancel_overdue_orders.call_local() == 1
    finally:
        app.config.pop("FROZEN_TIME", None)
    session.expire_all()
    assert session.get(SellerOrder, waiting_id).state == SellerOrderState.CANCELED
