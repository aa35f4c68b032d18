from datetime import UTC, date, datetime, timedelta

import pytest

from storefront.marketplace import tracking
from storefront.marketplace.errors import InvalidTransition, InvalidValue
from storefront.marketplace.models import DeliveryMode, Shipment, ShipmentStatus
from tests import factories


def test_tracking_url_from_template(session):
    carrier = tracking.create_carrier(
        session, "colissimo", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}"
    )
    assert carrier.code == "COLISSIMO"
    assert tracking.tracking_url(carrier, "6A12345678901") == (
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
    )
    assert tracking.tracking_url(carrier, None) is None
    assert tracking.tracking_url(None, "6A1") is None


@pytest.mark.parametrize("template", ["http://x/{tracking}", "https://x/", "javascript:{tracking}"])
def test_bad_templates(session, template):
    with pytest.raises(InvalidValue):
        tracking.create_carrier(session, "x", "X", template)


@pytest.mark.parametrize(
    ("raw", "clean"), [(" 6a1234567 ", "6A1234567"), ("XY-12345", "XY-12345")]
)
def test_tracking_numbers_are_normalised(raw, clean):
    assert tracking.clean_tracking_number(raw) == clean


@pytest.mark.parametrize("raw", ["6A 1234", "6A1\x00234", "abc", "", "<b>12345</b>", "X" * 41])
def test_bad_tracking_numbers(raw):
    with pytest.raises(InvalidValue, match="without spaces"):
        tracking.clean_tracking_number(raw)


def test_mark_delivered(session):
    shop = factories.seller(session)
    part = factories.seller_order(session, shop)
    mode = DeliveryMode(code="THD", label="Domicile")
    shipped_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    shipment = Shipment(
        customer_order=part.customer_order, shipper=shop, mode=mode, ship_by=date(2026, 12, 1),
        promised_min=date(2026, 12, 2), promised_max=date(2026, 12, 4),
    )
    session.add(shipment)
    session.commit()
    with pytest.raises(InvalidTransition, match="only a shipped parcel"):
        tracking.mark_delivered(session, shipment)
    shipment.status, shipment.shipped_at = ShipmentStatus.SHIPPED, shipped_at
    session.commit()
    with pytest.raises(InvalidValue, match="before it was shipped"):
        tracking.mark_delivered(session, shipment, at=shipped_at - timedelta(hours=1))
    tracking.mark_delivered(session, shipment, at=shipped_at + timedelta(days=1))
    session.expire_all()
    assert session.get(Shipment, shipment.id).status == ShipmentStatus.DELIVERED
    assert session.get(Shipment, shipment.id).delivered_at == shipped_at + timedelta(days=1)
