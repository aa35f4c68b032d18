"""The operator's journey through operations (French): a failed email sent again and received,
a staff member invited (the invitation arrives), the audit log showing both, and a commission
rate planned; screenshots of the four pages at 1280 and 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import select, update

from storefront import jobs
from storefront.jobs.deadlines import cancel_overdue_orders
from storefront.marketplace import clock as shop_clock
from storefront.marketplace import commission_rates, invitations
from storefront.marketplace.models import OperatorRole, OutboxMessage, OutboxStatus, Role
from tests import order_fixtures
from tests.browser.screens import assert_french, shoot
from tests.browser.test_seller_journey import log_in, wait_for_mail
from tests.email_fixtures import RecordingSmtpServer

pytestmark = pytest.mark.browser
people = order_fixtures.people


@pytest.fixture
def late_smtp_server(app):
    """An SMTP server that starts after the first attempt failed (the test's relay refused it)."""
    server = RecordingSmtpServer()
    previous = app.config["MAIL_URL"]
    yield server
    app.config["MAIL_URL"] = previous
    server.stop()


def failed_invitation(session, people) -> OutboxMessage:
    invitations.invite(session, email="camille.durand@example.com", name="Camille Durand", role=Role.OPERATOR,
                       secret_key=current_app.secret_key, invited_by=people.operator,
                       operator_role=OperatorRole.SUPPORT, locale="fr")
    session.commit()  # its first attempt runs now, against a closed port
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).one()
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                    .values(status=OutboxStatus.FAILED, attempts=12))
    session.commit()
    return message


def test_the_operator_retries_an_email_invites_staff_and_plans_a_rate(
    app, live_server, browser_page, session, people, late_smtp_server
):
    message = failed_invitation(session, people)
    cancel_overdue_orders.call_local()

    def sweep_outbox():
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    with pytest.raises(ConnectionRefusedError):
        jobs._recorded(sweep_outbox)()
    today = shop_clock.of(session).today()
    commission_rates.schedule(session, people.operator, 800, valid_from=today, seller=people.shop.alpha)
    session.commit()
    late_smtp_server.start()
    app.config["MAIL_URL"] = late_smtp_server.url

    page = browser_page
    log_in(page, live_server, people.operator.email)
    page.goto(f"{live_server}/backoffice/")
    nav = page.get_by_test_id("backoffice-nav")

    # Operations: the failed invitation, sent again
    nav.get_by_role("link", name="Exploitation").click()
    row = page.locator(f'[data-testid="outbox-row"][data-id="{message.id}"]')
    expect(row.get_by_test_id("outbox-status")).to_have_text("Abandonné")
    expect(page.locator('[data-testid="job-row"][data-job="sweep_outbox"]')).to_contain_text("Connection refused")
    assert_french(page)
    shoot(page, "backoffice-operations")
    row.get_by_test_id("retry-email").click()
    expect(page.locator(".flash")).to_contain_text("remis en file")
    wait_for_mail(late_smtp_server, "camille.durand@example.com", "/compte/invitation/")
    page.locator("#status").select_option("SENT")
    page.get_by_role("button", name="Filtrer").click()
    expect(row.get_by_test_id("outbox-status")).to_have_text("Envoyé")

    # Staff: invite a colleague
    nav.get_by_role("link", name="Équipe").click()
    form = page.get_by_test_id("invite-form")
    form.get_by_label("E-mail", exact=True).fill("noa.bernard@example.com")
    form.locator("#name").fill("Noa Bernard")
    form.locator("#role").select_option("FINANCE")
    form.get_by_test_id("send-invitation").click()
    expect(page.locator(".flash")).to_contain_text("noa.bernard@example.com")
    expect(page.locator('[data-testid="staff-row"][data-email="noa.bernard@example.com"]')).to_contain_text("Invitation envoyée")
    wait_for_mail(late_smtp_server, "noa.bernard@example.com", "/compte/invitation/")
    assert_french(page)
    shoot(page, "backoffice-staff")

    # Audit log: both writes, newest first, with the values after
    nav.get_by_role("link", name="Journal d’audit").click()
    rows = page.get_by_test_id("audit-log-row")
    expect(rows.first).to_have_attribute("data-action", "staff.invite")
    expect(page.locator('[data-testid="audit-log-row"][data-action="outbox.retry"]')).to_have_count(1)
    assert_french(page)
    shoot(page, "backoffice-audit-log")
    page.locator("#action").select_option("outbox.retry")
    page.get_by_role("button", name="Filtrer").click()
    expect(rows).to_have_count(1)

    # Commissions: plan 12,5 % from next week
    nav.get_by_role("link", name="Commissions").click()
    form = page.get_by_test_id("commission-form")
    form.locator("#percent").fill("12,5")
    form.locator("#valid_from").fill((today + timedelta(days=7)).isoformat())
    form.get_by_test_id("save-rate").click()
    expect(page.locator(".flash")).to_contain_text("Le taux est enregistré")
    expect(page.locator('[data-testid="rate-row"][data-status="future"]')).to_contain_text("12,5")
    assert_french(page)
    shoot(page, "backoffice-commissions")
    page.goto(f"{live_server}/backoffice/commissions?seller={people.shop.alpha.code}")
    expect(page.get_by_test_id("rate-row")).to_contain_text("Toutes ses catégories")
    shoot(page, "backoffice-commissions-seller")
