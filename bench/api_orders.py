"""Orders API benchmark (issue 12): one order and the waiting orders, on 1,000,000 seller orders.

    make bench-api-orders                                   # 1,000,000 seller orders, PostgreSQL
    .venv/bin/python bench/api_orders.py --seconds 5 --rounds 1   # a quicker run

Builds a dedicated PostgreSQL database once (``--database-url``, default bench_api): the
migrations, the demo shop's sellers and offers, then the orders written set-based by SQL (a
minute, not an hour of checkouts). The database's comment marks it as built, so later runs
reuse it (``--rebuild`` starts over). The orders: 800,000 customer orders over about two years,
each with a seller order, a quarter of them with a second one; 80 % of the seller orders are
maison-electro's, whose API client loads the server; one to three lines each; a shipment once
accepted; WAITING_ACCEPTANCE only among the last two weeks' orders (about 1 % of all), as an
acceptance deadline of days allows.

Serves the shop with gunicorn as the Procfile does (production settings, Redis for the rate
limit) and the bare Flask endpoint beside it, and loads them in turn from wrk, 32 connections on
loopback, ``--rounds`` times (bare, one order, the list): the median of each is compared with
the bare endpoint's of the same run, so that a busy moment of the shared machine moves both.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, VENV_BIN, cpu_seconds, gunicorn, wrk  # noqa: E402

DATA = ROOT / "bench" / ".data" / "api"
MAIN_SELLER = "maison-electro"
# Bump when the generated data changes: a database built by another version is rebuilt.
MARKER = "storefront bench api: {orders} seller orders, v1"
TARGET_SHARE, TARGET_P99 = 0.5, 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="seller orders")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs of each endpoint, interleaved")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (Procfile: WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (Procfile: WEB_THREADS)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build it again")
    args = parser.parse_args()

    env = api_env(args.database_url)
    full_env = {**os.environ, **env}
    prepare_database(args.database_url, args.orders, full_env, rebuild=args.rebuild)
    client_id, secret = api_client(full_env, "orders:read")
    numbers = DATA / "order-numbers.txt"
    numbers.write_text("\n".join(sample_numbers(args.database_url, 10_000)) + "\n")
    script = ROOT / "bench" / "orders.lua"

    with gunicorn("bare_app:app", {}, cwd=ROOT / "bench", workers=args.workers, threads=args.threads) as bare_base, \
            gunicorn("app:app", env, workers=args.workers, threads=args.threads, log=DATA / "gunicorn.log") as base:
        auth = {"Authorization": f"Bearer {access_token(base, client_id, secret)}"}
        first = numbers.read_text().split()[0]
        loads = {
            "bare Flask endpoint": dict(url=bare_base + "/"),
            "GET /api/v1/orders/{id}": dict(url=f"{base}/api/v1/orders/{first}", headers=auth,
                                            script=script, script_env={"BENCH_IDS": str(numbers)}),
            "GET /api/v1/orders?state=WAITING_ACCEPTANCE": dict(
                url=f"{base}/api/v1/orders?state=WAITING_ACCEPTANCE", headers=auth),
        }
        servers = {label: f":{urlsplit(load['url']).port}" for label, load in loads.items()}
        runs: dict[str, list[dict]] = {label: [] for label in loads}
        for _ in range(args.rounds):
            for label, load in loads.items():
                runs[label].append(measured(servers[label], args, load))

    print(report(args, runs))


def measured(server: str, args, load: dict) -> dict:
    """One wrk run, with the CPU it cost the web server and PostgreSQL per request (ms): what
    the ratio to the bare endpoint comes from, on a machine whose throughput moves."""
    database = f" {urlsplit(args.database_url).path.lstrip('/')} "  # its backends only, not other users'
    before = cpu_seconds("gunicorn", server), cpu_seconds("postgres:", database)
    result = wrk(connections=args.connections, seconds=args.seconds, **load)
    after = cpu_seconds("gunicorn", server), cpu_seconds("postgres:", database)
    requests = max(result["rps"] * args.seconds, 1)
    result["web_ms"] = (after[0] - before[0]) * 1000 / requests
    result["db_ms"] = (after[1] - before[1]) * 1000 / requests
    return result


def api_env(database_url: str) -> dict:
    DATA.mkdir(parents=True, exist_ok=True)
    key = DATA / "api_signing_key.pem"
    if not key.exists():
        subprocess.run(
            "openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out " + str(key),
            shell=True, check=True,
        )
    return {
        "STOREFRONT_ENV": "production", "PAYMENT_PROVIDER": "sandbox", "STOREFRONT_INSTANCE": str(DATA),
        "SECRET_KEY": "bench-" + "x" * 40, "MAIL_URL": "smtp://127.0.0.1:9",
        "DATABASE_URL": database_url, "PUBLIC_URL": "http://127.0.0.1",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "API_SIGNING_KEYS": str(key),
        # The per-client limit is counted (one Redis round trip a request, as in production)
        # but set high enough never to answer 429 to the load.
        "API_RATE_LIMIT": "100000000 per minute",
    }


# -- the database ------------------------------------------------------------------------------------


def flask(args: list[str], env: dict) -> str:
    """``flask --app app …`` in the worktree; its output, shown only if it fails."""
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "app", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return url.replace(parts.path, "/postgres"), parts.path.lstrip("/")


def prepare_database(url: str, orders: int, env: dict, *, rebuild: bool) -> None:
    """The database with ``orders`` seller orders, built unless the marker says it is there;
    the migrations run every time (a new index is then measured on the same rows)."""
    import psycopg

    admin, name = admin_url(url)
    marker = MARKER.format(orders=orders)
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found and found[0] == marker and not rebuild:
            print(f"Reusing {name} ({marker}).")
            built = True
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            built = False
    flask(["db", "upgrade", "heads"], env)
    if built:
        return
    flask(["seed-demo", "--products", "1000"], env)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in generate_orders_sql(orders):
            conn.execute(statement)
        conn.execute("VACUUM ANALYZE")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    print(f"Generated {orders:,} seller orders in {time.perf_counter() - started:.0f} s.")


def generate_orders_sql(orders: int) -> list[str]:
    """Set-based inserts: customer orders, seller orders, shipments, lines, with ids after the
    demo's own rows. Seller order n (1..orders) belongs to customer order n for the first 80 %
    (maison-electro's for three in four, another seller's otherwise); the last 20 % are
    maison-electro's second seller orders of the customer orders whose first one is another's."""
    customers = orders * 4 // 5
    return [
        "SET work_mem = '256MB'",
        # Offers to sell, numbered per seller.
        """CREATE TEMP TABLE bench_offer AS
           SELECT o.seller_id, o.id AS offer_id, o.product_id, o.sku, o.price, p.title,
                  row_number() OVER (PARTITION BY o.seller_id ORDER BY o.id) - 1 AS rn
           FROM offer o JOIN product p ON p.id = o.product_id""",
        "CREATE INDEX ON bench_offer (seller_id, rn)",
        f"""CREATE TEMP TABLE bench_seller AS
            SELECT (SELECT id FROM seller WHERE code = '{MAIN_SELLER}') AS main,
                   array_agg(id ORDER BY id) AS others
            FROM seller WHERE code <> '{MAIN_SELLER}' AND id IN (SELECT seller_id FROM bench_offer)""",
        # One row per seller order: its customer order, seller, state, moment.
        f"""CREATE TEMP TABLE bench_so AS
            SELECT n, k, suffix, seller_id, created_at,
              CASE WHEN k > {customers} - 16000 THEN  -- the last two weeks
                CASE WHEN h < 50 THEN 'WAITING_ACCEPTANCE' WHEN h < 85 THEN 'SHIPPING'
                     WHEN h < 95 THEN 'SHIPPED' ELSE 'REFUSED' END
              ELSE
                CASE WHEN h < 75 THEN 'CLOSED' WHEN h < 85 THEN 'RECEIVED' WHEN h < 88 THEN 'TO_COLLECT'
                     WHEN h < 90 THEN 'SHIPPED' WHEN h < 94 THEN 'REFUSED' ELSE 'CANCELED' END
              END AS state
            FROM (
              SELECT n, k, suffix, seller_id, (n::bigint * 7919) % 100 AS h,
                     now() - ({customers} - k) * interval '75 seconds' AS created_at
              FROM (
                SELECT n,
                       CASE WHEN n <= {customers} THEN n ELSE (n - {customers}) * 4 END AS k,
                       CASE WHEN n <= {customers} THEN 'A' ELSE 'B' END AS suffix,
                       CASE WHEN n > {customers} OR n % 4 <> 0 THEN s.main
                            ELSE s.others[1 + (n / 4) % cardinality(s.others)] END AS seller_id
                FROM generate_series(1, {orders}) AS n, bench_seller s
              ) a
            ) b""",
        # Lines: one to three, from the seller's offers.
        """CREATE TEMP TABLE bench_line AS
           SELECT so.n, so.k, j, bo.offer_id, bo.product_id, bo.sku, bo.title,
                  GREATEST(bo.price, 1) AS unit_price, 1 + (so.n + j) % 2 AS quantity
           FROM bench_so so
           JOIN (SELECT seller_id, count(*) AS offers FROM bench_offer GROUP BY seller_id) c
                ON c.seller_id = so.seller_id
           CROSS JOIN LATERAL generate_series(1, 1 + (so.n % 3 = 0)::int + (so.n % 7 = 0)::int) AS j
           JOIN bench_offer bo ON bo.seller_id = so.seller_id AND bo.rn = (so.n * 31 + j * 17) % c.offers""",
        """CREATE TEMP TABLE bench_base AS SELECT
             (SELECT coalesce(max(id), 0) FROM customer_order) AS co,
             (SELECT coalesce(max(id), 0) FROM seller_order) AS so,
             (SELECT coalesce(max(id), 0) FROM shipment) AS sh,
             (SELECT coalesce(max(id), 0) FROM order_line) AS ol""",
        f"""INSERT INTO customer_order (id, number, email, locale, currency, subtotal, shipping_total, total,
              payment_method, payment_code, payment_reference, ship_name, ship_line1, ship_line2,
              ship_postal_code, ship_city, ship_country, ship_phone, created_at)
            SELECT b.co + k, 'BA-' || lpad(k::text, 8, '0'), 'bench' || k || '@example.com', 'fr', 'EUR',
                   t.goods, 499, t.goods + 499, 'card', 'sandbox', 'bench-' || k, 'Client ' || k,
                   k || ' rue de la Paix', '', '75002', 'Paris', 'FR', '0600000000',
                   now() - ({customers} - k) * interval '75 seconds'
            FROM (SELECT k, sum(unit_price * quantity) AS goods FROM bench_line GROUP BY k) t, bench_base b""",
        """INSERT INTO seller_order (id, number, customer_order_id, seller_id, state, acceptance_deadline,
              updated_at, version, created_at)
           SELECT b.so + n, 'BA-' || lpad(k::text, 8, '0') || '-' || suffix, b.co + k, seller_id, state,
                  CASE WHEN state = 'WAITING_ACCEPTANCE' THEN created_at + interval '2 days' END,
                  CASE WHEN state <> 'WAITING_ACCEPTANCE' THEN created_at + interval '1 day' END,
                  1, created_at
           FROM bench_so, bench_base b""",
        """INSERT INTO shipment (id, customer_order_id, shipper_id, mode_id, fee, currency, ship_by,
              promised_min, promised_max, status, shipped_at, delivered_at, created_at)
           SELECT b.sh + n, b.co + k, seller_id, (SELECT min(id) FROM delivery_mode),
                  CASE WHEN suffix = 'A' THEN 499 ELSE 0 END, 'EUR',
                  created_at::date + 2, created_at::date + 3, created_at::date + 5,
                  CASE WHEN state = 'SHIPPING' THEN 'PENDING'
                       WHEN state IN ('SHIPPED', 'TO_COLLECT') THEN 'SHIPPED' ELSE 'DELIVERED' END,
                  CASE WHEN state <> 'SHIPPING' THEN created_at + interval '1 day' END,
                  CASE WHEN state IN ('RECEIVED', 'CLOSED') THEN created_at + interval '3 days' END,
                  created_at
           FROM bench_so, bench_base b
           WHERE state IN ('SHIPPING', 'SHIPPED', 'TO_COLLECT', 'RECEIVED', 'CLOSED')""",
        """INSERT INTO order_line (id, seller_order_id, shipment_id, offer_id, product_id, title, sku,
              unit_price, quantity, quantity_canceled, state, commission_bp)
           SELECT b.ol + row_number() OVER (ORDER BY l.n, l.j), b.so + l.n,
                  CASE WHEN so.state IN ('SHIPPING', 'SHIPPED', 'TO_COLLECT', 'RECEIVED', 'CLOSED')
                       THEN b.sh + l.n END,
                  l.offer_id, l.product_id, l.title, l.sku, l.unit_price, l.quantity,
                  CASE WHEN so.state IN ('REFUSED', 'CANCELED') THEN l.quantity ELSE 0 END,
                  CASE WHEN so.state = 'WAITING_ACCEPTANCE' THEN 'WAITING_ACCEPTANCE'
                       WHEN so.state = 'REFUSED' THEN 'REFUSED' WHEN so.state = 'CANCELED' THEN 'CANCELED'
                       ELSE 'ACCEPTED' END,
                  1200
           FROM bench_line l JOIN bench_so so ON so.n = l.n, bench_base b""",
        "SELECT setval('customer_order_id_seq', (SELECT max(id) FROM customer_order))",
        "SELECT setval('seller_order_id_seq', (SELECT max(id) FROM seller_order))",
        "SELECT setval('shipment_id_seq', (SELECT max(id) FROM shipment))",
        "SELECT setval('order_line_id_seq', (SELECT max(id) FROM order_line))",
    ]


def sample_numbers(url: str, count: int) -> list[str]:
    """``count`` order numbers of the main seller, at random across its orders."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT number FROM seller_order TABLESAMPLE SYSTEM (5)
               WHERE seller_id = (SELECT id FROM seller WHERE code = %s) ORDER BY random() LIMIT %s""",
            [MAIN_SELLER, count],
        ).fetchall()
    return [row[0] for row in rows]


# -- the API client ----------------------------------------------------------------------------------


def api_client(env: dict, scopes: str) -> tuple[str, str]:
    """A fresh OAuth client of the main seller (its secret is only shown when made)."""
    out = flask(["api", "create-client", "--seller", MAIN_SELLER,
                 "--name", f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}", "--scopes", scopes], env)
    found = dict(line.split(": ", 1) for line in out.splitlines() if line.startswith("client_"))
    return found["client_id"], found["client_secret"]


def access_token(base: str, client_id: str, secret: str) -> str:
    """A token from ``POST /oauth/token`` (client credentials, HTTP Basic), as a client gets one."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        base + "/oauth/token", data=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


