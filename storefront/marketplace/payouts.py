"""Paying the sellers: each statement's payout state, the operator's block, and payout batches
paid by a SEPA credit transfer file (pain.001.001.03).

**States.** A statement that makes something payable (``payable`` > 0) is

- ESTIMATED during its holding period: until ``payout_holding_days`` (a preference, 7 by default)
  days after its period's last day, so that late refunds and disputes can still be seen. It
  becomes PAYABLE at midnight (shop time) of ``last_day + holding days + 1``: a period of the
  1st–15th with 7 days is payable from the 23rd (:func:`payable_on`). The holding period is read
  when the state is asked, so a change of the preference applies to every statement not paid yet;
- PAYABLE after it, until the operator pays it in a batch: then PAID (with the batch and the
  moment), for good;
- BLOCKED while the operator holds it back (a dispute, KYC, another reason with a note), from
  ESTIMATED or PAYABLE; unblocking gives it back the state its date says.

A statement whose balance is zero or negative has no payout state (``None``): nothing is due, and
closing carried the negative balance to the seller's next statement (``billing.close_statement``:
``carried_forward`` becomes the next ``opening_balance``). That is the one rule of carry-over;
this module pays only positive ``payable`` amounts and never nets statements against each other.

**Paying.** :func:`create_batch` pays the chosen PAYABLE statements in one transaction: it locks
the statements' rows (``SELECT … FOR UPDATE`` on PostgreSQL, in id order, so that two batches
at once take turns and the second sees the first one's payments), refuses the whole batch if one
statement is blocked, paid, still held, has nothing due, or if its seller has no valid IBAN (from
its onboarding application), then writes one PAYOUT ledger entry per seller (negative: the money
left the marketplace), marks each statement PAID, and keeps the pain.001 file, validated against
the official XSD before the transaction commits. A refusal moves no money and writes nothing.

The PAYOUT entries settle the statements they pay: billing never puts them on a later statement
(``billing.accounted_for``), so a seller's ledger balance is always what its unpaid statements
make payable, plus its negative carry-over, plus what no statement holds yet.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from . import billing, billing_periods, company_ids, ledger, many, preferences, sellers
from . import clock as shop_clock
from .errors import InvalidTransition, InvalidValue, NotFound
from .models import (
    BillingDocument,
    BillingPeriod,
    BlockReason,
    LedgerEntry,
    PayoutBatch,
    PayoutState,
    Seller,
    SellerApplication,
    Statement,
    StatementPayout,
    User,
)
from .paging import Page, page_of
from .refusals import Refusal
from .unit_of_work import atomic

SCHEMA = "pain.001.001.03"
NOTE_MAX = 200


def batch_reference(batch_id: int) -> str:
    return f"VIR-{batch_id:06d}"


# --- States --------------------------------------------------------------------------------------


def holding_days(session: Session) -> int:
    return int(preferences.get(session, "payout_holding_days"))


def payable_on(period: BillingPeriod, days: int) -> date:
    """The day a statement of ``period`` becomes payable: ``days`` after its last day."""
    return period.last_day + timedelta(days=days + 1)


def state_of(statement: Statement, period: BillingPeriod, payout: StatementPayout | None,
             today: date, days: int) -> PayoutState | None:
    if payout is not None and payout.batch_id is not None:
        return PayoutState.PAID
    if payout is not None and payout.blocked:
        return PayoutState.BLOCKED
    if statement.payable <= 0:
        return None
    return PayoutState.PAYABLE if today >= payable_on(period, days) else PayoutState.ESTIMATED


def _state_condition(state: PayoutState, today: date, days: int):
    """The SQL condition of ``state`` (the query outer-joins ``statement_payout`` and joins the
    period), the same rule as :func:`state_of`."""
    paid = StatementPayout.batch_id.is_not(None)
    if state == PayoutState.PAID:
        return paid
    if state == PayoutState.BLOCKED:
        return and_(StatementPayout.blocked.is_(True), StatementPayout.batch_id.is_(None))
    free = and_(Statement.payable > 0, or_(
        StatementPayout.statement_id.is_(None),
        and_(StatementPayout.blocked.is_(False), StatementPayout.batch_id.is_(None))))
    # Payable from last_day + days + 1, so: last_day <= today - days - 1.
    cutoff = today - timedelta(days=days + 1)
    if state == PayoutState.PAYABLE:
        return and_(free, BillingPeriod.last_day <= cutoff)
    return and_(free, BillingPeriod.last_day > cutoff)


@dataclass(frozen=True)
class StatementView:
    """A statement as the finance pages show it, with what may be done to it."""

    statement: Statement
    period: BillingPeriod
    seller: Seller
    payout: StatementPayout | None
    state: PayoutState | None
    payable_on: date

    @property
    def batch_reference(self) -> str | None:
        return batch_reference(self.payout.batch_id) if self.payout and self.payout.batch_id else None

    @property
    def available_actions(self) -> frozenset[str]:
        if self.state in (PayoutState.ESTIMATED, PayoutState.PAYABLE):
            return frozenset({"block", "pay"} if self.state == PayoutState.PAYABLE else {"block"})
        if self.state == PayoutState.BLOCKED:
            return frozenset({"unblock"})
        return frozenset()


def _views(session: Session, rows, today: date, days: int) -> list[StatementView]:
    return [StatementView(statement, period, seller, payout,
                          state_of(statement, period, payout, today, days), payable_on(period, days))
            for statement, period, seller, payout in rows]


def _query():
    return (
        select(Statement, BillingPeriod, Seller, StatementPayout)
        .join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .join(Seller, Seller.id == Statement.seller_id)
        .outerjoin(StatementPayout, StatementPayout.statement_id == Statement.id)
    )


def _today(session: Session, today: date | None) -> date:
    return today or shop_clock.of(session).today()


def statements_page(
    session: Session, *, state: PayoutState | None = None, seller_id: int | None = None,
    period_id: int | None = None, today: date | None = None, page: int = 1, per_page: int = 50,
) -> Page[StatementView]:
    """Every seller's statements (the operator's list), latest period first, filtered by payout
    state, seller and period; one query a page and one to count."""
    today, days = _today(session, today), holding_days(session)
    query = _query().order_by(BillingPeriod.starts_at.desc(), Seller.name, Statement.id)
    if state is not None:
        query = query.where(_state_condition(state, today, days))
    if seller_id is not None:
        query = query.where(Statement.seller_id == seller_id)
    if period_id is not None:
        query = query.where(Statement.period_id == period_id)
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    return Page(_views(session, rows, today, days), total, page, per_page)


def statement_view(session: Session, statement_id: int, *, today: date | None = None) -> StatementView:
    """One statement, for the operator; NotFound when there is none."""
    row = session.execute(_query().where(Statement.id == statement_id)).first()
    if row is None:
        raise NotFound("no such statement")
    return _views(session, [row], _today(session, today), holding_days(session))[0]


def views_of_seller(session: Session, seller_id: int, *, today: date | None = None) -> dict[int, StatementView]:
    """A seller's statements with their payout states, by statement id (the seller's portal)."""
    rows = session.execute(_query().where(Statement.seller_id == seller_id)).all()
    return {view.statement.id: view for view in _views(session, rows, _today(session, today), holding_days(session))}


@dataclass(frozen=True)
class NextPayout:
    amount: int  # cents
    expected_on: date
    estimated: bool  # some of it is still in its holding period, or in a period not closed yet
    statement_ids: list[int] = field(default_factory=list)  # empty: the open period's estimate


def next_payout(session: Session, seller_id: int, *, today: date | None = None) -> NextPayout | None:
    """What the seller's next payout should be and when: its statements not paid nor blocked
    that are payable on the earliest day one is (today at the soonest); without such a statement,
    an estimate of the period under way (what no statement holds yet, less a carried negative
    balance), payable after that period's holding. None when nothing is due."""
    today, days = _today(session, today), holding_days(session)
    due = [view for view in views_of_seller(session, seller_id, today=today).values()
           if view.state in (PayoutState.ESTIMATED, PayoutState.PAYABLE)]
    if due:
        when = max(min(view.payable_on for view in due), today)
        chosen = [view for view in due if view.payable_on <= when]
        return NextPayout(sum(view.statement.payable for view in chosen), when,
                          any(view.state == PayoutState.ESTIMATED for view in chosen),
                          sorted(view.statement.id for view in chosen))
    unstated = int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.seller_id == seller_id, ~billing.accounted_for())))
    last = session.scalar(
        select(Statement.carried_forward).join(BillingPeriod, BillingPeriod.id == Statement.period_id)
        .where(Statement.seller_id == seller_id).order_by(BillingPeriod.starts_at.desc()).limit(1))
    amount = unstated + (last or 0)
    if amount <= 0:
        return None
    of = billing_periods.cycle(session)
    last_day = billing_periods.next_start(billing_periods.period_start(today, of), of) - timedelta(days=1)
    return NextPayout(amount, last_day + timedelta(days=days + 1), True)


