"""Payouts: a statement's payout state (ESTIMATED during the holding period, PAYABLE after it,
BLOCKED and unblocked by the operator, PAID by a batch), a negative balance carried over and never
paid, payout batches writing one PAYOUT ledger entry per seller and a pain.001 file valid against
the official XSD, and refusals (blocked, paid already, held, nothing due, no valid IBAN, no
retailer account) that move no money; two batches of the same statements at once on PostgreSQL
pay them once."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.marketplace import billing, ledger, payouts, preferences
from storefront.marketplace.errors import DomainError, InvalidValue
from storefront.marketplace.models import (
    BlockReason,
    LedgerEntry,
    OperatorAuditEntry,
    PayoutBatch,
    PayoutState,
    SellerApplication,
    Statement,
    StatementPayout,
)
from storefront.marketplace.refusals import Refusal
from tests.conftest import POSTGRES
from tests.finance.billing_fixtures import K, entry, onboarded_seller, paris, retailer, sale

NOV_1 = paris(2026, 11, 3, 10)  # 1–15 November
NOV_2 = paris(2026, 11, 20, 10)  # 16–30 November
CLOSE_NOV_1 = paris(2026, 11, 16, 1)
CLOSE_NOV_2 = paris(2026, 12, 1, 1)
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"

RETAILER_IBAN = "FR7630006000011234567890189"
ALPHA_IBAN = "FR1420041010050500013M02606"
BETA_IBAN = "DE89370400440532013000"


def set_iban(session, seller, iban: str) -> None:
    application = session.scalar(select(SellerApplication).where(SellerApplication.seller_id == seller.id))
    application.iban = iban
    session.commit()


@pytest.fixture
def shop(session):
    retailer(session)
    alpha = onboarded_seller(session, "alpha")
    beta = onboarded_seller(session, "beta", locale="en")
    set_iban(session, alpha, ALPHA_IBAN)
    set_iban(session, beta, BETA_IBAN)
    preferences.set(session, "payout_debtor_iban", "FR76 3000 6000 0112 3456 7890 189")
    preferences.set(session, "payout_debtor_bic", "bnpafrppxxx")
    session.commit()
    return alpha, beta


def statement_of(session, seller, period_index: int = 0) -> Statement:
    return [s for s, _ in reversed(billing.statements_of(session, seller.id))][period_index]


def state(session, statement, today) -> PayoutState | None:
    session.expire_all()
    return payouts.statement_view(session, statement.id, today=today).state


def money_moved(session) -> tuple[int, int, int]:
    session.expire_all()
    return (session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == K.PAYOUT)),
            session.scalar(select(func.count(PayoutBatch.id))),
            session.scalar(select(func.count()).select_from(StatementPayout).where(StatementPayout.batch_id.is_not(None))))


def refused(call, reason: Refusal):
    with pytest.raises(DomainError) as error:
        call()
    assert error.value.details.get("reason") == reason, error.value.details
    return error.value


def test_a_statement_is_estimated_during_its_holding_period_then_payable(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_1)
    statement = statement_of(session, alpha)
    assert statement.payable == 10_000 - 1_000 - 200

    # 1–15 November, 7 days of holding: payable from the 23rd.
    assert payouts.holding_days(session) == 7
    assert state(session, statement, date(2026, 11, 16)) == PayoutState.ESTIMATED
    assert state(session, statement, date(2026, 11, 22)) == PayoutState.ESTIMATED
    assert state(session, statement, date(2026, 11, 23)) == PayoutState.PAYABLE
    page = payouts.statements_page(session, state=PayoutState.PAYABLE, today=date(2026, 11, 23))
    assert [view.statement.id for view in page.items] == [statement.id]
    assert payouts.statements_page(session, state=PayoutState.ESTIMATED, today=date(2026, 11, 22)).total == 1
    assert payouts.statements_page(session, state=PayoutState.PAYABLE, today=date(2026, 11, 22)).total == 0

    # The holding period is the operator's, read when the state is asked.
    preferences.set(session, "payout_holding_days", 0)
    assert state(session, statement, date(2026, 11, 16)) == PayoutState.PAYABLE
    with pytest.raises(InvalidValue):
        preferences.set(session, "payout_holding_days", 91)

    # Paying one still held is refused.
    preferences.set(session, "payout_holding_days", 7)
    error = refused(lambda: payouts.create_batch(session, None, [statement.id], now=paris(2026, 11, 20, 9)),
                    Refusal.PAYOUT_NOT_DUE)
    assert error.details["payable_on"] == date(2026, 11, 23)
    assert money_moved(session) == (0, 0, 0)


def test_block_and_unblock_with_a_reason(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_1)
    statement = statement_of(session, alpha)
    today, now = date(2026, 11, 24), paris(2026, 11, 24, 9)

    payouts.block(session, None, statement.id, BlockReason.DISPUTE, "  Litige   client  SF-1 ", now=now)
    assert state(session, statement, today) == PayoutState.BLOCKED
    view = payouts.statement_view(session, statement.id, today=today)
    assert (view.payout.block_reason, view.payout.block_note) == (BlockReason.DISPUTE, "Litige client SF-1")
    assert view.available_actions == {"unblock"}
    assert payouts.statements_page(session, state=PayoutState.BLOCKED, today=today).total == 1
    assert payouts.statements_page(session, state=PayoutState.PAYABLE, today=today).total == 0

    # A blocked statement is not paid, and nothing moves.
    refused(lambda: payouts.create_batch(session, None, [statement.id], now=now), Refusal.PAYOUT_BLOCKED)
    assert money_moved(session) == (0, 0, 0)
    refused(lambda: payouts.block(session, None, statement.id, "HOLIDAY", now=now), Refusal.BLOCK_REASON)
    refused(lambda: payouts.block(session, None, statement.id, "KYC", "x" * 201, now=now), Refusal.BLOCK_REASON)

    payouts.unblock(session, None, statement.id)
    assert state(session, statement, today) == PayoutState.PAYABLE
    assert payouts.statement_view(session, statement.id, today=today).available_actions == {"block", "pay"}
    actions = session.scalars(select(OperatorAuditEntry.action).order_by(OperatorAuditEntry.id)).all()
    assert actions == ["payouts.block", "payouts.unblock"]


def test_a_batch_pays_each_seller_once_writes_payout_entries_and_is_final(session, shop):
    alpha, beta = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    sale(session, alpha, NOV_2, price=5_000, commission=500)
    sale(session, beta, NOV_1, price=2_000, commission=200)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_2)
    a1, a2, b1 = statement_of(session, alpha, 0), statement_of(session, alpha, 1), statement_of(session, beta)
    assert (a1.payable, a2.payable, b1.payable) == (8_800, 4_400, 1_760)
    now = paris(2026, 12, 9, 10)  # both periods are past their holding

    batch = payouts.create_batch(session, None, [a1.id, a2.id, b1.id], execution_date=date(2026, 12, 10), now=now)
    assert (batch.statement_count, batch.seller_count, batch.total) == (3, 2, 8_800 + 4_400 + 1_760)
    assert batch.reference == f"VIR-{batch.id:06d}" and batch.execution_date == date(2026, 12, 10)
    assert batch.debtor == {"name": "Storefront SAS", "iban": RETAILER_IBAN, "bic": "BNPAFRPPXXX"}
    # One PAYOUT entry per seller, negative (the money left), referencing the batch.
    payout_entries = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == K.PAYOUT)
                                     .order_by(LedgerEntry.seller_id)).all()
    assert sorted((e.seller_id, e.amount, e.reference) for e in payout_entries) == sorted([
        (alpha.id, -13_200, batch.reference), (beta.id, -1_760, batch.reference)])
    for statement in (a1, a2, b1):
        view = payouts.statement_view(session, statement.id, today=date(2026, 12, 9))
        assert view.state == PayoutState.PAID and view.batch_reference == batch.reference
        assert view.payout.paid_at == now and view.available_actions == frozenset()
    # Everything paid: the sellers' ledgers are at zero.
    assert ledger.balance(session, alpha.id) == 0 and ledger.balance(session, beta.id) == 0

    # Paid is final: not again, not blocked.
    refused(lambda: payouts.create_batch(session, None, [a1.id], now=now), Refusal.PAYOUT_PAID)
    refused(lambda: payouts.block(session, None, b1.id, BlockReason.KYC, now=now), Refusal.PAYOUT_PAID)
    assert money_moved(session) == (2, 1, 3)

    # The PAYOUT entries settle the statements they paid: the next statement does not take them
    # off again.
    sale(session, alpha, paris(2026, 12, 3, 10), price=3_000, commission=300)
    session.commit()
    billing.close_ended_periods(session, paris(2026, 12, 16, 1))
    december = statement_of(session, alpha, 2)
    assert (december.opening_balance, december.payouts, december.total, december.payable) == (0, 0, 2_640, 2_640)
    assert ledger.balance(session, alpha.id) == 2_640
    # The audit log has the batch.
    assert session.scalar(select(func.count(OperatorAuditEntry.id)).where(
        OperatorAuditEntry.action == "payouts.batch")) == 1


def test_a_negative_balance_carries_over_and_is_never_paid(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=1_000, commission=100)
    entry(session, alpha, K.ADJUSTMENT, -5_000, NOV_1)  # a chargeback the seller owes
    sale(session, alpha, NOV_2, price=9_000, commission=900)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_2)
    owed, then = statement_of(session, alpha, 0), statement_of(session, alpha, 1)
    assert (owed.payable, owed.carried_forward) == (0, -4_120)
    assert then.opening_balance == -4_120 and then.payable == 9_000 - 900 - 180 - 4_120
    today, now = date(2026, 12, 9), paris(2026, 12, 9, 10)
    assert state(session, owed, today) is None  # nothing due: no payout state
    assert payouts.statement_view(session, owed.id, today=today).available_actions == frozenset()
    refused(lambda: payouts.create_batch(session, None, [owed.id], now=now), Refusal.PAYOUT_NOTHING_DUE)
    refused(lambda: payouts.block(session, None, owed.id, BlockReason.DISPUTE, now=now), Refusal.PAYOUT_NOTHING_DUE)
    # Mixing it with a payable one refuses the whole batch.
    refused(lambda: payouts.create_batch(session, None, [then.id, owed.id], now=now), Refusal.PAYOUT_NOTHING_DUE)
    assert money_moved(session) == (0, 0, 0)

    payouts.create_batch(session, None, [then.id], now=now)
    assert ledger.balance(session, alpha.id) == 0  # the carried debt was netted once, by closing


def test_no_valid_iban_or_no_retailer_account_refuses_and_moves_no_money(session, shop):
    alpha, beta = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    sale(session, beta, NOV_1, price=2_000, commission=200)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_1)
    ids = [statement_of(session, alpha).id, statement_of(session, beta).id]
    now = paris(2026, 11, 24, 9)

    set_iban(session, beta, "DE89370400440532013001")  # one digit wrong: its check fails
    error = refused(lambda: payouts.create_batch(session, None, ids, now=now), Refusal.PAYOUT_NO_IBAN)
    assert error.details["seller"] == beta.name
    set_iban(session, beta, "")
    refused(lambda: payouts.create_batch(session, None, ids, now=now), Refusal.PAYOUT_NO_IBAN)
    assert money_moved(session) == (0, 0, 0)
    assert ledger.balance(session, alpha.id) == 8_800

    set_iban(session, beta, BETA_IBAN)
    preferences.set(session, "payout_debtor_bic", "")
    refused(lambda: payouts.create_batch(session, None, ids, now=now), Refusal.PAYOUT_NO_DEBTOR)
    with pytest.raises(InvalidValue) as bad:
        preferences.set(session, "payout_debtor_iban", "FR7630006000011234567890188")
    assert bad.value.details["reason"] == Refusal.SETTING_IBAN
    with pytest.raises(InvalidValue) as bad:
        preferences.set(session, "payout_debtor_bic", "BNP")
    assert bad.value.details["reason"] == Refusal.SETTING_BIC
    refused(lambda: payouts.create_batch(session, None, [], now=now), Refusal.PAYOUT_EMPTY)
    preferences.set(session, "payout_debtor_bic", "BNPAFRPP")
    refused(lambda: payouts.create_batch(session, None, ids, execution_date=date(2026, 11, 23), now=now),
            Refusal.PAYOUT_DATE)
    assert money_moved(session) == (0, 0, 0)
    assert payouts.create_batch(session, None, ids, now=now).total == 8_800 + 1_760


def test_the_pain001_file_is_valid_against_the_xsd_and_reads_back(session, shop):
    alpha, beta = shop
    sale(session, alpha, NOV_1, price=123_456, commission=12_345)
    sale(session, beta, NOV_1, price=1_001, commission=100)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_1)
    a, b = statement_of(session, alpha), statement_of(session, beta)
    batch = payouts.create_batch(session, None, [a.id, b.id], execution_date=date(2026, 11, 25),
                                 now=paris(2026, 11, 24, 9))
    xml = batch.xml.encode("utf-8")

    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(xml.decode())  # raises on any error
    root = ET.fromstring(xml)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.findtext("p:MsgId", namespaces=NS) == batch.message_id
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert Decimal(header.findtext("p:CtrlSum", namespaces=NS)) == Decimal(batch.total) / 100
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.findtext("p:ReqdExctnDt", namespaces=NS) == "2026-11-25"
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == RETAILER_IBAN
    assert info.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "BNPAFRPPXXX"
    assert info.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Storefront SAS"
    paid = {tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS): (
        tx.find("p:Amt/p:InstdAmt", NS).get("Ccy"), Decimal(tx.findtext("p:Amt/p:InstdAmt", namespaces=NS)),
        tx.findtext("p:Cdtr/p:Nm", namespaces=NS), tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS))
        for tx in info.findall("p:CdtTrfTxInf", NS)}
    assert paid == {
        ALPHA_IBAN: ("EUR", Decimal(a.payable) / 100, "Alpha SARL", f"{batch.reference}-{alpha.id}"),
        BETA_IBAN: ("EUR", Decimal(b.payable) / 100, "Beta SARL", f"{batch.reference}-{beta.id}"),
    }
    assert Decimal(a.payable) / 100 == Decimal("1086.42")  # 123 456 − 12 345 − 2 469 cents
    # The service's check is the schema's: a file with an amount of three decimals is refused.
    broken = xml.replace(b"<InstdAmt Ccy=\"EUR\">", b"<InstdAmt Ccy=\"EUR\">0.001", 1)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        payouts.validate_pain001(broken)


def test_the_next_payout_of_a_seller(session, shop):
    alpha, _ = shop
    sale(session, alpha, NOV_1, price=10_000, commission=1_000)
    sale(session, alpha, NOV_2, price=5_000, commission=500)
    session.commit()
    # While the first period runs: an estimate of it, payable 8 days after the 15th.
    upcoming = payouts.next_payout(session, alpha.id, today=date(2026, 11, 10))
    assert (upcoming.amount, upcoming.expected_on, upcoming.estimated) == (15_000 - 1_500, date(2026, 11, 23), True)
    billing.close_ended_periods(session, CLOSE_NOV_2)
    first, second = statement_of(session, alpha, 0), statement_of(session, alpha, 1)
    upcoming = payouts.next_payout(session, alpha.id, today=date(2026, 12, 2))
    assert (upcoming.amount, upcoming.expected_on, upcoming.estimated) == (first.payable, date(2026, 12, 2), False)
    payouts.block(session, None, first.id, BlockReason.KYC, now=paris(2026, 12, 2, 9))
    upcoming = payouts.next_payout(session, alpha.id, today=date(2026, 12, 2))
    assert (upcoming.amount, upcoming.expected_on, upcoming.estimated) == (second.payable, date(2026, 12, 8), True)
    payouts.unblock(session, None, first.id)
    payouts.create_batch(session, None, [first.id], now=paris(2026, 12, 2, 9))
    payouts.create_batch(session, None, [second.id], now=paris(2026, 12, 8, 9))
    assert payouts.next_payout(session, alpha.id, today=date(2026, 12, 9)) is None


# --- At once, on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.skipif(not POSTGRES, reason="row locks (SELECT … FOR UPDATE) need PostgreSQL")
def test_two_batches_of_the_same_statements_at_once_pay_them_once(session, shop):
    alpha, beta = shop
    sellers = [alpha, beta]
    for n in range(6):
        seller = onboarded_seller(session, f"p{n:02d}")
        set_iban(session, seller, ALPHA_IBAN)
        sellers.append(seller)
    for seller in sellers:
        sale(session, seller, NOV_1, price=2_000, commission=200)
    session.commit()
    billing.close_ended_periods(session, CLOSE_NOV_1)
    ids = sorted(session.scalars(select(Statement.id)))
    now = paris(2026, 11, 24, 9)
    start = threading.Barrier(3)
    outcomes, errors = [], []
    engine = db.engine

    def run(mine):
        try:
            with Session(engine) as own:
                start.wait()
                try:
                    batch = payouts.create_batch(own, None, mine, now=now)
                    outcomes.append(("paid", batch.id))
                except DomainError as error:
                    outcomes.append(("refused", error.details.get("reason")))
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    # Three operators pay everything at once (one lists the statements the other way round).
    threads = [threading.Thread(target=run, args=(chosen,)) for chosen in (ids, ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(kind for kind, _ in outcomes) == ["paid", "refused", "refused"], outcomes
    assert {reason for kind, reason in outcomes if kind == "refused"} == {Refusal.PAYOUT_PAID}
    session.expire_all()
    assert money_moved(session) == (len(sellers), 1, len(ids))
    per_seller = session.execute(select(LedgerEntry.seller_id, func.count(LedgerEntry.id))
                                 .where(LedgerEntry.kind == K.PAYOUT).group_by(LedgerEntry.seller_id)).all()
    assert all(n == 1 for _, n in per_seller)
    assert all(ledger.balance(session, seller.id) == 0 for seller in sellers)
