"""Offer import benchmark (issue 14): a seller's CSV feed of 500,000 offers into a catalog of
100,000 products, then a REPLACE of the same file with 10 % of its rows changed.

    make bench-offer-import                                          # PostgreSQL, 500,000 offers
    .venv/bin/python bench/offer_import.py --products 10000 --sqlite # a quicker run, SQLite too

Each pass runs ``flask import offers FILE --seller … --mode …`` (the operator's command, the
same service and batches as the worker's job) in a process of its own and measures the time
from file to searchable shop (the listing is refreshed batch by batch inside the import; the
run checks afterwards that the shop's listing shows the seller's offers) and the process's peak
memory. Five offers per product (one per condition: new, like new, very good, good,
refurbished) make 500,000 rows out of 100,000 products. The products come from the bulk offer
benchmark's template database (``bench/api_bulk_offers.py``), copied fresh for each run.
Targets: under 60 s and 500 MB for the first pass, under 30 s for the REPLACE, on PostgreSQL;
rows/s on SQLite are reported beside them.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bulk_offers import fresh_postgres, fresh_sqlite  # noqa: E402
from api_orders import DATA, MAIN_SELLER, api_env  # noqa: E402
from common import ROOT, VENV_BIN  # noqa: E402

CONDITIONS = ("NEW", "LIKE_NEW", "VERY_GOOD", "GOOD", "REFURBISHED")
TARGET_FIRST, TARGET_REPLACE, TARGET_MB = 60.0, 30.0, 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_offer_import")
    parser.add_argument("--sqlite", action="store_true", help="also on SQLite")
    args = parser.parse_args()
    offers = args.products * len(CONDITIONS)
    first, second = feed_files(args.products)

    rows = [("PostgreSQL", *passes(fresh_postgres(args.database_url, args.products), first, second, offers))]
    if args.sqlite:
        rows.append(("SQLite", *passes(fresh_sqlite(args.products), first, second, offers)))

    scale = offers / 500_000
    lines = [
        f"Offer import benchmark: {offers:,} offers ({args.products:,} products × {len(CONDITIONS)} conditions) "
        f"for one seller, `flask import offers`, {os.cpu_count()} cores",
        "",
        "| database | pass | seconds | rows/s | peak MB | created | updated | deactivated | refused | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for database, *results in rows:
        for label, result, target in zip(("NORMAL, all new", "REPLACE, 10 % changed"), results,
                                         (TARGET_FIRST * scale, TARGET_REPLACE * scale), strict=True):
            ok = result["seconds"] < target and result["mb"] < TARGET_MB and result["refused"] == 0
            if database == "PostgreSQL":
                verdicts.append(f"{'PASS' if ok else 'FAIL'}: {label}: {result['seconds']:.1f} s "
                                f"(target {target:.0f} s), {result['mb']:.0f} MB (target {TARGET_MB} MB)")
            lines.append(
                f"| {database} | {label} | {result['seconds']:.1f} | {offers / result['seconds']:,.0f} "
                f"| {result['mb']:.0f} | {result['created']:,} | {result['updated']:,} | {result['deactivated']:,} "
                f"| {result['refused']:,} | {'PASS' if ok else 'FAIL'} |")
    lines += ["", *verdicts]
    load = os.getloadavg()
    lines.append(f"Load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.")
    text = "\n".join(lines)
    print("\n" + text)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "offer_import.md").write_text(text + "\n")


def feed_files(products: int) -> tuple[Path, Path]:
    """The seller's feed, and the same feed with every tenth row's price and stock changed."""
    DATA.mkdir(parents=True, exist_ok=True)
    first, second = DATA / f"offers-{products}.csv", DATA / f"offers-{products}-changed.csv"
    header = "sku;product-id;product-id-type;price;quantity;condition\n"
    with first.open("w") as a, second.open("w") as b:
        a.write(header)
        b.write(header)
        row = 0
        for k in range(1, products + 1):
            gtin = "29" + str(k).zfill(11)
            for condition in CONDITIONS:
                price = 1000 + (k * 7 + row) % 90000
                line = f"FEED-{k}-{condition};{gtin};EAN;{price // 100},{price % 100:02d};{1 + k % 20};{condition}\n"
                a.write(line)
                if row % 10 == 0:
                    price += 100
                    line = f"FEED-{k}-{condition};{gtin};EAN;{price // 100},{price % 100:02d};{2 + k % 20};{condition}\n"
                b.write(line)
                row += 1
    return first, second


def passes(url: str, first: Path, second: Path, offers: int) -> tuple[dict, dict]:
    env = {**os.environ, **api_env(url), "IMPORT_STORAGE_DIR": str(DATA / "imports"),
           "IMPORT_MAX_BYTES": str(2_000_000_000)}
    one = run_import(first, "NORMAL", env)
    check_listing(url, offers)
    two = run_import(second, "REPLACE", env)
    return one, two


def run_import(path: Path, mode: str, env: dict) -> dict:
    """``flask import offers`` in a child process: its wall time, its peak memory, its counts."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", "import", "offers", str(path), "--seller", MAIN_SELLER,
         "--mode", mode],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"flask import offers failed:\n{done.stdout}\n{done.stderr}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return {"seconds": seconds, "mb": peak_kb / 1024, **counts(env["DATABASE_URL"])}


def counts(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT created_count, updated_count, deactivated_count, refused_count FROM data_import "
            "ORDER BY id DESC LIMIT 1")).one()
    engine.dispose()
    return dict(zip(("created", "updated", "deactivated", "refused"), row, strict=True))


def check_listing(url: str, offers: int) -> None:
    """The shop shows what was imported: every offer on sale, and every product's listing row
    counts the seller's offers (the listing refreshed inside the import, not by a later job)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        on_sale = conn.scalar(text(
            "SELECT count(*) FROM offer o JOIN seller s ON s.id = o.seller_id "
            "WHERE s.code = :code AND o.sku LIKE 'FEED-%' AND o.state = 'ACTIVE'"), {"code": MAIN_SELLER})
        stale = conn.scalar(text(
            "SELECT count(*) FROM product p WHERE p.gtin LIKE '29%' AND EXISTS (SELECT 1 FROM offer o "
            "WHERE o.product_id = p.id AND o.sku LIKE 'FEED-%') AND NOT EXISTS (SELECT 1 FROM product_listing l "
            "WHERE l.product_id = p.id)"))
    engine.dispose()
    if on_sale != offers or stale:
        raise SystemExit(f"the shop does not follow the import: {on_sale:,} offers on sale of {offers:,}, "
                         f"{stale:,} products without a listing row")


if __name__ == "__main__":
    main()
