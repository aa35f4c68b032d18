"""Bulk offer benchmark (issue 12): 100,000 offers upserted through ``POST /api/v1/offers/bulk``.

    make bench-api-bulk                                  # PostgreSQL, 100,000 offers
    .venv/bin/python bench/api_bulk_offers.py --offers 20000 --sqlite   # a quicker run, SQLite too

A seller's client takes a token from ``POST /oauth/token`` and sends its catalogue in batches of
1,000 lines over HTTP to gunicorn (as the Procfile serves it), one batch after the other as an
import job would: first every offer new (created), then the same SKUs again with new prices and
stock (updated). The products are made once, set-based, in a template database
(``bench_api_bulk_base``, marked by its comment); each run copies it, so each run starts with
no offer of the seller's. Reports the time and offers/s of each pass with the target (under
60 s for 100,000).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_orders import DATA, access_token, admin_url, api_client, api_env, flask  # noqa: E402
from common import ROOT, gunicorn  # noqa: E402

MARKER = "storefront bench api bulk: {products} products, v1"
BATCH = 1000
TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_api_bulk")
    parser.add_argument("--sqlite", action="store_true", help="also on SQLite (a copy made the same way)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--create-only", action="store_true", help="skip the second pass (updates)")
    args = parser.parse_args()

    rows = []
    rows += run("PostgreSQL", fresh_postgres(args.database_url, args.offers), args)
    if args.sqlite:
        rows += run("SQLite", fresh_sqlite(args.offers), args)

    target = TARGET_SECONDS * args.offers / 100_000
    lines = [
        f"Bulk offer benchmark: {args.offers:,} offers in batches of {BATCH:,}, one client, one batch at a "
        f"time, over HTTP to gunicorn {args.workers} workers × {args.threads} threads, {os.cpu_count()} cores",
        "",
        "| database | pass | seconds | offers/s | applied | refused | slowest batch s | under 60 s per 100,000 |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for database, label, result in rows:
        ok = result["seconds"] < target and result["refused"] == 0
        verdicts.append((database, label, ok, result["seconds"]))
        lines.append(
            f"| {database} | {label} | {result['seconds']:.1f} | {args.offers / result['seconds']:.0f} "
            f"| {result['applied']:,} | {result['refused']:,} | {result['slowest']:.2f} | {'PASS' if ok else 'FAIL'} |"
        )
    lines.append("")
    for database, label, ok, seconds in verdicts:
        lines.append(f"{'PASS' if ok else 'FAIL'}: {database}, {label}: {args.offers:,} offers in {seconds:.1f} s "
                     f"(target under {target:.0f} s)")
    load = os.getloadavg()
    lines.append(f"Load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.")
    text = "\n".join(lines)
    print("\n" + text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "api_bulk_offers.md").write_text(text + "\n")


def run(database: str, url: str, args) -> list[tuple[str, str, dict]]:
    env = api_env(url)
    client_id, secret = api_client({**os.environ, **env}, "catalog:write")
    product_ids = first_products(url, args.offers)
    with gunicorn("app:app", env, workers=args.workers, threads=args.threads, log=DATA / "gunicorn.log") as base:
        token = access_token(base, client_id, secret)
        passes = [(database, "create", upsert(base, token, product_ids, price_base=1000))]
        if not args.create_only:
            passes.append((database, "update", upsert(base, token, product_ids, price_base=1100)))
    return passes


def upsert(base: str, token: str, product_ids: list[int], *, price_base: int) -> dict:
    """Every offer, a batch at a time; the time of the whole and of the slowest batch."""
    applied = refused = 0
    slowest = 0.0
    started = time.perf_counter()
    for start in range(0, len(product_ids), BATCH):
        offers = [
            {"sku": f"BULK-{pid}", "product_id": pid, "price": price_base + pid % 5000, "stock": 1 + pid % 20}
            for pid in product_ids[start:start + BATCH]
        ]
        request = urllib.request.Request(
            base + "/api/v1/offers/bulk", data=json.dumps({"offers": offers}).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        batch_started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.load(response)
        slowest = max(slowest, time.perf_counter() - batch_started)
        applied += answer["applied"]
        refused += answer["refused"]
    return {"seconds": time.perf_counter() - started, "applied": applied, "refused": refused, "slowest": slowest}


# -- the databases -----------------------------------------------------------------------------------


def products_sql(count: int, sqlite: bool = False) -> str:
    """``count`` products no seller sells yet, in a leaf category, GTINs apart from the demo's."""
    series = (f"(WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < {count}) SELECT k FROM s)"
              if sqlite else f"generate_series(1, {count}) AS k")
    padded = "substr('00000000000' || k, -11, 11)" if sqlite else "lpad(k::text, 11, '0')"
    return f"""INSERT INTO product (gtin, title, slug, category_id, description, weight_grams, highlighted,
              created_at, search_text)
            SELECT '29' || {padded}, 'Produit de test ' || k, 'produit-de-test-' || k,
                   (SELECT id FROM category WHERE kind = 'STANDARD' ORDER BY level DESC, id LIMIT 1),
                   '', 500, false, CURRENT_TIMESTAMP, 'produit de test ' || k
            FROM {series}"""


def build(url: str, env: dict, products: int, execute) -> None:
    flask(["db", "upgrade", "heads"], env)
    flask(["seed-demo", "--products", "200"], env)
    execute(products_sql(products, sqlite=url.startswith("sqlite")))


def fresh_postgres(url: str, products: int) -> str:
    """A copy of the template database (built first if its marker is missing)."""
    import psycopg

    admin, name = admin_url(url)
    base_name = f"{name}_base"
    marker = MARKER.format(products=products)
    base_url = url.rsplit("/", 1)[0] + f"/{base_name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [base_name]
        ).fetchone()
        if not found or found[0] != marker:
            conn.execute(f'DROP DATABASE IF EXISTS "{base_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{base_name}"')
            with psycopg.connect(base_url, autocommit=True) as base:
                build(base_url, {**os.environ, **api_env(base_url)}, products, base.execute)
                base.execute("VACUUM ANALYZE")
            conn.execute(f"COMMENT ON DATABASE \"{base_name}\" IS '{marker}'")
        else:
            # Migrations added since the template was built (e.g. an index) go into it first.
            flask(["db", "upgrade", "heads"], api_env(base_url))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base_name}"')
    return url


def fresh_sqlite(products: int) -> str:
    """A copy of the template file (built first if missing); copied by SQLite's backup, which
    takes what is still in the write-ahead log too."""
    base = DATA / f"bulk-base-{products}.db"
    url = f"sqlite:///{base}"
    if not base.exists():
        partial = DATA / "bulk-base-partial.db"
        partial.unlink(missing_ok=True)
        build(f"sqlite:///{partial}", {**os.environ, **api_env(f"sqlite:///{partial}")}, products,
              lambda statement: _sqlite(partial, statement))
        _copy(partial, base)
        partial.unlink()
    else:
        flask(["db", "upgrade", "heads"], api_env(url))
    copy = DATA / "bulk.db"
    copy.unlink(missing_ok=True)
    _copy(base, copy)
    return f"sqlite:///{copy}"


def _copy(source: Path, target: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _sqlite(path: Path, statement: str) -> None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute(statement)


def first_products(url: str, count: int) -> list[int]:
    """The ids of the bench's products (no offer yet), ``count`` of them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(
            text("SELECT id FROM product WHERE gtin LIKE '29%' ORDER BY id LIMIT :n"), {"n": count})]
    engine.dispose()
    if len(ids) < count:
        raise SystemExit(f"only {len(ids)} bench products in {url}")
    return ids


if __name__ == "__main__":
    main()
