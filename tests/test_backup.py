"""``flask backup``: taken while orders are being placed, a backup restores to a shop that serves,
holding the orders committed when it was taken, each of them whole (its seller orders, lines and
shipments, and the stock they took).

Each test builds a shop on a database of its own (a SQLite file; on PostgreSQL runs also a
database beside ``TEST_DATABASE_URL``'s), so that SQLite is tested on every run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from storefront import PROJECT_ROOT, create_app
from storefront.backup import BackupError, backup
from storefront.extensions import db
from storefront.marketplace.models import CustomerOrder, Offer, User
from storefront.settings import database_url
from tests.conftest import (
    POSTGRES,
    RequestIsolatingClient,
    _empty_tables,
    make_test_environ,
    postgres_scratch_database,
)
from tests.order_fixtures import Visitor, build_people, place

STOCK = 100_000


# --- databases of the test's own -----------------------------------------------------------------


@contextmanager
def shop_app(tmp_path_factory, url: str, *, migrate: bool):
    app = create_app(make_test_environ(tmp_path_factory, DATABASE_URL=url), WTF_CSRF_ENABLED=True)
    app.test_client_class = RequestIsolatingClient
    try:
        if migrate:
            with app.app_context():
                upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="heads")
                # The migrations insert the reference rows; build_people writes its own, as in
                # every other test.
                _empty_tables()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- placing orders while the backup runs --------------------------------------------------------


@dataclass
class Shop:
    customer_id: int
    customer_email: str
    offer_ids: list[int]


def build_shop(app) -> Shop:
    with app.app_context():
        people = build_people(db.session)
        offers = [people.shop.offers["first_party"], people.shop.offers["alpha"]]
        for offer in offers:
            offer.stock = STOCK
        db.session.commit()
        return Shop(people.customer.id, people.customer.email, [offer.id for offer in offers])


class OrderStream(threading.Thread):
    """Places orders (the retailer's washer and Alpha's dryer: two seller orders, two shipments)
    through the checkout service, one after the other, until stopped; ``committed`` counts those
    whose transaction has committed."""

    def __init__(self, app, shop: Shop):
        super().__init__()
        self.app, self.shop = app, shop
        self.committed = 0
        self.error: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            with self.app.app_context():
                session = db.session
                customer = session.get(User, self.shop.customer_id)
                offers = [session.get(Offer, i) for i in self.shop.offer_ids]
                while not self._halt.is_set():
                    place(session, customer, *((offer, 1) for offer in offers))
                    self.committed += 1
                db.session.remove()
        except BaseException as error:  # reported by the test
            self.error = error

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=60)
        assert self.error is None, repr(self.error)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.committed < count:
            assert self.error is None, repr(self.error)
            assert time.monotonic() < deadline, "the orders do not get placed"
            time.sleep(0.02)


def order_count(url: str) -> int:
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(CustomerOrder))
    finally:
        engine.dispose()


def backups_while_ordering(app, shop: Shop, url: str, take_backup, rounds: int = 3):
    """Take ``rounds`` backups while orders keep coming; yields (path, committed before the backup
    started, orders in the database once it was done) for each."""
    stream = OrderStream(app, shop)
    stream.start()
    taken = []
    try:
        for round_ in range(rounds):
            stream.wait_for(stream.committed + 3)  # orders are coming in
            before = stream.committed
            path = take_backup(round_)
            after = order_count(url)
            taken.append((path, before, after))
        stream.wait_for(stream.committed + 2)  # and still after the last backup
    finally:
        stream.stop()
    return taken


# --- what a restored shop must be ----------------------------------------------------------------


def check_restored_shop(restored, shop: Shop, before: int, after: int) -> None:
    with restored.app_context():
        session = db.session
        count = session.scalar(select(func.count()).select_from(CustomerOrder))
        assert before <= count <= after
        assert count >= 3

        def scalar(sql: str) -> int:
            return session.scalar(text(sql))

        # Every order whole: seller orders, each with its lines, each line in a shipment.
        assert scalar(
            "SELECT count(*) FROM customer_order co WHERE (SELECT count(*) FROM seller_order so "
            "WHERE so.customer_order_id = co.id) <> 2"
        ) == 0
        assert scalar(
            "SELECT count(*) FROM seller_order so WHERE NOT EXISTS "
            "(SELECT 1 FROM order_line l WHERE l.seller_order_id = so.id)"
        ) == 0
        assert scalar("SELECT count(*) FROM order_line WHERE shipment_id IS NULL") == 0
        assert scalar("SELECT count(*) FROM shipment") == 2 * count
        # The stock the orders in the backup took, and not one unit more or less.
        for offer_id in shop.offer_ids:
            ordered = session.scalar(
                text("SELECT coalesce(sum(quantity), 0) FROM order_line WHERE offer_id = :id"),
                {"id": offer_id},
            )
            assert session.get(Offer, offer_id).stock + ordered == STOCK
        number = session.scalar(select(CustomerOrder.number).order_by(CustomerOrder.id.desc()))
        customer = session.get(User, shop.customer_id)

    # The restored shop serves: its home page, and the customer's last order in the backup.
    visitor = Visitor(restored.test_client())
    assert visitor.get("/").status_code == 200
    with restored.app_context():
        visitor.log_in(customer)
    page = visitor.page(f"/commande/mes-commandes/{number}")
    assert number in page


# --- the tests -----------------------------------------------------------------------------------


def test_sqlite_backup_while_orders_are_placed_restores_a_consistent_shop(tmp_path, tmp_path_factory):
    source_url = f"sqlite:///{tmp_path / 'shop.db'}"
    with shop_app(tmp_path_factory, source_url, migrate=True) as app:
        shop = build_shop(app)

        def take_backup(round_: int):
            # The command an operator runs, in the shop's own configuration.
            result = app.test_cli_runner().invoke(
                args=["backup", str(tmp_path / f"backup-{round_}.db")], catch_exceptions=False
            )
            assert result.exit_code == 0, result.output
            assert "backup written to" in result.output
            return tmp_path / f"backup-{round_}.db"

        taken = backups_while_ordering(app, shop, source_url, take_backup)

    assert not list(tmp_path.glob(".*.partial"))
    for n, (path, before, after) in enumerate(taken):
        # Restoring a SQLite backup is copying the file where DATABASE_URL points.
        restored_file = tmp_path / f"restored-{n}.db"
        shutil.copyfile(path, restored_file)
        assert not path.with_name(path.name + "-wal").exists()  # one self-contained file
        with shop_app(tmp_path_factory, f"sqlite:///{restored_file}", migrate=False) as restored:
            check_restored_shop(restored, shop, before, after)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="TEST_DATABASE_URL is not PostgreSQL")
def test_postgres_backup_while_orders_are_placed_restores_a_consistent_shop(tmp_path, tmp_path_factory):
    with postgres_scratch_database("backup_source") as source_url:
        with shop_app(tmp_path_factory, source_url, migrate=True) as app:
            shop = build_shop(app)

            def take_backup(round_: int):
                return backup(database_url(source_url), tmp_path / f"backup-{round_}.dump")

            taken = backups_while_ordering(app, shop, source_url, take_backup, rounds=2)

        for path, before, after in taken:
            with postgres_scratch_database("restored") as restored_url:
                target = make_url(restored_url)
                subprocess.run(
                    ["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                     target.set(drivername="postgresql", password=None).render_as_string(), str(path)],
                    env={**os.environ, "PGPASSWORD": str(target.password or "")},
                    check=True,
                )
                with shop_app(tmp_path_factory, restored_url, migrate=False) as restored:
                    check_restored_shop(restored, shop, before, after)


def test_backup_refuses_what_it_cannot_back_up(tmp_path):
    with pytest.raises(BackupError, match="no SQLite database"):
        backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "b.db")
    with pytest.raises(BackupError, match="in-memory"):
        backup("sqlite://", tmp_path / "b.db")
    with pytest.raises(BackupError, match="is not a folder"):
        backup(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "missing" / "b.db")
    assert list(tmp_path.iterdir()) == []
