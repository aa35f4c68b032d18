"""The operator's catalog and category imports through the API, over HTTP with a real operator
client: a category tree then a product file (its source categories mapped through the API) give
the same counts and report as the same files through the back office; a seller's client is
refused; an Idempotency-Key replay answers the same import; bad input is problem+json."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select

from storefront.marketplace import accounts, catalog_imports, data_imports
from storefront.marketplace.models import (
    Category,
    DataImport,
    ImportKind,
    ImportStatus,
    OperatorRole,
    Product,
    Role,
)
from tests import factories
from tests.api.test_api_orders import call, client_for, is_problem, live, token_of  # noqa: F401
from tests.imports.helpers import csv_bytes
from tests.order_fixtures import PASSWORD, Visitor

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
TREE = csv_bytes([
    ["type", "code", "parent", "label_fr", "label_en", "category", "attribute", "requirement", "list"],
    ["value", "INOX", "", "Inox", "Stainless", "", "", "", "finishes"],
    ["value", "BLANC", "", "Blanc", "White", "", "", "", "finishes"],
    ["category", "dishwashers", "appliances", "Lave-vaisselle", "Dishwashers", "", "", "", ""],
    ["category", "ghost", "nowhere", "Fantôme", "Ghost", "", "", "", ""],  # refused: no such parent
    ["attribute", "", "", "Finition", "Finish", "dishwashers", "finish", "REQUIRED", "finishes"],
    ["attribute", "", "", "Couverts", "Place settings", "dishwashers", "settings", "RECOMMENDED", ""],
])
GTINS = [factories.gtin() for _ in range(5)]
PRODUCTS = csv_bytes([
    ["gtin", "title", "category", "finish", "settings"],
    [GTINS[0], "Lave-vaisselle 14 couverts", "LV", "INOX", "14"],
    [GTINS[1], "Lave-vaisselle compact", "LV", "BLANC", ""],  # RECOMMENDED missing: a warning
    [GTINS[2], "Lave-vaisselle sans finition", "LV", "", "12"],  # REQUIRED missing: refused
    [GTINS[3], "Accessoire", "ACCESSOIRES", "", ""],  # excluded by the operator: skipped
    [GTINS[4], "Nouveauté", "NOUVEAU", "", ""],  # not mapped yet: skipped
])
# (read, created, updated, refused, warnings, skipped) and the report (line, key, field, level).
EXPECTED_TREE = ((6, 5, 0, 1, 0, 0), [(5, "ghost", "parent", "ERROR")])
EXPECTED_PRODUCTS = ((5, 2, 0, 1, 1, 2), [
    (3, GTINS[1], "attributes", "WARNING"), (4, GTINS[2], "finish", "ERROR"),
    (5, GTINS[3], "category", "SKIPPED"), (6, GTINS[4], "category", "SKIPPED")])


def _headers(token, **extra):
    return {"Authorization": f"Bearer {token}", **extra}


def send(live, token, kind, data, name="file.csv", **headers):  # noqa: F811
    return httpx.post(f"{live}/api/v1/catalog/imports", headers=_headers(token, **headers),
                      data={"kind": kind} if kind else None, files={"file": (name, data, "text/csv")})


def outcome(session, import_id):
    session.expire_all()
    record = session.get(DataImport, import_id)
    counts = (record.rows_read, record.created_count, record.updated_count, record.refused_count,
              record.warning_count, record.skipped_count)
    report = [(e.line, e.key, e.field, e.level.value) for e in data_imports.errors_of(session, record)]
    return counts, report


def _through_the_api(session, live, tree, products):  # noqa: F811
    token = token_of(live, *client_for(session, None, "catalog:read catalog:write"))
    first = send(live, token, "categories", tree, "arbre.csv")
    assert first.status_code == 202, first.text
    mapped = httpx.put(f"{live}/api/v1/catalog/imports/category-mappings", headers=_headers(token), json={
        "mappings": [{"source": "LV", "category": "dishwashers"},
                     {"source": "ACCESSOIRES", "category": None, "included": False}]})
    assert mapped.status_code == 200, mapped.text
    second = send(live, token, "PRODUCTS", products, "produits.csv")
    assert second.status_code == 202, second.text
    return first.json()["id"], second.json()["id"]


def _through_the_back_office(session, app, tree, products):
    user = accounts.create_user(session, "catalogue@staff.example.com", PASSWORD, role=Role.OPERATOR,
                                operator_role=OperatorRole.CATALOG)
    session.commit()
    staff = Visitor(app.test_client()).log_in(user)
    ids = []
    for kind, data in (("CATEGORIES", tree), ("PRODUCTS", products)):
        if kind == "PRODUCTS":  # the back office's mapping page saves through this service
            catalog_imports.save_mapping(session, [
                ("LV", session.scalar(select(Category.id).where(Category.code == "dishwashers")), True),
                ("ACCESSOIRES", None, False)])
        answer = staff.post("/backoffice/catalog/imports", {"kind": kind, "file": (io.BytesIO(data), "f.csv")},
                            content_type="multipart/form-data")
        assert answer.status_code == 302, answer.get_data(as_text=True)
        ids.append(session.scalar(select(DataImport.id).where(DataImport.kind == ImportKind(kind))))
    return ids


@pytest.mark.parametrize("path", ["api", "backoffice"])
def test_a_tree_then_products_give_the_same_counts_either_way(app, session, live, mini_shop, path):  # noqa: F811
    if path == "api":
        tree_id, products_id = _through_the_api(session, live, TREE, PRODUCTS)
    else:
        tree_id, products_id = _through_the_back_office(session, app, TREE, PRODUCTS)
    assert outcome(session, tree_id) == EXPECTED_TREE
    assert outcome(session, products_id) == EXPECTED_PRODUCTS
    assert session.scalar(select(Category.parent_id).where(Category.code == "dishwashers")) == \
        session.scalar(select(Category.id).where(Category.code == "appliances"))
    assert set(session.scalars(select(Product.gtin).where(Product.gtin.in_(GTINS)))) == set(GTINS[:2])


def test_the_operator_follows_its_imports_and_a_seller_is_refused(session, live, mini_shop):  # noqa: F811
    operator = token_of(live, *client_for(session, None, "catalog:read catalog:write"))
    reader = token_of(live, *client_for(session, None, "catalog:read"))
    seller = token_of(live, *client_for(session, mini_shop.martin, "catalog:read catalog:write"))

    key = str(uuid.uuid4())
    first = send(live, operator, "categories", TREE, "arbre.csv", **{"Idempotency-Key": key})
    assert first.status_code == 202, first.text
    body = first.json()
    assert first.headers["location"] == f"{live}/api/v1/catalog/imports/{body['id']}"
    assert (body["kind"], body["source"]) == ("CATEGORIES", "API")
    replay = send(live, operator, "categories", TREE, "arbre.csv", **{"Idempotency-Key": key})
    assert (replay.status_code, replay.headers["idempotent-replayed"]) == (202, "true")
    assert replay.json() == body and replay.headers["location"] == first.headers["location"]
    assert session.scalar(select(DataImport.id).where(DataImport.id != body["id"])) is None
    # The key is judged by the parts sent (the multipart boundary changes on every send), so
    # another file under it is another request.
    other = send(live, operator, "products", PRODUCTS, "arbre.csv", **{"Idempotency-Key": key})
    assert is_problem(other, 422, "idempotency_key_reused")["field"] == "Idempotency-Key"

    status = call(live, f"/api/v1/catalog/imports/{body['id']}", reader).json()
    assert (status["status"], status["read"], status["created"], status["refused"]) == ("COMPLETE", 6, 5, 1)
    report = httpx.get(status["errors_url"], headers=_headers(reader))
    assert report.headers["content-type"].startswith("text/csv")
    lines = report.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "line;key;field;level;message" and lines[1].startswith("5;ghost;parent;ERROR;")

    # The same file without a key, once finished: queued again, the same import, run again.
    again = send(live, operator, "CATEGORIES", TREE, "arbre.csv")
    assert (again.status_code, again.json()["id"]) == (202, body["id"])
    rerun = call(live, f"/api/v1/catalog/imports/{body['id']}", reader).json()
    assert (rerun["status"], rerun["read"], rerun["created"], rerun["updated"], rerun["refused"]) == (
        "COMPLETE", 6, 0, 0, 1)  # nothing new: the lines already there are left as they are

    products = send(live, operator, "products", PRODUCTS, "produits.csv")
    assert products.status_code == 202
    listed = call(live, "/api/v1/catalog/imports", reader, params={"limit": 1})
    assert [i["id"] for i in listed.json()["items"]] == [products.json()["id"]]
    following = httpx.get(listed.headers["link"].split(">")[0].removeprefix("<"), headers=_headers(reader))
    assert [i["id"] for i in following.json()["items"]] == [body["id"]] and "link" not in following.headers
    # The products file named three source categories: listed, unmapped, for the operator to map.
    mappings = call(live, "/api/v1/catalog/imports/category-mappings", reader).json()["items"]
    assert {(m["source"], m["category"], m["included"], m["rows_seen"]) for m in mappings} == {
        ("LV", None, True, 3), ("ACCESSOIRES", None, True, 1), ("NOUVEAU", None, True, 1)}

    # A seller's client: refused whatever it asks, and nothing recorded.
    count = session.query(DataImport).count()
    is_problem(send(live, seller, "products", PRODUCTS), 403, "not_allowed")
    is_problem(call(live, "/api/v1/catalog/imports", seller), 403, "not_allowed")
    is_problem(call(live, f"/api/v1/catalog/imports/{body['id']}", seller), 403, "not_allowed")
    is_problem(call(live, f"/api/v1/catalog/imports/{body['id']}/errors", seller), 403, "not_allowed")
    is_problem(call(live, "/api/v1/catalog/imports/category-mappings", seller), 403, "not_allowed")
    # Bad input: scope, kind, file, unknown import, unknown category; nothing written.
    is_problem(send(live, reader, "products", PRODUCTS), 403, "insufficient_scope")
    assert is_problem(send(live, operator, "offers", PRODUCTS), 422, "invalid_value")["field"] == "kind"
    assert is_problem(send(live, operator, None, PRODUCTS), 422, "invalid_value")["field"] == "kind"
    no_file = httpx.post(f"{live}/api/v1/catalog/imports", headers=_headers(operator), data={"kind": "products"})
    assert is_problem(no_file, 400, "invalid_value")["field"] == "file"
    columns = is_problem(send(live, operator, "products", csv_bytes([["sku", "price"], ["A", "1"]])), 422,
                         "invalid_value")
    assert columns["reason"] == "import_columns"
    is_problem(call(live, "/api/v1/catalog/imports/424242", operator), 404, "not_found")
    offer_import = session.scalar(select(DataImport.id).where(DataImport.kind == ImportKind.CATEGORIES))
    assert offer_import == body["id"]
    unknown = httpx.put(f"{live}/api/v1/catalog/imports/category-mappings", headers=_headers(operator),
                        json={"mappings": [{"source": "LV", "category": "dishwashers"},
                                           {"source": "NOUVEAU", "category": "no-such-category"}]})
    assert (is_problem(unknown, 422, "invalid_value")["field"], unknown.json()["reason"]) == (
        "category", "unknown_category")
    assert session.query(DataImport).count() == count
    session.expire_all()
    assert all(m.category_id is None for m in catalog_imports.mappings(session))
    assert session.get(DataImport, body["id"]).status == ImportStatus.COMPLETE


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
def test_the_guide_s_catalog_import_examples_run_as_written(session, live, mini_shop):  # noqa: F811
    """docs/api.md's operator section, its ```bash blocks run with curl from the project's root
    on the sample files: the tree imports, the products wait for their categories, then apply."""
    token = token_of(live, *client_for(session, None, "catalog:read catalog:write"))
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### For the operator: catalog and category imports"):]
    section = section[:section.index("\n## ")]
    send_files, map_and_again = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    environ = {**os.environ, "SHOP": live, "TOKEN": token}

    def run(script: str) -> list[dict]:
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=GUIDE.parent.parent, env=environ,
                             capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        return [json.loads(line) for line in ran.stdout.replace("}{", "}\n{").splitlines() if line.strip()]

    tree, products = run(send_files)
    assert (tree["kind"], tree["status"], products["kind"]) == ("CATEGORIES", "QUEUED", "PRODUCTS")
    tree = call(live, f"/api/v1/catalog/imports/{tree['id']}", token).json()  # the (test) worker ran both
    assert (tree["status"], tree["refused"]) == ("COMPLETE", 0)
    products = call(live, f"/api/v1/catalog/imports/{products['id']}", token).json()
    assert (products["status"], products["skipped"], products["created"]) == ("COMPLETE", 3, 0)
    mappings, again = run(map_and_again)
    assert {m["source"]: (m["category"], m["included"]) for m in mappings["items"]} == {
        "Lavage > Lave-linge": ("lave-linge", True), "Froid > Réfrigérateurs": (None, False)}
    assert again["id"] == products["id"]
    status = call(live, f"/api/v1/catalog/imports/{again['id']}", token).json()
    assert (status["status"], status["created"], status["refused"], status["skipped"]) == ("COMPLETE", 2, 0, 1)