# --- Blocking ------------------------------------------------------------------------------------


def _locked_statement(session: Session, statement_id: int) -> Statement:
    statement = session.scalar(
        select(Statement).where(Statement.id == statement_id).with_for_update()
        .execution_options(populate_existing=True))
    if statement is None:
        raise NotFound("no such statement")
    return statement


def _payouts_of(session: Session, statement_ids: list[int]) -> dict[int, StatementPayout]:
    # Read after the statements' lock, fresh (another transaction may have paid them meanwhile).
    return {row.statement_id: row for row in session.scalars(
        select(StatementPayout).where(many.among(session, StatementPayout.statement_id, statement_ids))
        .execution_options(populate_existing=True))}


@atomic
def block(session: Session, actor: User | None, statement_id: int, reason: BlockReason | str,
          note: str = "", *, now: datetime | None = None) -> StatementPayout:
    """Hold a statement's payout back (blocking it again changes the reason and note)."""
    from . import operator_audit

    try:
        reason = BlockReason(reason)
    except ValueError:
        raise InvalidValue(f"unknown block reason {reason!r}", field="reason", reason=Refusal.BLOCK_REASON) from None
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise InvalidValue(f"the note is at most {NOTE_MAX} characters", field="note", reason=Refusal.BLOCK_REASON)
    now = now or shop_clock.of(session).now()
    statement = _locked_statement(session, statement_id)
    payout = _payouts_of(session, [statement.id]).get(statement.id)
    if payout is not None and payout.batch_id is not None:
        raise InvalidTransition("this statement is paid already", reason=Refusal.PAYOUT_PAID, statement=statement.id)
    if statement.payable <= 0:
        raise InvalidTransition("this statement has nothing to pay", reason=Refusal.PAYOUT_NOTHING_DUE,
                                statement=statement.id)
    if payout is None:
        payout = StatementPayout(statement_id=statement.id)
        session.add(payout)
    before = {"blocked": bool(payout.blocked), "reason": payout.block_reason and payout.block_reason.value,
              "note": payout.block_note or ""}
    payout.blocked, payout.block_reason, payout.block_note = True, reason, note
    payout.blocked_at, payout.blocked_by_id = now, actor.id if actor is not None else None
    session.flush()
    operator_audit.record(session, actor, "payouts.block", statement, before=before,
                          after={"blocked": True, "reason": reason.value, "note": note})
    return payout


