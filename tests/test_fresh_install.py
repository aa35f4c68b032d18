"""A shop installed from the migrations alone, without ``flask seed-demo``, runs: every scheduled
job runs, the shop's pages answer with an empty catalog, and an order is placed, accepted,
cancelled in part, shipped and refunded with the reason codes and carriers the migrations put in.

The database is a new one (a SQLite file, or a scratch PostgreSQL database beside
``TEST_DATABASE_URL``'s), migrated to the head as production does. What a shop sets up itself
(its own seller, a marketplace seller, a category, a product, an offer, zones, modes and rates)
is created through the marketplace services.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from huey.api import PeriodicTask
from sqlalchemy import func, select

from storefront import PROJECT_ROOT, create_app
from storefront.demo.command import seed_demo
from storefront.extensions import db
from storefront.marketplace import (
    accounts,
    catalog,
    checkout,
    delivery,
    orders,
    reference,
    sellers,
    tracking,
)
from storefront.marketplace import cart as cart_service
from storefront.marketplace.clock import ZoneInfo
from storefront.marketplace.models import (
    ActorRole,
    Carrier,
    DiscussionTopic,
    LineState,
    ReasonCode,
    ReasonType,
    SellerOrderState,
)
from tests.conftest import scratch_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")
PARIS = ZoneInfo("Europe/Paris")
# A Tuesday morning, before the cut-off, far from public holidays.
MORNING = datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
ADDRESS = cart_service.ShippingAddress(
    name="Camille Martin", line1="12 rue de la Paix", postal_code="75002", city="Paris"
)


pytestmark = pytest.mark.usefixtures("job_queue_back_to_test_app")


@pytest.fixture
def fresh_database(tmp_path):
    with scratch_database(tmp_path, "fresh") as url:
        yield url


@pytest.fixture
def fresh_app(tmp_path, fresh_database):
    app = create_app(
        {
            "STOREFRONT_ENV": "testing",
            "STOREFRONT_INSTANCE": str(tmp_path / "instance"),
            "SECRET_KEY": "fresh-install-secret-key-0123456789abcdef",
            "DATABASE_URL": fresh_database,
            "MAIL_URL": "smtp://127.0.0.1:9",
        }
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="heads")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def reason_constants() -> set[tuple[ReasonType, str]]:
    """The reason codes the service layer names itself: module-level ``*_REASON = "CODE"``
    constants (the deadline job's ACCEPTANCE_TIMEOUT), with the type their ``get_reason`` call
    asks for."""
    found = set()
    for path in Path(PROJECT_ROOT / "storefront" / "marketplace").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id.endswith("_REASON")
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        }
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "get_reason"):
                continue
            kind, code = call.args[1], call.args[2]
            if isinstance(code, ast.Name) and code.id in constants:
                assert isinstance(kind, ast.Attribute), ast.dump(kind)
                found.add((ReasonType(kind.attr), constants[code.id]))
    return found


def test_the_reason_codes_the_code_names_exist_after_the_migrations(fresh_app):
    named = reason_constants()
    assert (ReasonType.CANCELATION, orders.TIMEOUT_REASON) in named
    with fresh_app.app_context():
        stored = {tuple(r) for r in db.session.execute(select(ReasonCode.type, ReasonCode.code))}
        assert named <= stored
        # A starting set of each kind, labelled in both languages.
        reasons = db.session.scalars(select(ReasonCode)).all()
        assert {r.type for r in reasons} == set(ReasonType)
        assert all(r.label and r.label_en for r in reasons)
        topics = db.session.scalars(select(DiscussionTopic)).all()
        assert topics and all(t.label and t.label_en for t in topics)
        assert any(t.about_order for t in topics) and any(t.about_offer for t in topics)
        assert db.session.scalar(select(func.count()).select_from(Carrier)) > 0
        for role in (ActorRole.CUSTOMER, ActorRole.SELLER):
            for kind in (ReasonType.CANCELATION, ReasonType.REFUND):
                assert orders.reason_codes(db.session, kind, role), (kind, role)


def test_the_data_migration_adds_nothing_twice(fresh_app):
    with fresh_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ReasonCode))
        # Down one revision and up again: the rows stay, and none is added a second time.
        downgrade(directory=MIGRATIONS, revision="-1")
        upgrade(directory=MIGRATIONS, revision="heads")
        assert db.session.scalar(select(func.count()).select_from(ReasonCode)) == before


def test_every_scheduled_job_runs_on_a_fresh_install(fresh_app):
    fresh_app.config["FROZEN_TIME"] = MORNING
    with fresh_app.app_context():
        scheduled = {
            name: task
            for name, task in fresh_app.extensions["jobs"].tasks.items()
            if issubclass(task.task_class, PeriodicTask)
        }
        assert {"cancel_overdue_orders", "sweep_outbox", "purge_old_rows"} <= set(scheduled)
        for task in scheduled.values():
            task.call_local()  # raises if the job cannot run (an unknown reason code…)
            db.session.remove()


def test_the_shop_pages_answer_with_an_empty_catalog(fresh_app):
    client = fresh_app.test_client()
    with fresh_app.app_context():
        category = reference.create_category(db.session, "maison", "Maison", label_en="Home")
        db.session.commit()
        category_url = f"/c/{category.id}/{category.slug}"
    for path in ["/", category_url, "/recherche?q=lave-linge", "/panier/", "/commande/",
                 "/compte/connexion", "/compte/inscription"]:
        response = client.get(path)
        assert response.status_code in (200, 302, 303), (path, response.status_code)


def test_an_order_is_placed_accepted_cancelled_and_refunded_without_demo_data(fresh_app):
    fresh_app.config["FROZEN_TIME"] = MORNING
    # The retailer's own seller, as an installer creates it.
    result = fresh_app.test_cli_runner().invoke(
        args=["shop", "create-retailer", "--code", "boutique", "--name", "La Boutique"]
    )
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        session = db.session
        # What the shop sets up itself, through the services.
        retailer = sellers.operator_seller(session)
        seller = sellers.create_seller(session, "atelier", "L'Atelier")
        reference.create_category(session, "maison", "Maison", label_en="Home")
        product = catalog.create_product(session, "3760000000017", "Lampe de bureau", "maison")
        offer = catalog.upsert_offer(session, seller, product, "LAMP-1", price=2500, stock=5,
                                     lead_time_days=1)
        zone = delivery.create_zone(session, "FR", "France", rules=[("FR", "")])
        delivery.create_mode(session, "THD", "Livraison suivie", label_en="Tracked delivery")
        delivery.set_rate(session, seller, "THD", "FR", fee=490, transit_min=2, transit_max=3)
        customer = accounts.create_user(session, "camille@example.com", "mot-de-passe-solide-2026",
                                        name="Camille Martin")
        session.commit()
        assert retailer.is_operator and zone.code == "FR"

        cart = cart_service.open_cart(session, user_id=customer.id)
        cart_service.add_item(session, cart, offer.id, 2)
        cart_service.set_address(session, cart, ADDRESS, email=customer.email)
        placed = checkout.place_order(
            session, cart, idempotency_key="fresh-install-order-0001-xxxxxxxx",
            payment=checkout.PaymentRecord(method="card", code="CB", reference="pay_sbx_fresh"),
            locale="fr", now=MORNING - timedelta(minutes=5),
        )
        # Authorized for real in the app's sandbox, which keeps the book of what may be captured.
        placed.order.payment_reference = fresh_app.extensions["payment_provider"].authorize(
            "tok_sbx_ok_" + "0" * 15 + "1", amount=placed.order.total, currency="EUR",
            idempotency_key=placed.order.idempotency_key).reference
        session.commit()
        (part,) = placed.order.seller_orders
        assert part.state == SellerOrderState.WAITING_ACCEPTANCE
        (line,) = part.lines

        orders.accept(session, part, actor_role=ActorRole.SELLER)
        orders.cancel_lines(session, part, {line.id: 1}, reason_code="OUT_OF_STOCK",
                            actor_role=ActorRole.SELLER)
        assert line.quantity_live == 1
        carrier = tracking.carriers(session)[0]  # from the migration
        tracking.ship(session, part, carrier_code=carrier.code, tracking_number="6A12345678901",
                      actor_role=ActorRole.SELLER)
        session.commit()  # the shipment's capture goes to the provider once its transaction commits
        refund = orders.refund(session, part, amount=1000, reason_code="DAMAGED",
                               actor_role=ActorRole.SELLER)
        session.commit()
        assert part.state == SellerOrderState.SHIPPED
        assert line.state == LineState.ACCEPTED
        assert refund.amount == 1000 and refund.reason.code == "DAMAGED"

        # A second order nobody accepts: the deadline job cancels it with its own reason.
        cart = cart_service.open_cart(session, user_id=customer.id)
        cart_service.add_item(session, cart, offer.id, 1)
        cart_service.set_address(session, cart, ADDRESS, email=customer.email)
        late = checkout.place_order(
            session, cart, idempotency_key="fresh-install-order-0002-xxxxxxxx",
            payment=checkout.PaymentRecord(method="card", code="CB", reference="pay_sbx_late"),
            locale="fr", now=MORNING,
        ).order.seller_orders[0]
        session.commit()
        late_id = late.id
    fresh_app.config["FROZEN_TIME"] = MORNING + timedelta(days=10)
    with fresh_app.app_context():
        assert fresh_app.extensions["jobs"].tasks["cancel_overdue_orders"].call_local() == 1
        late = db.session.get(type(late), late_id)
        assert late.state == SellerOrderState.CANCELED
        assert late.transitions[-1].reason.code == orders.TIMEOUT_REASON


def test_seed_demo_after_the_migrations_adds_no_reason_topic_or_carrier(fresh_app):
    with fresh_app.app_context():
        def counts():
            return [db.session.scalar(select(func.count()).select_from(m))
                    for m in (ReasonCode, DiscussionTopic, Carrier)]

        before = counts()
        result = fresh_app.test_cli_runner().invoke(seed_demo, ["--products", "1"])
        assert result.exit_code == 0, result.output
        assert counts() == before


def test_the_first_operator_is_created_from_the_command_line_and_reaches_the_back_office(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(
        args=["shop", "create-operator", "ops@example.com", "--name", "Opérations"],
        input="mot-de-passe-solide-2026\nmot-de-passe-solide-2026\n",
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        args=["shop", "create-operator", "ops@example.com"],
        input="mot-de-passe-solide-2026\nmot-de-passe-solide-2026\n",
    )
    assert again.exit_code != 0 and "already exists" in again.output
    twice = runner.invoke(
        args=["shop", "create-retailer", "--code", "bad code!", "--name", "X"]
    )
    assert twice.exit_code != 0 and "letters, digits" in twice.output

    client = fresh_app.test_client()
    page = client.get("/compte/connexion")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.data)
    form = {"email": "ops@example.com", "password": "mot-de-passe-solide-2026"}
    if token:
        form["csrf_token"] = token.group(1).decode()
    assert client.post("/compte/connexion", data=form).status_code == 302
    assert client.get("/backoffice/").status_code == 200
