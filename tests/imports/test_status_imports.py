"""Status and tracking imports through the services: each row goes through ``orders.decide`` and
``tracking.ship`` as the portal's buttons do (transitions checked, the customer emailed through a
real SMTP server), one order per transaction, another seller's order unknown, the same file twice."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from storefront.jobs.email import sweep_outbox
from storefront.marketplace import data_imports, status_imports
from storefront.marketplace.models import (
    DataImport,
    ImportKind,
    ImportLevel,
    ImportStatus,
    LineState,
    OutboxMessage,
    Parcel,
    SellerOrder,
    SellerOrderState,
)
from storefront.marketplace.refusals import Refusal
from tests import email_fixtures, order_fixtures
from tests.imports.helpers import csv_bytes, storage
from tests.order_fixtures import part_of, place

people = order_fixtures.people
smtp_server = email_fixtures.smtp_server

HEADER = ["seller-order-number", "customer-order-number", "sku", "line", "action", "quantity", "carrier",
          "tracking-number", "tracking-url", "reason-code"]


def send(session, seller, rows, store, name="statuses.csv"):
    record, to_run = status_imports.submit(session, seller, io.BytesIO(csv_bytes([HEADER, *rows])),
                                           storage=store, file_name=name, source="CLI")
    if to_run:
        record = status_imports.run(session, record.id, storage=store)
    return record, to_run


def reports(session, record):
    return {e.line: (e.level, e.code) for e in data_imports.errors_of(session, record)}


def orders_of(session, people):
    shop = people.shop
    first = part_of(place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1)),
                    shop.alpha)
    second_order = place(session, people.customer, (shop.offers["alpha"], 1))
    beta = part_of(place(session, people.other_customer, (shop.offers["beta"], 1)), shop.beta)
    fourth = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    return first, second_order, beta, fourth


def state(session, order):
    session.expire_all()
    return session.get(SellerOrder, order.id).state


def test_rows_drive_the_order_services_and_each_refusal_is_on_its_line(session, people, tmp_path, smtp_server):
    first, second_order, beta, fourth = orders_of(session, people)
    second = part_of(second_order, people.shop.alpha)
    rows = [
        [first.number, "", "A-DRY", "", "accept", "", "", "", "", ""],                        # 2
        [first.number, "", "A-WASH", "", "refuser", "", "", "", "", "OUT_OF_STOCK"],          # 3
        [first.number, "", "A-DRY", "", "ship", "2", "colissimo", "6A12345678901",
         "https://example.com/mine", ""],                                                      # 4
        [first.number, "", "A-WASH", "", "expédier", "1", "COLISSIMO", "6A12345678902", "", ""],  # 5 refused line
        [beta.number, "", "", "", "accept", "", "", "", "", ""],                              # 6 another seller's
        ["", second_order.number, "", "", "accept", "", "", "", "", ""],                      # 7 customer number
        ["", second_order.number, "", "1", "ship", "5", "COLISSIMO", "6A12345678903", "", ""],  # 8 too many
        [fourth.number, "", "", "", "refuse", "", "", "", "", ""],                            # 9 no reason
        ["SF-000000-ZZZZZ", "", "", "", "accept", "", "", "", "", ""],                        # 10 no such order
        [first.number, "", "A-DRY", "", "cancel", "", "", "", "", ""],                        # 11 no such action
    ]
    record, _ = send(session, people.shop.alpha, rows, storage(tmp_path))

    assert record.status == ImportStatus.COMPLETE, record.error
    assert reports(session, record) == {
        4: (ImportLevel.WARNING, Refusal.IMPORT_TRACKING_URL),
        5: (ImportLevel.ERROR, Refusal.IMPORT_LINE_NOT_SHIPPABLE),
        6: (ImportLevel.ERROR, Refusal.IMPORT_UNKNOWN_ORDER),
        8: (ImportLevel.ERROR, Refusal.TOO_MANY),
        9: (ImportLevel.ERROR, Refusal.REASON_NEEDED),
        10: (ImportLevel.ERROR, Refusal.IMPORT_UNKNOWN_ORDER),
        11: (ImportLevel.ERROR, Refusal.IMPORT_CHOICE),
    }
    assert (record.rows_read, record.updated_count, record.refused_count, record.warning_count) == (10, 4, 6, 1)
    # Another seller's order and one that does not exist are told apart by nothing.
    errors = {e.line: e for e in data_imports.errors_of(session, record)}
    assert errors[6].message == errors[10].message and errors[6].details == errors[10].details

    session.expire_all()
    first = session.get(SellerOrder, first.id)
    assert first.state == SellerOrderState.SHIPPED
    assert [line.state for line in first.lines] == [LineState.ACCEPTED, LineState.REFUSED]
    (parcel,) = first.parcels
    assert (parcel.carrier.code, parcel.tracking_number) == ("COLISSIMO", "6A12345678901")
    assert [(i.order_line_id, i.quantity) for i in parcel.items] == [(first.lines[0].id, 2)]
    assert state(session, second) == SellerOrderState.SHIPPING
    assert state(session, beta) == SellerOrderState.WAITING_ACCEPTANCE
    assert state(session, fourth) == SellerOrderState.WAITING_ACCEPTANCE

    # The customer's emails, as when the seller clicks: delivered by the outbox job to a real server.
    sweep_outbox.call_local()
    kinds = dict(session.execute(select(OutboxMessage.message_id, OutboxMessage.kind)).all())
    received = [kinds.get(m["Message-ID"]) for m in smtp_server.messages]
    assert received.count("shipment_sent") == 1 and received.count("lines_cancelled") == 1
    (mail,) = [m for m in smtp_server.messages if kinds.get(m["Message-ID"]) == "shipment_sent"]
    text = mail.get_body(("plain",)).get_content()
    assert "6A12345678901" in text and "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901" in text


def test_one_parcel_for_the_lines_sharing_a_tracking_number(session, people, tmp_path):
    shop = people.shop
    order = part_of(place(session, people.customer, (shop.offers["alpha"], 2), (shop.offers["alpha_washer"], 1)),
                    shop.alpha)
    rows = [
        [order.number, "", "", "", "accept", "", "", "", "", ""],
        [order.number, "", "A-DRY", "", "ship", "", "DPD", "DPD-0001", "", ""],
        [order.number, "", "", "2", "ship", "1", "DPD", "DPD-0001", "", ""],
    ]
    record, _ = send(session, shop.alpha, rows, storage(tmp_path))
    assert (record.updated_count, record.refused_count) == (3, 0), reports(session, record)
    session.expire_all()
    order = session.get(SellerOrder, order.id)
    (parcel,) = order.parcels
    assert sorted(i.quantity for i in parcel.items) == [1, 2]
    assert order.state == SellerOrderState.SHIPPED


def test_the_same_file_twice_and_rows_already_applied(session, people, tmp_path):
    shop = people.shop
    order = part_of(place(session, people.customer, (shop.offers["alpha"], 1)), shop.alpha)
    store = storage(tmp_path)
    rows = [[order.number, "", "A-DRY", "", "accept", "", "", "", "", ""],
            [order.number, "", "A-DRY", "", "ship", "1", "COLISSIMO", "6A99999999999", "", ""]]
    record, to_run = send(session, shop.alpha, rows, store)
    assert to_run and (record.updated_count, record.refused_count) == (2, 0)
    before = (session.scalar(select(func.count(Parcel.id))), session.scalar(select(func.count(OutboxMessage.id))),
              session.get(SellerOrder, order.id).version)

    again, to_run = send(session, shop.alpha, rows, store)
    assert (again.id, to_run) == (record.id, False)  # the same file is the same import

    other, to_run = send(session, shop.alpha, [*rows, rows[0]], store, name="again.csv")  # another file
    assert to_run and other.id != record.id
    assert reports(session, other) == {2: (ImportLevel.WARNING, Refusal.IMPORT_ALREADY_DONE),
                                       3: (ImportLevel.WARNING, Refusal.IMPORT_ALREADY_DONE),
                                       4: (ImportLevel.ERROR, Refusal.IMPORT_DUPLICATE_LINE)}
    assert (other.updated_count, other.warning_count, status_imports.already_done(session, other)) == (0, 2, 2)
    session.expire_all()
    assert before == (session.scalar(select(func.count(Parcel.id))),
                      session.scalar(select(func.count(OutboxMessage.id))),
                      session.get(SellerOrder, order.id).version)


def test_a_file_without_order_or_action_column_is_refused(session, people, tmp_path):
    import pytest

    from storefront.marketplace.import_files import FileRefused

    with pytest.raises(FileRefused) as refused:
        status_imports.submit(session, people.shop.alpha, io.BytesIO(b"sku;price\r\nA;1\r\n"),
                              storage=storage(tmp_path))
    assert refused.value.details["reason"] == Refusal.IMPORT_STATUS_HEADER
    assert session.scalar(select(func.count(DataImport.id)).where(DataImport.kind == ImportKind.STATUSES)) == 0
