"""The seller portal's imports: upload, the import's page (polled while it runs), the error
report, the column mapping; another seller's import is 404."""

from __future__ import annotations

import io

from sqlalchemy import select

from storefront.marketplace import listing
from storefront.marketplace.models import DataImport, ImportStatus, Offer
from tests import order_fixtures
from tests.imports.helpers import csv_bytes
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people


def _upload(visitor, data: bytes, mode="NORMAL", name="offres.csv"):
    return visitor.post("/seller/imports", {"file": (io.BytesIO(data), name), "mode": mode},
                        content_type="multipart/form-data")


def test_upload_runs_in_the_worker_and_shows_the_result(app, client, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert 'href="/seller/imports"' in alpha.page("/seller/")
    fridge = people.shop.products["fridge"]
    listing.refresh(session)
    session.commit()
    data = csv_bytes([["sku", "ean", "prix", "quantité"], ["AL-FRIDGE", fridge.gtin, "749,90", "4"],
                      ["@SUM(A1)", fridge.gtin, "=1+1", "1"]])
    response = _upload(alpha, data)
    assert response.status_code == 302
    record = session.scalar(select(DataImport))
    assert response.headers["Location"].endswith(f"/seller/imports/{record.id}")
    session.refresh(record)
    # The test queue runs jobs at once (the worker's job, not the request, ran it).
    assert record.status == ImportStatus.COMPLETE and (record.created_count, record.refused_count) == (1, 1)
    page = html_text(alpha.page(f"/seller/imports/{record.id}"))
    assert "Terminé" in page or "Complete" in page
    assert "=1+1" in page and 'hx-trigger' not in alpha.page(f"/seller/imports/{record.id}")
    report = alpha.client.get(f"/seller/imports/{record.id}/errors.csv")
    assert report.mimetype == "text/csv" and "\r\n3;'@SUM(A1);price;" in report.get_data(as_text=True)
    product_page = html_text(client.get(f"/p/{fridge.id}/{fridge.slug}").get_data(as_text=True))
    assert "Alpha Maison" in product_page and "749,90" in product_page
    listed = html_text(alpha.page("/seller/imports"))
    assert "offres.csv" in listed
    # The same file again: the same import.
    again = _upload(alpha, data)
    assert again.headers["Location"].endswith(f"/seller/imports/{record.id}")


def test_a_running_import_polls_and_a_bad_file_is_refused_on_the_form(app, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    bad = _upload(alpha, b"sku|ean|price\r\nA|1|2\r\n")
    assert bad.status_code == 422
    text = html_text(bad.get_data(as_text=True))
    assert "sku|ean|price" in text
    assert session.scalar(select(DataImport.id)) is None
    empty = alpha.post("/seller/imports", {"mode": "NORMAL"}, content_type="multipart/form-data")
    assert empty.status_code == 422
    record = DataImport(kind="OFFERS", seller_id=people.shop.alpha.id, source="UPLOAD", file_hash="0" * 64,
                        status=ImportStatus.RUNNING, rows_total=10, rows_done=5, file_name="big.csv")
    session.add(record)
    session.commit()
    page = alpha.page(f"/seller/imports/{record.id}")
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    fragment = alpha.client.get(f"/seller/imports/{record.id}", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith("<section") and "HX-Request" in fragment.headers["Vary"]


def test_another_sellers_import_is_404(app, session, people):
    record = DataImport(kind="OFFERS", seller_id=people.shop.alpha.id, source="UPLOAD", file_hash="1" * 64,
                        status=ImportStatus.COMPLETE, file_name="a.csv")
    session.add(record)
    session.commit()
    beta = Visitor(app.test_client()).log_in(people.beta_staff)
    assert beta.client.get(f"/seller/imports/{record.id}").status_code == 404
    assert beta.client.get(f"/seller/imports/{record.id}/errors.csv").status_code == 404
    assert "a.csv" not in beta.page("/seller/imports")


def test_column_mapping_form(app, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert 'name="sku"' in alpha.page("/seller/imports/mapping")
    saved = alpha.post("/seller/imports/mapping", {"sku": "Ma réf", "price": "PV", "stock": "Dispo"})
    assert saved.status_code == 302
    assert 'value="Ma réf"' in alpha.page("/seller/imports/mapping")
    twice = alpha.post("/seller/imports/mapping", {"sku": "X", "price": "X"})
    assert twice.status_code == 422
    fridge = people.shop.products["fridge"]
    response = _upload(alpha, csv_bytes([["Ma réf", "ean", "PV", "Dispo"], ["M-1", fridge.gtin, "10", "1"]]))
    assert response.status_code == 302
    assert session.scalar(select(Offer.price).where(Offer.sku == "M-1")) == 1000


def test_status_upload_in_the_portal_and_its_report(app, session, people):
    """The second form of the Imports page: a status file runs in the worker, its page shows
    what applied and the refused rows; the report names the order. Another seller's import is 404."""
    from storefront.marketplace.models import ImportKind, SellerOrder, SellerOrderState
    from tests.order_fixtures import part_of, place

    shop = people.shop
    order = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    beta_order = part_of(place(session, people.customer, (shop.offers["beta"], 1)), shop.beta)
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    assert 'data-testid="status-import-form"' in alpha.page("/seller/imports")
    data = csv_bytes([["commande", "action"], [order.number, "accepter"], [beta_order.number, "accepter"]])
    response = alpha.post("/seller/imports/statuses", {"file": (io.BytesIO(data), "statuts.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    record = session.scalar(select(DataImport).where(DataImport.kind == ImportKind.STATUSES))
    session.refresh(record)
    assert (record.status, record.updated_count, record.refused_count) == (ImportStatus.COMPLETE, 1, 1)
    session.expire_all()
    assert session.get(SellerOrder, order.id).state == SellerOrderState.SHIPPING
    page = html_text(alpha.page(f"/seller/imports/{record.id}"))
    assert beta_order.number in page and "You have no order with this number." in page
    report = alpha.client.get(f"/seller/imports/{record.id}/errors.csv").get_data(as_text=True)
    assert f"\r\n3;{beta_order.number};order;" in report
    beta = Visitor(app.test_client()).log_in(people.beta_staff)
    assert beta.get(f"/seller/imports/{record.id}").status_code == 404
    # A file the status import cannot read: the form says why, nothing recorded.
    bad = beta.post("/seller/imports/statuses", {"file": (io.BytesIO(b"sku;price\r\nA;1\r\n"), "x.csv")},
                     content_type="multipart/form-data")
    assert bad.status_code == 422 and "a column of actions" in html_text(bad.get_data(as_text=True))
