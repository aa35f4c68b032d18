"""``flask export orders`` through click's runner, and the scheduled push job with a frozen
clock into a temporary drop folder: the second run holds only what changed, nothing is lost."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from storefront.jobs.exports import push_order_exports
from storefront.marketplace import order_exports, orders, preferences
from storefront.marketplace.models import ActorRole
from tests import order_fixtures
from tests.order_fixtures import part_of, place

people = order_fixtures.people
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def placed(session, people):
    shop = people.shop
    first = place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["beta"], 1), now=T0)
    return people, part_of(first, shop.alpha), part_of(first, shop.beta)


def test_the_cli_exports_every_seller_or_one_in_each_format(app, session, placed, tmp_path):
    _people, a1, b1 = placed
    runner = app.test_cli_runner()
    target = tmp_path / "all.csv"
    result = runner.invoke(args=["export", "orders", "--since", "2026-11-30", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "2 orders written to" in result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert {r["seller_order_number"] for r in rows} == {a1.number, b1.number}
    assert not list(tmp_path.glob(".*.part"))

    book = tmp_path / "beta.xlsx"
    result = runner.invoke(args=["export", "orders", "--since", "2026-11-30", "--seller", "beta",
                                 "--format", "xlsx", "--output", str(book)])
    assert result.exit_code == 0, result.output
    table = list(load_workbook(book)["orders"].values)
    assert [row[1] for row in table[1:]] == [b1.number]

    result = runner.invoke(args=["export", "orders", "--since", "2026-11-30T00:00:00Z", "--seller",
                                 "alpha", "--format", "jsonl", "--output", "-"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["seller_order_number"] for line in lines] == [a1.number]


def test_the_cli_says_what_is_wrong(app, placed):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "orders", "--since", "last week"])
    assert result.exit_code == 2 and "since is a date" in result.output
    result = runner.invoke(args=["export", "orders", "--since", "2026-12-01", "--seller", "nobody"])
    assert result.exit_code == 2 and "unknown seller" in result.output
    result = runner.invoke(args=["export", "orders", "--since", "2026-12-01", "--format", "pdf"])
    assert result.exit_code == 2


def test_the_scheduled_job_pushes_each_seller_on_its_interval(app, session, placed, tmp_path, monkeypatch):
    people, a1, b1 = placed
    monkeypatch.setitem(app.config, "EXPORT_DROP_ROOT", str(tmp_path))
    preferences.set(session, "order_export_minutes", 15)
    order_exports.save_settings(session, people.shop.alpha.id, enabled=True, fmt="jsonl", folder="")
    order_exports.save_settings(session, people.shop.beta.id, enabled=True, fmt="csv", folder="in")
    now = T0 + timedelta(days=1)
    monkeypatch.setitem(app.config, "FROZEN_TIME", now)

    assert push_order_exports.call_local() == 2
    (alpha_file,) = (tmp_path / "alpha").iterdir()
    assert alpha_file.name == "orders-alpha-20261202T090000Z.jsonl"
    assert [json.loads(line)["seller_order_number"] for line in alpha_file.read_text().splitlines()] == [a1.number]
    (beta_file,) = (tmp_path / "beta" / "in").iterdir()
    assert beta_file.suffix == ".csv" and b1.number in beta_file.read_text("utf-8-sig")

    # Ten minutes later: the interval has not elapsed, even with a change.
    orders.accept(session, a1, actor_role=ActorRole.SELLER, now=now + timedelta(minutes=5))
    monkeypatch.setitem(app.config, "FROZEN_TIME", now + timedelta(minutes=10))
    assert push_order_exports.call_local() == 0
    # Once it has: only Alpha's changed order, in a new file; Beta had no change, no file.
    monkeypatch.setitem(app.config, "FROZEN_TIME", now + timedelta(minutes=15))
    assert push_order_exports.call_local() == 1
    second = tmp_path / "alpha" / "orders-alpha-20261202T091500Z.jsonl"
    assert [json.loads(line)["state"] for line in second.read_text().splitlines()] == ["SHIPPING"]
    assert len(list((tmp_path / "beta" / "in").iterdir())) == 1
    assert push_order_exports.schedule(datetime(2026, 12, 1, 3, 5)) and not push_order_exports.schedule(
        datetime(2026, 12, 1, 3, 7))
