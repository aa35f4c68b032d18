"""Checkout benchmark (issue 4): concurrent shoppers place orders through the full form flow.

    make bench-checkout                                  # 2,000 orders, 32 shoppers, PostgreSQL
    .venv/bin/python bench/checkout.py --orders 500      # a quicker run

Each order is what a browser does: product page (CSRF token), add to cart, address, delivery,
payment with the sandbox card, review (idempotency key and total), place order. The load comes
from other processes on loopback against gunicorn as in production, on a PostgreSQL database
(DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/storefront_bench, recreated), with
the offers' stock limited so that shoppers compete for the last units: ``--orders`` units are on
sale, and a quarter more shoppers come than there are units, so the last ones find sold-out
offers. Reports orders per second, p50/p99 of "Place order", oversold units (must be 0), outbox
emails (must equal orders) and the CPU each order cost the web server, PostgreSQL and the load.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from multiprocessing.pool import ThreadPool
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, VENV_BIN, cpu_seconds, gunicorn  # noqa: E402

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
HIDDEN = re.compile(r'name="(idempotency_key|expected_total)" value="([^"]*)"')


class Counter:
    value = 0


class Browser:
    """One shopper: a keep-alive connection and a cookie jar."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers.get("Location", ""), text


def shopper(args) -> list[tuple[str, float]]:
    """Place orders until the shared counter runs out; returns (outcome, place-order seconds)."""
    base, products, (retailer, modes), counter, lock, total = args
    results = []
    while True:
        with lock:
            if counter.value >= total:
                return results
            counter.value += 1
            n = counter.value
        path, offer_id = products[n % len(products)]
        browser = Browser(base)
        status, _, page = browser.request("GET", path)
        token = TOKEN.search(page).group(1)
        browser.request("POST", "/panier/ajouter", {"csrf_token": token, "offer_id": offer_id, "quantity": 1})
        address = {"csrf_token": token, "email": f"bench{n}@example.com", "name": f"Client {n}",
                   "line1": "1 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"}
        browser.request("POST", "/commande/adresse", address)
        # The delivery form as the page sends it: the shipment's mode, standard or express in turn.
        browser.request("POST", "/commande/livraison", {"csrf_token": token, "next": "payment",
                        f"mode-{retailer}": modes[n % len(modes)]})
        browser.request("POST", "/commande/paiement", {"csrf_token": token, "holder": "Client Bench",
                        "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"})
        status, _, review = browser.request("GET", "/commande/recapitulatif")
        hidden = dict(HIDDEN.findall(review))
        if "idempotency_key" not in hidden:
            results.append(("no-review", 0.0))  # the cart emptied: the offer sold out meanwhile
            continue
        started = time.perf_counter()
        status, location, _ = browser.request("POST", "/commande/valider", {"csrf_token": token, **hidden})
        elapsed = time.perf_counter() - started
        placed = status in (302, 303) and ("/confirmation/" in location or "/suivi/" in location)
        results.append(("placed" if placed else f"refused-{status}", elapsed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000, help="units on sale: the orders to place")
    parser.add_argument("--shoppers", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (Procfile: WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (Procfile: WEB_THREADS)")
    parser.add_argument("--stock", type=int, default=40, help="units per offer on sale")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/storefront_bench")
    args = parser.parse_args()

    instance = ROOT / "bench" / ".data" / "checkout"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        "STOREFRONT_ENV": "production", "PAYMENT_PROVIDER": "sandbox", "STOREFRONT_INSTANCE": str(instance),
        "SECRET_KEY": "bench-" + "x" * 40, "MAIL_URL": "smtp://127.0.0.1:9",
        "DATABASE_URL": args.database_url, "PUBLIC_URL": "http://127.0.0.1",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
    full_env = {**os.environ, **env}
    recreate(args.database_url)
    flask = [str(VENV_BIN / "flask"), "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=full_env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=full_env, check=True, stdout=subprocess.DEVNULL)
    products, units, delivery = prepare(full_env, args.stock, args.orders)
    attempts = sum(units.values()) * 5 // 4

    with gunicorn("app:app", env, workers=args.workers, threads=args.threads) as base:
        counter, lock = Counter(), threading.Lock()
        port = urlsplit(base).port
        cpu_before = (cpu_seconds("gunicorn", f":{port}"), cpu_seconds("postgres"), time.process_time())
        started = time.perf_counter()
        # Threads: the shoppers wait on the server most of the time, and one light process
        # leaves the two cores to gunicorn.
        with ThreadPool(args.shoppers) as pool:
            batches = pool.map(shopper, [(base, products, delivery, counter, lock, attempts)] * args.shoppers)
        seconds = time.perf_counter() - started
        cpu_after = (cpu_seconds("gunicorn", f":{port}"), cpu_seconds("postgres"), time.process_time())
    outcomes = [o for batch in batches for o in batch]
    placed = [t for outcome, t in outcomes if outcome == "placed"]
    checks = verify(full_env, units)
    p99 = statistics.quantiles(placed, n=100)[98] * 1000 if len(placed) > 100 else max(placed) * 1000
    web, database, client = (
        (after - before) * 1000 / max(checks["orders"], 1) for before, after in zip(cpu_before, cpu_after, strict=True)
    )
    lines = [
        f"Checkout benchmark: {attempts:,} shoppers for {sum(units.values()):,} units on sale, {args.shoppers} concurrent, PostgreSQL, "
        f"gunicorn {args.workers} workers × {args.threads} threads, {len(products)} offers with {args.stock} units each",
        "",
        "| orders placed | orders/s | p50 place order ms | p99 place order ms | refused (sold out) | oversold units | outbox emails |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {checks['orders']:,} | {checks['orders'] / seconds:.1f} | {statistics.median(placed) * 1000:.0f} | {p99:.0f} "
        f"| {len(outcomes) - len(placed)} | {checks['oversold']} | {checks['emails']:,} |",
        "",
        f"CPU per order placed: web {web:.1f} ms, PostgreSQL {database:.1f} ms, load client {client:.1f} ms "
        f"(attempts that found the offer sold out included); {seconds:.1f} s of load on {os.cpu_count()} cores.",
        "",
        f"Target: at least 100 orders/s; oversold units 0; emails = orders ({checks['orders']:,}).",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "checkout.md").write_text(report + "\n")


def recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.replace(parts.path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict, stock: int, orders: int):
    """Put ``stock`` units on enough 1P offers for ``orders`` orders of one unit; returns the product paths with their offer ids, the units on sale, and the
    retailer's id with two of its delivery modes to Paris (the delivery form's field and
    values)."""
    count = max(1, -(-orders // stock))
    script = f"""
from sqlalchemy import select, update
from storefront import create_app
from storefront.extensions import db
from storefront.marketplace import delivery, listing
from storefront.marketplace.models import Offer, Product, Seller
app = create_app()
with app.app_context():
    s = db.session
    rows = s.execute(select(Offer.id, Product.id, Product.slug).join(Product, Product.id == Offer.product_id)
        .join(Seller, Seller.id == Offer.seller_id).where(Seller.is_operator.is_(True), Offer.state == "ACTIVE",
        Product.weight_grams < 30000).order_by(Offer.id).limit({count})).all()
    s.execute(update(Offer).where(Offer.id.in_([r[0] for r in rows])).values(stock={stock}, max_per_order=10))
    s.commit()
    for offer_id, pid, slug in rows:
        print(offer_id, f"/p/{{pid}}/{{slug}}")
    retailer = s.scalar(select(Seller.id).where(Seller.is_operator.is_(True)))
    zone = delivery.zone_for(s, "FR", "75002")
    codes = [r.mode.code for r in delivery.rates_for(s, [retailer], zone)[retailer] if r.mode.min_weight_grams == 0]
    print("retailer", retailer, *codes[:2])
"""
    out = subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    lines = [line.split() for line in out.splitlines()]
    retailer = next(line for line in lines if line[0] == "retailer")
    products = [(path, int(offer)) for offer, path in (line for line in lines if line[0] != "retailer")]
    return products, {offer: stock for _, offer in products}, (int(retailer[1]), retailer[2:])


def verify(env: dict, units: dict[int, int]) -> dict:
    script = f"""
from sqlalchemy import func, select
from storefront import create_app
from storefront.extensions import db
from storefront.marketplace.models import CustomerOrder, Offer, OrderLine, SellerOrder
from storefront.marketplace.models.outbox import OutboxMessage
app = create_app()
units = {units!r}
with app.app_context():
    s = db.session
    sold = dict(s.execute(select(OrderLine.offer_id, func.sum(OrderLine.quantity))
        .join(SellerOrder, SellerOrder.id == OrderLine.seller_order_id)
        .join(CustomerOrder, CustomerOrder.id == SellerOrder.customer_order_id)
        .where(CustomerOrder.email.like("bench%@example.com")).group_by(OrderLine.offer_id)).all())
    stock = dict(s.execute(select(Offer.id, Offer.stock).where(Offer.id.in_(list(units)))).all())
    oversold = sum(max(0, sold.get(o, 0) - units[o]) for o in units) + sum(1 for o in units if stock[o] < 0)
    mismatch = sum(1 for o in units if stock[o] != units[o] - sold.get(o, 0))
    # The bench's shoppers only (seed-demo places orders of the demo customer too).
    orders = s.scalar(select(func.count(CustomerOrder.id)).where(CustomerOrder.email.like("bench%@example.com")))
    emails = s.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "order_confirmation", OutboxMessage.to_address.like("bench%@example.com")))
    print(orders, oversold + mismatch, emails)
"""
    out = subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split()
    return {"orders": int(out[0]), "oversold": int(out[1]), "emails": int(out[2])}


if __name__ == "__main__":
    main()
