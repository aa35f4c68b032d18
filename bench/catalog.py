"""Catalog benchmark (issue 3): product, category and search pages against a bare Flask endpoint.

    make bench-catalog                      # 100,000 products / ~500,000 offers, SQLite
    .venv/bin/python bench/catalog.py --products 20000 --seconds 5   # a quicker run

Seeds a dedicated database once (bench/.data/), serves the shop with gunicorn as the Procfile
does (production settings), loads each page from wrk with 32 connections, and prints requests/s
and p50/p99 latency next to the bare endpoint's, with the issue's targets. Not part of the tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, VENV_BIN, cold_ms, gunicorn, session_cookie, wrk_median  # noqa: E402

DATA = ROOT / "bench" / ".data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run; three runs a page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", default="", help="default: SQLite under bench/.data/")
    args = parser.parse_args()

    instance = DATA / f"catalog-{args.products}"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        "STOREFRONT_ENV": "production", "PAYMENT_PROVIDER": "sandbox",
        "STOREFRONT_INSTANCE": str(instance),
        "SECRET_KEY": "bench-" + "x" * 40,
        "MAIL_URL": "smtp://127.0.0.1:2525",
        "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'shop.db'}",
    }
    flask = [str(VENV_BIN / "flask"), "--app", "app"]
    full_env = {**os.environ, **env}
    subprocess.run([*flask, "db", "upgrade", "heads"], cwd=ROOT, env=full_env, check=True)
    subprocess.run([*flask, "seed-demo", "--products", str(args.products)], cwd=ROOT, env=full_env, check=True)
    urls = pick_urls(full_env)

    rows = []
    with gunicorn("bare_app:app", {}, cwd=ROOT / "bench") as base:
        bare = wrk_median(base + "/", connections=args.connections, seconds=args.seconds)
    rows.append(("bare Flask endpoint", bare, None))
    with gunicorn("app:app", env) as base:
        cookie = session_cookie(base + urls[0][1])
        for label, path, share, p99 in urls:
            result = wrk_median(base + path, connections=args.connections, seconds=args.seconds, cookie=cookie)
            result["cold"] = cold_ms(base + path)
            rows.append((label, result, (share, p99)))

    lines = [
        f"Catalog benchmark: {args.products:,} products, {args.connections} connections, "
        f"median of 3 wrk runs of {args.seconds} s per page, gunicorn 2 workers × 4 threads, "
        f"{env['DATABASE_URL'].split(':')[0]}",
        "",
        "| page | requests/s | % of bare | p50 ms | p99 ms | target | met | uncached render ms |",
        "|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for label, result, target in rows:
        share = 100 * result["rps"] / bare["rps"]
        if target is None:
            lines.append(f"| {label} | {result['rps']:.0f} | 100 | {result['p50']:.1f} | {result['p99']:.1f} | ceiling | | |")
            continue
        want_share, want_p99 = target
        met = share >= want_share and result["p99"] <= want_p99 and result["errors"] == 0
        lines.append(
            f"| {label} | {result['rps']:.0f} | {share:.0f} | {result['p50']:.1f} | {result['p99']:.1f} "
            f"| ≥ {want_share} %, p99 < {want_p99} ms | {'yes' if met else 'NO'} | {result['cold']:.0f} |"
        )
    lines += [
        "",
        "Pages are served from the page cache (storefront/page_cache.py, 60 s) once warm, as they",
        "are for anonymous shoppers in production; the last column is a page rendered from scratch.",
        "Each connection sends the session cookie a browser holds after its first page.",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "catalog.md").write_text(report + "\n")


def pick_urls(env: dict) -> list[tuple[str, str, int, int]]:
    """A product with many offers, a top-level category with two facets, a common search."""
    script = """
from sqlalchemy import func, select
from storefront import create_app
from storefront.extensions import db
from storefront.marketplace import listing, reference, delivery
from storefront.marketplace.models import Offer, Product, Category
app = create_app()
with app.app_context():
    s = db.session
    pid = s.execute(select(Offer.product_id, func.count()).group_by(Offer.product_id)
                    .order_by(func.count().desc(), Offer.product_id).limit(1)).first()[0]
    product = s.get(Product, pid)
    root = s.scalars(select(Category).where(Category.level == 1, Category.kind == "STANDARD").order_by(Category.position)).first()
    result = listing.browse(s, root, delivery.zone_for(s, "FR", "75001"))
    brand = next(f for f in result.facets if f.code == "brand").values[0].code
    other = next((f for f in result.facets if f.kind == "list" and f.code not in ("brand",) and f.values), None)
    extra = f"&{other.code}={other.values[0].code}" if other else "&shipped_by_retailer=1"
    print(f"/p/{product.id}/{product.slug}")
    print(f"/c/{root.id}/{root.slug}?brand={brand}{extra}")
"""
    out = subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split()
    return [
        ("product page", out[0], 40, 60),
        ("category, two facets", out[1], 20, 150),
        ("search “lave linge”", "/recherche?q=lave+linge", 20, 150),
    ]


if __name__ == "__main__":
    main()
