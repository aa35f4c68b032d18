"""``flask seed-demo``: fill the database with a shop a person can explore.

    flask --app app seed-demo                    # 500 products, about 2,500 offers
    flask --app app seed-demo --products 100000  # a large catalog for benchmarks

Idempotent: reference data is created only where missing and products are numbered, so a
second run with the same ``--products`` changes nothing, and a larger number adds the missing
products. The same ``--seed`` always makes the same shop.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from storefront import clock
from storefront.extensions import db
from storefront.marketplace.models import (
    Brand,
    Carrier,
    Category,
    CommissionRate,
    CustomerOrder,
    DeliveryMode,
    DiscussionTopic,
    Offer,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductListing,
    ReasonCode,
    Seller,
    ShippingRate,
    User,
    Zone,
)

from .bulk import CatalogReport, write_catalog
from .catalog import CatalogGenerator
from .events import ensure_events
from .shop import DEMO_ACCOUNTS, ensure_shop

__all__ = ["DEMO_ACCOUNTS", "seed_demo"]

DEFAULT_PRODUCTS = 500
DEFAULT_SEED = 2026

SUMMARY = (
    ("sellers", Seller),
    ("categories", Category),
    ("brands", Brand),
    ("products", Product),
    ("product images", ProductImage),
    ("attribute values", ProductAttributeValue),
    ("offers", Offer),
    ("listing rows", ProductListing),
    ("delivery modes", DeliveryMode),
    ("zones", Zone),
    ("shipping rates", ShippingRate),
    ("carriers", Carrier),
    ("reason codes", ReasonCode),
    ("discussion topics", DiscussionTopic),
    ("commission rates", CommissionRate),
    ("accounts", User),
    ("customer orders", CustomerOrder),
)


def _ensure_history(app) -> None:
    """Orders, a parcel, a refund and conversations of the demo accounts, placed through the
    shop's services (the theme check's scenario), so that "My orders", the seller portal and the
    back office have something to show. Only once: nothing is added when the demo customer has
    orders already."""
    from storefront.marketplace.errors import DomainError

    from .scenario import DemoScenario

    customer = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[0].email))
    if customer is None or db.session.scalar(
        select(CustomerOrder.id).where(CustomerOrder.customer_id == customer.id).limit(1)
    ):
        return
    with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        scenario = DemoScenario.find(app)
        if scenario is None:
            return
        scenario.reference = "demo"
        for label, step in scenario.history_steps():
            try:
                step()
            except (DomainError, LookupError) as error:
                db.session.rollback()
                click.echo(f"  (skipped {label}: {error})")
    click.echo(f"Demo orders: {len(scenario.order_ids)} placed for {customer.email}.")


@click.command("seed-demo")
@click.option(
    "--products", default=DEFAULT_PRODUCTS, show_default=True, type=click.IntRange(1, 10_000_000),
    help="Number of demo products (about 5 offers each).",
)
@click.option(
    "--seed", default=DEFAULT_SEED, show_default=True, type=int,
    help="Random seed: the same seed always makes the same shop.",
)
@with_appcontext
def seed_demo(products: int, seed: int) -> None:
    """Fill the database with a demo shop: sellers, categories, products, offers, delivery."""
    session = db.session
    started = time.perf_counter()

    ids = ensure_shop(session, seed=seed)
    reference_done = time.perf_counter()
    click.echo(f"Reference data ready ({reference_done - started:.1f} s).")

    def progress(report: CatalogReport) -> None:
        done = report.existing + report.created
        if len(report.batches) % 10 == 0 or done >= products:
            click.echo(f"  {done:,} / {products:,} products, {report.offers:,} new offers")

    generator = CatalogGenerator(ids, seed)
    report = write_catalog(
        session, generator, products, now=clock.now(), progress=progress
    )
    finished = time.perf_counter()
    ensure_events(session, clock.now())
    _ensure_history(current_app)

    if report.created:
        click.echo(
            f"Catalog: {report.created:,} products and {report.offers:,} offers created in "
            f"{finished - reference_done:.1f} s (generating {report.seconds_generating:.1f} s, "
            f"writing {report.seconds_writing:.1f} s, of which listings "
            f"{report.seconds_listing:.1f} s)."
        )
    else:
        click.echo(
            f"Catalog: the {report.existing:,} demo products are already there; nothing to add."
        )

    click.echo("\nThe shop now holds:")
    for label, model in SUMMARY:
        count = session.scalar(select(func.count()).select_from(model))
        click.echo(f"  {label:<18} {count:>10,}")
    click.echo(f"\nDone in {time.perf_counter() - started:.1f} s.")

    click.echo("\nDemo accounts (email / password):")
    for account in DEMO_ACCOUNTS:
        seller = f" for {account.seller_code}" if account.seller_code else ""
        staff = f" ({account.staff_role.value.lower()})" if account.staff_role else ""
        click.echo(f"  {account.role.value.lower():<9} {account.email} / {account.password}{seller}{staff}")