# -- the report --------------------------------------------------------------------------------------


def report(args, runs: dict[str, list[dict]]) -> str:
    def median(results: list[dict]) -> dict:
        return sorted(results, key=lambda r: r["rps"])[len(results) // 2]

    labels = list(runs)
    bare = median(runs[labels[0]])
    lines = [
        f"Orders API benchmark: {args.orders:,} seller orders, PostgreSQL, {args.connections} connections, "
        f"median of {args.rounds} wrk runs of {args.seconds} s each (endpoints in turn), "
        f"gunicorn {args.workers} workers × {args.threads} threads, {os.cpu_count()} cores",
        "",
        "| endpoint | requests/s | × bare | p50 ms | p99 ms | errors | runs (req/s) | CPU ms/request web + PG "
        "| ≥ 0.5× bare | p99 < 30 ms |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    verdicts = []
    for label in labels:
        result = median(runs[label])
        share = result["rps"] / bare["rps"]
        each = ", ".join(f"{r['rps']:.0f}" for r in runs[label])
        cpu = f"{result['web_ms']:.2f} + {result['db_ms']:.2f}"
        errors = sum(r["errors"] for r in runs[label])
        if label == labels[0]:
            lines.append(f"| {label} | {result['rps']:.0f} | 1.00 | {result['p50']:.1f} | {result['p99']:.1f} "
                         f"| {errors} | {each} | {cpu} | | |")
            continue
        ratio_ok = share >= TARGET_SHARE and errors == 0
        p99_ok = result["p99"] < TARGET_P99 and errors == 0
        verdicts.append((label, ratio_ok, p99_ok))
        lines.append(
            f"| {label} | {result['rps']:.0f} | {share:.2f} | {result['p50']:.1f} | {result['p99']:.1f} "
            f"| {errors} | {each} | {cpu} | {'PASS' if ratio_ok else 'FAIL'} | {'PASS' if p99_ok else 'FAIL'} |"
        )
    lines.append("")
    for label, ratio_ok, p99_ok in verdicts:
        lines.append(f"{'PASS' if ratio_ok else 'FAIL'}: {label} at least {TARGET_SHARE}× the bare endpoint")
        lines.append(f"{'PASS' if p99_ok else 'FAIL'}: {label} p99 under {TARGET_P99:.0f} ms")
    spread = [max(r["rps"] for r in runs[labels[0]]), min(r["rps"] for r in runs[labels[0]])]
    if spread[1] < 0.85 * spread[0]:
        lines.append(f"(the bare endpoint moved from {spread[1]:.0f} to {spread[0]:.0f} req/s between rounds: "
                     "a busy machine; run again)")
    load = os.getloadavg()
    lines.append(f"Load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.")
    text = "\n".join(lines)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "api_orders.md").write_text(text + "\n")
    return "\n" + text


if __name__ == "__main__":
    main()
