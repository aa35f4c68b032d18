"""Billing cycles and closing: periods in the shop's time zone, each seller's statement summed
from its ledger entries, a negative balance carried over, the commission invoice and credit note
numbered without gaps, closing twice (one after the other, or at once on PostgreSQL) writing
nothing more, and refusals (a period not ended, an earlier one open) consuming no number."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import billing as billing_job
from storefront.marketplace import billing, billing_periods, preferences, sellers
from storefront.marketplace.errors import InvalidTransition, InvalidValue
from storefront.marketplace.models import (
    BillingCycle,
    BillingDocument,
    BillingDocumentKind,
    BillingPeriod,
    DocumentCounter,
    ImmutableEntry,
    IssuedDocumentChanged,
    LedgerEntry,
    PeriodState,
    Statement,
    StatementEntry,
)
from storefront.marketplace.refusals import Refusal
from tests.conftest import POSTGRES
from tests.finance.billing_fixtures import K, entry, onboarded_seller, paris, retailer, sale

NOV_1 = paris(2026, 11, 3, 10)  # inside 1–15 November
NOV_2 = paris(2026, 11, 20, 10)  # inside 16–30 November
AFTER_NOV = paris(2026, 12, 1, 0, 30)


@pytest.fixture
def shop(session):
    retailer(session)
    alpha = onboarded_seller(session, "alpha")
    beta = onboarded_seller(session, "beta", locale="en")
    session.commit()
    return alpha, beta


def periods(session):
    return list(session.scalars(select(BillingPeriod).order_by(BillingPeriod.starts_at)))


def period_of(session, day: date) -> BillingPeriod:
    return session.scalar(select(BillingPeriod).where(BillingPeriod.first_day <= day, BillingPeriod.last_day >= day))


def numbers(session, kind=BillingDocumentKind.COMMISSION_INVOICE):
    session.expire_all()
    return list(session.scalars(select(BillingDocument.number).where(BillingDocument.kind == kind)
                                .order_by(BillingDocument.sequence)))


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_periods_follow_the_cycle_at_midnight_in_the_shop_time_zone(session, shop):
    alpha, _ = shop
    entry(session, alpha, K.CAPTURE, 1000, NOV_1)
    session.commit()
    billing_periods.ensure_periods(session, paris(2026, 12, 2, 9))
    assert [(p.first_day, p.last_day, p.cycle) for p in periods(session)] == [
        (date(2026, 11, 1), date(2026, 11, 15), BillingCycle.TWICE_MONTHLY),
        (date(2026, 11, 16), date(2026, 11, 30), BillingCycle.TWICE_MONTHLY),
        (date(2026, 12, 1), date(2026, 12, 15), BillingCycle.TWICE_MONTHLY),
    ]
    # Midnight in Paris (UTC+1 in winter) is 23:00 UTC the day before.
    assert periods(session)[0].starts_at == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)

    # A change of cycle applies from the next period, without gap or overlap.
    preferences.set(session, "billing_cycle", "monthly")
    billing_periods.ensure_periods(session, paris(2027, 1, 20))
    tail = [(p.first_day, p.last_day) for p in periods(session)[3:]]
    assert tail == [(date(2026, 12, 16), date(2026, 12, 31)), (date(2027, 1, 1), date(2027, 1, 31))]
    ends = [p.ends_at for p in periods(session)]
    assert [p.starts_at for p in periods(session)[1:]] == ends[:-1]

    with pytest.raises(InvalidValue):
        preferences.set(session, "billing_cycle", "weekly")


def test_closing_writes_each_seller_statement_and_its_documents(session, shop):
    alpha, beta = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_200)
    entry(session, alpha, K.SHIPPING_FEE, 500, NOV_1)
    entry(session, alpha, K.REFUND, -2_000, NOV_1)
    entry(session, alpha, K.COMMISSION_REFUND, 240, NOV_1)
    entry(session, alpha, K.ADJUSTMENT, -100, NOV_1)
    later = entry(session, alpha, K.CAPTURE, 7_000, NOV_2)  # the next period's
    sale(session, beta, NOV_1, price=5_000, commission=750)
    entry(session, sellers.operator_seller(session), K.CAPTURE, 9_000, NOV_1)  # the retailer's own sale
    session.commit()

    closings = billing.close_ended_periods(session, AFTER_NOV)
    assert [len(c.statements) for c in closings] == [2, 1]
    first = period_of(session, date(2026, 11, 1))
    assert first.state == PeriodState.CLOSED

    statement = session.scalar(select(Statement).where(Statement.seller_id == alpha.id, Statement.period_id == first.id))
    assert (statement.sales, statement.shipping, statement.refunds, statement.commissions,
            statement.commission_refunds, statement.adjustments) == (10_000, 500, -2_000, -1_200, 240, -100)
    # The invoice's VAT (20 % of 1 200) is owed, the credit note's (20 % of 240) given back: two
    # ledger entries written with the documents, on this statement.
    assert statement.commission_vat == -240 + 48
    assert statement.total == 10_000 + 500 - 2_000 - 1_200 + 240 - 100 - 240 + 48 == 7_248
    assert (statement.opening_balance, statement.payable, statement.carried_forward) == (0, 7_248, 0)
    assert statement.entry_count == 6 + 2
    linked = set(session.scalars(select(StatementEntry.ledger_entry_id).where(StatementEntry.statement_id == statement.id)))
    assert later.id not in linked and len(linked) == 8
    vat = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == K.COMMISSION_VAT,
                                                    LedgerEntry.seller_id == alpha.id)).all()
    assert sorted((e.amount, e.reference) for e in vat) == [(-240, "FC-2026-000001"), (48, "AV-2026-000001")]
    assert {e.id for e in vat} <= linked

    invoice, credit = billing.documents_of(session, statement)
    assert (invoice.kind, invoice.number) == (BillingDocumentKind.COMMISSION_INVOICE, "FC-2026-000001")
    assert (invoice.total_ht, invoice.vat_rate_bp, invoice.vat, invoice.total_ttc) == (1_200, 2000, 240, 1_440)
    assert invoice.issue_date == date(2026, 12, 1) and invoice.due_date == date(2026, 12, 31)
    assert invoice.issuer["legal_name"] == "Storefront SAS" and invoice.issuer["siren"] == "552100554"
    assert invoice.recipient["legal_name"] == "Alpha SARL" and invoice.recipient["postal_code"] == "44000"
    assert (credit.kind, credit.number) == (BillingDocumentKind.CREDIT_NOTE, "AV-2026-000001")
    assert (credit.total_ht, credit.vat, credit.total_ttc) == (240, 48, 288)
    # Beta's invoice is the next number of the series; the second period's sale had no commission.
    assert numbers(session) == ["FC-2026-000001", "FC-2026-000002"]
    beta_invoice = session.scalar(select(BillingDocument).where(BillingDocument.seller_id == beta.id))
    assert beta_invoice.locale == "en"

    # Issued figures and the ledger stay as they are.
    with pytest.raises(IssuedDocumentChanged):
        invoice.total_ht = 1
        session.flush()
    session.rollback()
    with pytest.raises(ImmutableEntry):
        later.amount = 1
        session.flush()
    session.rollback()


def test_closing_twice_writes_nothing_more_and_keeps_the_numbers(session, shop):
    alpha, beta = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    sale(session, beta, NOV_1, price=4_000, commission=400)
    session.commit()
    billing.close_ended_periods(session, AFTER_NOV)
    before = (count(session, Statement), count(session, BillingDocument), count(session, StatementEntry), numbers(session))

    assert all(not c.statements for c in billing.close_ended_periods(session, AFTER_NOV))
    period = period_of(session, date(2026, 11, 1))
    again = billing.close_period(session, period, now=AFTER_NOV)
    assert again.statements == [] and period.state == PeriodState.CLOSED
    # A seller's statement asked again is the one written, not a second one.
    statement, made = billing.close_statement(session, period, alpha.id, now=AFTER_NOV)
    assert not made and statement.seller_id == alpha.id
    assert (count(session, Statement), count(session, BillingDocument), count(session, StatementEntry),
            numbers(session)) == before
    assert session.scalar(select(DocumentCounter.last).where(DocumentCounter.series == "FC")) == 2


def test_a_negative_balance_carries_over_to_the_next_statement(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=1_000, commission=100)
    entry(session, alpha, K.ADJUSTMENT, -5_000, NOV_1)  # a chargeback the seller owes
    sale(session, alpha, NOV_2, price=3_000, commission=300)
    sale(session, alpha, paris(2026, 12, 3), price=6_000, commission=600)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 12, 16, 1))

    statements = [s for s, _ in reversed(billing.statements_of(session, alpha.id))]
    assert [(s.opening_balance, s.total, s.payable, s.carried_forward) for s in statements] == [
        (0, 1_000 - 100 - 20 - 5_000, 0, -4_120),  # the commission's VAT (20 %) is owed too
        (-4_120, 3_000 - 300 - 60, 0, -1_480),
        (-1_480, 6_000 - 600 - 120, 3_800, 0),
    ]
    # What the statements pay adds up to the ledger's balance.
    assert sum(s.payable for s in statements) == session.scalar(
        select(func.sum(LedgerEntry.amount)).where(LedgerEntry.seller_id == alpha.id))


def test_an_entry_written_late_goes_on_the_next_statement(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=1_000, commission=100)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 11, 16, 1))
    late = entry(session, alpha, K.ADJUSTMENT, 250, paris(2026, 11, 15, 23))  # committed after the closing
    session.commit()
    billing.close_ended_periods(session, AFTER_NOV)
    statement = session.scalar(select(Statement).join(StatementEntry, StatementEntry.statement_id == Statement.id)
                               .where(StatementEntry.ledger_entry_id == late.id))
    assert statement.period_id == period_of(session, date(2026, 11, 20)).id
    assert statement.adjustments == 250


def test_a_period_not_ended_or_after_an_open_one_is_refused_and_consumes_no_number(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=1_000, commission=100)
    sale(session, alpha, NOV_2, price=1_000, commission=100)
    session.commit()
    billing_periods.ensure_periods(session, AFTER_NOV)
    first, second = periods(session)[:2]

    with pytest.raises(InvalidTransition) as refused:
        billing.close_period(session, first, now=paris(2026, 11, 15, 23, 59))
    assert refused.value.details["reason"] == Refusal.PERIOD_NOT_ENDED
    with pytest.raises(InvalidTransition) as refused:
        billing.close_statement(session, first, alpha.id, now=paris(2026, 11, 10))
    assert refused.value.details["reason"] == Refusal.PERIOD_NOT_ENDED
    with pytest.raises(InvalidTransition) as refused:
        billing.close_period(session, second, now=AFTER_NOV)
    assert refused.value.details["reason"] == Refusal.EARLIER_PERIOD_OPEN
    assert (count(session, Statement), count(session, BillingDocument), count(session, DocumentCounter)) == (0, 0, 0)
    assert all(p.state == PeriodState.OPEN for p in periods(session))


def test_a_closing_that_fails_gives_its_numbers_back(session, shop, monkeypatch):
    alpha, beta = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    entry(session, alpha, K.COMMISSION_REFUND, 100, NOV_1)
    sale(session, beta, NOV_1, price=10_000, commission=1_000)
    session.commit()
    billing_periods.ensure_periods(session, AFTER_NOV)
    period = periods(session)[0]
    real_vat = billing.vat_of
    calls = []

    def failing_on_the_credit_note(amount, *args):
        calls.append(amount)
        if len(calls) == 2:  # alpha's invoice has its number already
            raise RuntimeError("disk full")
        return real_vat(amount, *args)

    monkeypatch.setattr(billing, "vat_of", failing_on_the_credit_note)
    with pytest.raises(RuntimeError):
        billing.close_statement(session, period, alpha.id, now=AFTER_NOV)
    monkeypatch.setattr(billing, "vat_of", real_vat)
    assert (count(session, Statement), count(session, BillingDocument), count(session, StatementEntry)) == (0, 0, 0)

    billing.close_period(session, period, now=AFTER_NOV)
    assert numbers(session) == ["FC-2026-000001", "FC-2026-000002"]
    assert numbers(session, BillingDocumentKind.CREDIT_NOTE) == ["AV-2026-000001"]


def test_the_hourly_job_closes_the_periods_that_ended(app, session, shop, monkeypatch):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=1_000, commission=100)
    session.commit()
    monkeypatch.setitem(app.config, "FROZEN_TIME", paris(2026, 11, 15, 12))
    assert billing_job.close_billing_periods.call_local() == 0  # not ended yet
    monkeypatch.setitem(app.config, "FROZEN_TIME", paris(2026, 11, 16, 0, 23))
    assert billing_job.close_billing_periods.call_local() == 1
    assert billing_job.close_billing_periods.call_local() == 0
    assert numbers(session) == ["FC-2026-000001"]


# --- At once, on PostgreSQL ----------------------------------------------------------------------

postgres_only = pytest.mark.skipif(not POSTGRES, reason="row locks (SELECT … FOR UPDATE) need PostgreSQL")


def _at_once(*jobs):
    """Run each job in a thread of its own with a session of its own, started together."""
    start = threading.Barrier(len(jobs))
    errors = []
    engine = db.engine

    def run(job):
        try:
            with Session(engine) as own:
                start.wait()
                job(own)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


@postgres_only
def test_concurrent_closings_of_different_sellers_number_without_gaps(session, shop):
    many = [onboarded_seller(session, f"s{n:02d}") for n in range(12)]
    for seller in many:
        sale(session, seller, NOV_1, price=2_000, commission=200)
        entry(session, seller, K.COMMISSION_REFUND, 20, NOV_1)
    session.commit()
    billing_periods.ensure_periods(session, AFTER_NOV)
    period_id = periods(session)[0].id
    ids = [seller.id for seller in many]

    def closer(mine):
        def job(own):
            period = own.get(BillingPeriod, period_id)
            for seller_id in mine:
                billing.close_statement(own, period, seller_id, now=AFTER_NOV)
        return job

    _at_once(closer(ids[0::3]), closer(ids[1::3]), closer(ids[2::3]))
    expected = [f"FC-2026-{n:06d}" for n in range(1, 13)]
    assert numbers(session) == expected
    assert numbers(session, BillingDocumentKind.CREDIT_NOTE) == [f"AV-2026-{n:06d}" for n in range(1, 13)]
    assert count(session, Statement) == 12


@postgres_only
def test_the_same_period_closed_twice_at_once_writes_each_statement_once(session, shop):
    many = [onboarded_seller(session, f"t{n:02d}") for n in range(8)]
    for seller in many:
        sale(session, seller, NOV_1, price=2_000, commission=200)
    session.commit()
    billing_periods.ensure_periods(session, AFTER_NOV)
    period_id = periods(session)[0].id

    def closing(own):
        billing.close_period(own, own.get(BillingPeriod, period_id), now=AFTER_NOV)

    _at_once(closing, closing)
    assert numbers(session) == [f"FC-2026-{n:06d}" for n in range(1, 9)]
    assert count(session, Statement) == 8 and count(session, StatementEntry) == 8 * 3  # a sale, its commission, the invoice's VAT
    assert session.get(BillingPeriod, period_id).state == PeriodState.CLOSED