@atomic
def unblock(session: Session, actor: User | None, statement_id: int) -> StatementPayout | None:
    """Release a blocked statement (one not blocked: nothing to do)."""
    from . import operator_audit

    statement = _locked_statement(session, statement_id)
    payout = _payouts_of(session, [statement.id]).get(statement.id)
    if payout is None or not payout.blocked:
        return payout
    before = {"blocked": True, "reason": payout.block_reason and payout.block_reason.value,
              "note": payout.block_note}
    payout.blocked, payout.block_reason, payout.block_note = False, None, ""
    payout.blocked_at = payout.blocked_by_id = None
    session.flush()
    operator_audit.record(session, actor, "payouts.unblock", statement, before=before, after={"blocked": False})
    return payout


# --- Paying --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Debtor:
    name: str
    iban: str
    bic: str


def debtor(session: Session) -> Debtor:
    """The retailer's account the transfers leave from (the payout preferences); refused until
    its IBAN and BIC are set."""
    iban = str(preferences.get(session, "payout_debtor_iban"))
    bic = str(preferences.get(session, "payout_debtor_bic"))
    name = str(preferences.get(session, "payout_debtor_name"))
    if not name:
        retailer = sellers.operator_seller(session, required=False)
        name = (retailer.legal_name or retailer.name) if retailer is not None else ""
    if not (name and iban and bic and company_ids.valid_iban(iban)
            and preferences.BIC_PATTERN.match(bic)):
        raise InvalidValue("set the retailer's IBAN and BIC in the preferences first",
                           reason=Refusal.PAYOUT_NO_DEBTOR)
    return Debtor(name, iban, bic)


def seller_ibans(session: Session, seller_ids: list[int]) -> dict[int, str]:
    """Each seller's IBAN from its latest onboarding application ("" when it has none)."""
    latest = (select(SellerApplication.seller_id, func.max(SellerApplication.id).label("id"))
              .where(many.among(session, SellerApplication.seller_id, seller_ids))
              .group_by(SellerApplication.seller_id).subquery())
    found = dict(session.execute(
        select(SellerApplication.seller_id, SellerApplication.iban)
        .join(latest, latest.c.id == SellerApplication.id)).all())
    return {seller_id: company_ids.normalize_iban(found.get(seller_id) or "") for seller_id in seller_ids}


