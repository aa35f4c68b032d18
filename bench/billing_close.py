"""Billing benchmark (issue 15): closing a period for 1,000 sellers with 200,000 order lines.

    .venv/bin/python bench/billing_close.py                       # PostgreSQL, 1,000 × 200,000
    .venv/bin/python bench/billing_close.py --sellers 100 --lines 20000 --sqlite   # quicker

Builds a new database from the migrations, writes the ledger of a fortnight set-based (per
order line: its sale and the 12 % commission; one line in ten refunded by half, with its
commission given back), then times ``billing.close_ended_periods`` (statements, invoices,
credit notes, numbers) and the rendering of every invoice and credit-note PDF and of a sample
of statement PDFs (they are drawn on download, not at closing). Reports the times, the peak
memory of the process, and the target (under 2 minutes, under 500 MB).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARIS = ZoneInfo("Europe/Paris")
TARGET_SECONDS = 120.0
TARGET_MB = 500


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_billing")
    parser.add_argument("--sqlite", action="store_true", help="on a SQLite file instead")
    parser.add_argument("--statement-sample", type=int, default=50)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.documents import render
    from storefront.extensions import db
    from storefront.marketplace import billing, sellers
    from storefront.marketplace.models import BillingDocument, LedgerEntry, Seller, Statement

    instance = Path(tempfile.mkdtemp(prefix="bench_billing_"))
    url = f"sqlite:///{instance / 'bench.db'}" if args.sqlite else args.database_url
    if not args.sqlite:
        fresh_database(url)
    app = create_app({
        "STOREFRONT_ENV": "testing", "STOREFRONT_INSTANCE": str(instance), "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "MAIL_URL": "smtp://127.0.0.1:9",
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        session = db.session
        retailer = sellers.create_seller(session, "retailer", "Retailer", is_operator=True,
                                         legal_name="Retailer SAS", city="Lyon")
        retailer.siret, retailer.vat_number = "55210055400013", "FR40552100554"
        session.commit()
        session.execute(insert(Seller), [
            {"code": f"s{n:05d}", "slug": f"s{n:05d}", "name": f"Seller {n}", "legal_name": f"Seller {n} SARL",
             "siret": f"{732000000 + n:09d}00010", "vat_number": f"FR00{732000000 + n:09d}", "city": "Nantes"}
            for n in range(args.sellers)
        ])
        session.commit()
        ids = list(session.scalars(select(Seller.id).where(Seller.is_operator.is_(False))))

        started = time.perf_counter()
        rng = random.Random(15)
        start = datetime(2026, 11, 1, tzinfo=PARIS).astimezone(UTC)
        batch: list[dict] = []
        for n in range(args.lines):
            seller_id = ids[n % len(ids)]
            at = start + timedelta(seconds=rng.randrange(15 * 86400 - 60))
            price = rng.randrange(500, 20_000)
            commission = price * 12 // 100
            batch += [
                {"created_at": at, "seller_id": seller_id, "kind": "CAPTURE", "amount": price, "currency": "EUR", "reference": ""},
                {"created_at": at, "seller_id": seller_id, "kind": "COMMISSION", "amount": -commission, "currency": "EUR", "reference": ""},
            ]
            if n % 10 == 0:
                later = at + timedelta(seconds=30)
                batch += [
                    {"created_at": later, "seller_id": seller_id, "kind": "REFUND", "amount": -(price // 2), "currency": "EUR", "reference": ""},
                    {"created_at": later, "seller_id": seller_id, "kind": "COMMISSION_REFUND", "amount": commission // 2, "currency": "EUR", "reference": ""},
                ]
            if len(batch) >= 20_000:
                session.execute(insert(LedgerEntry), batch)
                batch = []
        if batch:
            session.execute(insert(LedgerEntry), batch)
        session.commit()
        entries = session.scalar(select(func.count(LedgerEntry.id)))
        print(f"ledger written: {entries:,} entries for {len(ids):,} sellers in {time.perf_counter() - started:.1f} s")

        memory_before = peak_mb()
        started = time.perf_counter()
        closings = billing.close_ended_periods(session, datetime(2026, 11, 16, 0, 30, tzinfo=PARIS))
        closing = time.perf_counter() - started
        statements = sum(len(c.statements) for c in closings)
        documents = session.scalar(select(func.count(BillingDocument.id)))
        print(f"closing: {statements:,} statements, {documents:,} invoices and credit notes in {closing:.1f} s")

        started = time.perf_counter()
        for document in session.scalars(select(BillingDocument).execution_options(yield_per=200)):
            render.document_pdf(document)
        invoices = time.perf_counter() - started
        print(f"invoice and credit-note PDFs: {documents:,} in {invoices:.1f} s")

        sample = list(session.scalars(select(Statement).limit(args.statement_sample)))
        started = time.perf_counter()
        for statement in sample:
            render.statement_pdf(session, statement)
            session.expunge_all()
        per_statement = (time.perf_counter() - started) / max(len(sample), 1)
        statement_pdfs = per_statement * statements
        print(f"statement PDFs: {per_statement * 1000:.0f} ms each ({entries // max(len(ids), 1)} lines), "
              f"{statement_pdfs:.1f} s for all {statements:,} (extrapolated from {len(sample)})")

        total = closing + invoices + statement_pdfs
        print(f"total {total:.1f} s (target {TARGET_SECONDS:.0f} s): {'OK' if total < TARGET_SECONDS else 'TOO SLOW'}; "
              f"peak memory {peak_mb():.0f} MB (before closing {memory_before:.0f} MB; target {TARGET_MB} MB)")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