@atomic
def create_batch(session: Session, actor: User | None, statement_ids: list[int], *,
                 execution_date: date | None = None, now: datetime | None = None) -> PayoutBatch:
    """Pay ``statement_ids`` (PAYABLE statements) in one batch and one pain.001 file: all of
    them, or none with the refusal of the first that may not be paid."""
    from . import operator_audit

    ids = sorted({int(statement_id) for statement_id in statement_ids})
    if not ids:
        raise InvalidValue("choose at least one statement to pay", reason=Refusal.PAYOUT_EMPTY)
    clock = shop_clock.of(session)
    now = now or clock.now()
    today = clock.local_date(now)
    execution_date = execution_date or today
    if execution_date < today:
        raise InvalidValue("the execution date is today or later", field="execution_date",
                           reason=Refusal.PAYOUT_DATE)
    payer = debtor(session)
    # The rows of the statements, locked in id order until this transaction ends: a second batch
    # (or a block) of the same statements waits here, then reads what this one wrote.
    statements = list(session.scalars(
        select(Statement).where(many.among(session, Statement.id, ids)).order_by(Statement.id)
        .with_for_update().execution_options(populate_existing=True)))
    if len(statements) != len(ids):
        raise NotFound("no such statement")
    payouts = _payouts_of(session, ids)
    periods = {period.id: period for period in session.scalars(
        select(BillingPeriod).where(BillingPeriod.id.in_({s.period_id for s in statements})))}
    days = holding_days(session)
    for statement in statements:
        period = periods[statement.period_id]
        state = state_of(statement, period, payouts.get(statement.id), today, days)
        details = {"statement": statement.id}
        if state == PayoutState.PAID:
            raise InvalidTransition("this statement is paid already", reason=Refusal.PAYOUT_PAID, **details)
        if state == PayoutState.BLOCKED:
            raise InvalidTransition("this statement is blocked", reason=Refusal.PAYOUT_BLOCKED, **details)
        if state is None:
            raise InvalidTransition("this statement has nothing to pay", reason=Refusal.PAYOUT_NOTHING_DUE,
                                    **details)
        if state == PayoutState.ESTIMATED:
            raise InvalidTransition("this statement is still in its holding period", reason=Refusal.PAYOUT_NOT_DUE,
                                    payable_on=payable_on(period, days), **details)
        if statement.currency != "EUR":
            raise InvalidValue("a SEPA transfer pays euros only", **details)
    by_seller: dict[int, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_seller[statement.seller_id].append(statement)
    payees = {seller.id: seller for seller in session.scalars(select(Seller).where(Seller.id.in_(by_seller)))}
    ibans = seller_ibans(session, sorted(by_seller))
    for seller_id in sorted(by_seller):
        if not company_ids.valid_iban(ibans[seller_id]):
            seller = payees[seller_id]
            raise InvalidValue(f"{seller.name} has no valid IBAN", reason=Refusal.PAYOUT_NO_IBAN,
                               seller=seller.name)

    total = sum(statement.payable for statement in statements)
    batch = PayoutBatch(
        created_at=now, created_by_id=actor.id if actor is not None else None,
        execution_date=execution_date, currency="EUR", statement_count=len(statements),
        seller_count=len(by_seller), total=total, message_id="", xml="",
        debtor={"name": payer.name, "iban": payer.iban, "bic": payer.bic},
    )
    session.add(batch)
    session.flush()
    reference = batch_reference(batch.id)
    transfers = []
    for seller_id in sorted(by_seller, key=lambda sid: payees[sid].name):
        mine = by_seller[seller_id]
        amount = sum(statement.payable for statement in mine)
        seller = payees[seller_id]
        entry = ledger.record_payout(session, seller_id, amount, reference, now)
        for statement in mine:
            payout = payouts.get(statement.id)
            if payout is None:
                payout = StatementPayout(statement_id=statement.id, blocked=False)
                session.add(payout)
            payout.batch_id, payout.paid_at, payout.ledger_entry_id = batch.id, now, entry.id
        days_paid = ", ".join(
            f"{periods[s.period_id].first_day:%d/%m}-{periods[s.period_id].last_day:%d/%m/%Y}" for s in mine)
        transfers.append({
            "name": seller.legal_name or seller.name, "IBAN": ibans[seller_id], "amount": amount,
            "description": f"{reference} {seller.code} {days_paid}",
            "endtoend_id": f"{reference}-{seller.id}",
        })
    xml, message_id = pain001(payer, transfers, execution_date)
    batch.xml, batch.message_id = xml.decode("utf-8"), message_id
    session.flush()
    operator_audit.record(session, actor, "payouts.batch", batch, after={
        "reference": reference, "statements": ids, "total": total, "execution_date": execution_date.isoformat()})
    return batch


def pain001(payer: Debtor, transfers: list[dict], execution_date: date) -> tuple[bytes, str]:
    """The SEPA credit transfer initiation (pain.001.001.03) of ``transfers`` (name, IBAN,
    amount in cents, description, endtoend_id), made by sepaxml and validated against the
    official XSD it ships; and its message id."""
    from sepaxml import SepaTransfer

    transfer = SepaTransfer({"name": payer.name, "IBAN": payer.iban, "BIC": payer.bic, "batch": True,
                             "currency": "EUR"}, schema=SCHEMA, clean=True)
    for payment in transfers:
        transfer.add_payment({**payment, "execution_date": execution_date})
    xml = transfer.export(validate=False)
    validate_pain001(xml)
    return xml, transfer.msg_id


@functools.cache
def _schema():
    import sepaxml
    import xmlschema

    return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"))


def validate_pain001(xml: bytes) -> None:
    """Raises ``xmlschema.XMLSchemaValidationError`` unless ``xml`` is a valid pain.001.001.03."""
    _schema().validate(xml.decode("utf-8"))


# --- Reads for the operator ----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRow:
    period: BillingPeriod
    statements: int
    documents: int
    payable: int
    paid: int


def periods_page(session: Session, *, page: int = 1, per_page: int = 50) -> Page[PeriodRow]:
    """The billing periods, latest first, with how many statements and documents each closed,
    what they made payable and how many statements are paid (three queries a page)."""
    query = select(BillingPeriod).order_by(BillingPeriod.starts_at.desc())
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    ids = [period.id for period, in rows]
    counts = {pid: (n, payable or 0, paid) for pid, n, payable, paid in session.execute(
        select(Statement.period_id, func.count(Statement.id), func.sum(Statement.payable),
               func.count(StatementPayout.batch_id))
        .outerjoin(StatementPayout, StatementPayout.statement_id == Statement.id)
        .where(Statement.period_id.in_(ids)).group_by(Statement.period_id))} if ids else {}
    documents = dict(session.execute(
        select(Statement.period_id, func.count(BillingDocument.id))
        .join(BillingDocument, BillingDocument.statement_id == Statement.id)
        .where(Statement.period_id.in_(ids)).group_by(Statement.period_id)).all()) if ids else {}
    items = []
    for (period,) in rows:
        n, payable, paid = counts.get(period.id, (0, 0, 0))
        items.append(PeriodRow(period, n, documents.get(period.id, 0), int(payable), paid))
    return Page(items, total, page, per_page)


@dataclass(frozen=True)
class BatchRow:
    batch: PayoutBatch
    created_by: str | None  # the operator's email

    @property
    def reference(self) -> str:
        return batch_reference(self.batch.id)


def batches_page(session: Session, *, page: int = 1, per_page: int = 50) -> Page[BatchRow]:
    query = (select(PayoutBatch.id, User.email).outerjoin(User, User.id == PayoutBatch.created_by_id)
             .order_by(PayoutBatch.id.desc()))
    rows, total, page = page_of(session, query, page=page, per_page=per_page)
    # The batch rows without their files (a file is loaded only to be downloaded).
    from sqlalchemy.orm import defer

    batches = {batch.id: batch for batch in session.scalars(
        select(PayoutBatch).options(defer(PayoutBatch.xml))
        .where(PayoutBatch.id.in_([batch_id for batch_id, _ in rows])))}
    return Page([BatchRow(batches[batch_id], email) for batch_id, email in rows], total, page, per_page)


def batch_for(session: Session, batch_id: int) -> PayoutBatch:
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound("no such payout batch")
    return batch


def batch_statements(session: Session, batch: PayoutBatch) -> list[StatementView]:
    rows = session.execute(_query().where(StatementPayout.batch_id == batch.id)
                           .order_by(Seller.name, BillingPeriod.starts_at)).all()
    return _views(session, rows, _today(session, None), holding_days(session))


__all__ = [
    "BatchRow", "Debtor", "NextPayout", "PeriodRow", "StatementView", "batch_for", "batch_reference",
    "batch_statements", "batches_page", "block", "create_batch", "debtor", "holding_days",
    "next_payout", "pain001", "payable_on", "periods_page", "seller_ibans", "state_of",
    "statement_view", "statements_page", "unblock", "validate_pain001", "views_of_seller",
]
