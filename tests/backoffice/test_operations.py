"""The operations page (outbox retry and cancel, failed webhooks, scheduled job runs), the audit
log page and the staff page: what each shows and does, emails received on a real SMTP server,
and 403 with the audit log unchanged for every role without the permission."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from storefront import jobs
from storefront.marketplace import accounts, invitations, outbox_admin, staff, staff_accounts
from storefront.marketplace.errors import InvalidValue, NotAllowed
from storefront.marketplace.models import (
    JobRun,
    OperatorAuditEntry,
    OperatorRole,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
)
from storefront.marketplace.refusals import Refusal
from tests import email_fixtures, order_fixtures
from tests.order_fixtures import PASSWORD, audit_count, html_text

people = order_fixtures.people
smtp_server = email_fixtures.smtp_server




@pytest.fixture
def failed_email(app, session, people) -> OutboxMessage:
    """An invitation the worker gave up on (the test's relay, port 9, refuses everything)."""
    user = invitations.invite(session, email="nouveau@example.com", name="Nouveau", role=Role.OPERATOR,
                              secret_key=app.secret_key, invited_by=people.operator,
                              operator_role=OperatorRole.SUPPORT, locale="fr")
    session.commit()  # the first attempt runs now, and fails
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == user.email)).one()
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id)
                    .values(status=OutboxStatus.FAILED, attempts=12))
    session.commit()
    session.refresh(message)
    assert message.last_error
    return message


# --- Operations ----------------------------------------------------------------------------------


def test_an_operator_retries_a_failed_email_and_it_arrives(session, staff_of, failed_email, smtp_server):
    visitor = staff_of(OperatorRole.ADMIN)
    page = visitor.page("/backoffice/operations")
    row = re.search(rf'<tr data-testid="outbox-row" data-id="{failed_email.id}".*?</tr>', page, re.S).group(0)
    assert 'data-status="FAILED"' in row and "invitation" in row and "nouveau@example.com" in row
    assert ">12<" in row  # attempts
    response = visitor.post(f"/backoffice/operations/emails/{failed_email.id}/retry?status=FAILED")
    assert response.status_code == 302 and response.headers["Location"].endswith("/backoffice/operations?status=FAILED")
    session.expire_all()
    message = session.get(OutboxMessage, failed_email.id)
    assert message.status == OutboxStatus.SENT
    [received] = smtp_server.messages
    assert received["To"] == "nouveau@example.com"
    entry = session.scalars(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "outbox.retry")).one()
    assert (entry.before["status"], entry.after["status"], entry.before["attempts"]) == ("FAILED", "PENDING", 12)
    # sent: nothing to retry nor cancel any more
    entries = audit_count(session)
    refused = visitor.post(f"/backoffice/operations/emails/{failed_email.id}/cancel", follow_redirects=True)
    assert "can no longer be cancelled" in html_text(refused.get_data(as_text=True))
    assert audit_count(session) == entries
    assert 'data-status="SENT"' in visitor.page("/backoffice/operations?status=SENT")


def test_cancel_a_waiting_email(session, staff_of, failed_email):
    visitor = staff_of(OperatorRole.ADMIN)
    assert visitor.post(f"/backoffice/operations/emails/{failed_email.id}/cancel").status_code == 302
    session.expire_all()
    assert session.get(OutboxMessage, failed_email.id).status == OutboxStatus.CANCELED
    assert f'data-id="{failed_email.id}"' not in visitor.page("/backoffice/operations")  # default: needs attention
    assert f'data-id="{failed_email.id}"' in visitor.page("/backoffice/operations?status=CANCELED")
    entry = session.scalars(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "outbox.cancel")).one()
    assert (entry.before, entry.after) == ({"status": "FAILED"}, {"status": "CANCELED"})


def test_outbox_services_refuse_what_is_sent(session, people, failed_email):
    session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT))
    with pytest.raises(InvalidValue) as refused:
        outbox_admin.retry(session, people.operator, failed_email.id)
    assert refused.value.details["reason"] == Refusal.EMAIL_NOT_RETRYABLE


@pytest.mark.parametrize("query", ["?status=NOPE&kind=%00&page=-1&runs_page=99999999999", "?job=<script>&page=abc",
                                   "?status=FAILED&kind=invitation&page=2"])
def test_filters_from_the_url_never_break_the_page(staff_of, people, query):
    assert staff_of(OperatorRole.ADMIN).get(f"/backoffice/operations{query}").status_code == 200


def test_scheduled_jobs_record_their_runs(app, session, staff_of, people):
    from storefront.jobs.deadlines import cancel_overdue_orders

    assert "cancel_overdue_orders" in jobs.scheduled_names()
    with app.app_context():
        cancel_overdue_orders.call_local()

        def broken():
            raise RuntimeError("the relay is down")

        broken.__name__ = "sweep_outbox"
        with pytest.raises(RuntimeError):
            jobs._recorded(broken)()
    session.expire_all()
    runs = {run.name: run for run in session.scalars(select(JobRun))}
    assert runs["cancel_overdue_orders"].ok is True and runs["cancel_overdue_orders"].message == "0"
    assert runs["cancel_overdue_orders"].finished_at is not None
    assert runs["sweep_outbox"].ok is False and "RuntimeError: the relay is down" in runs["sweep_outbox"].message
    page = staff_of(OperatorRole.ADMIN).page("/backoffice/operations")
    job_row = re.search(r'<tr data-testid="job-row" data-job="sweep_outbox">.*?</tr>', page, re.S).group(0)
    assert 'data-testid="job-error"' in job_row and "the relay is down" in job_row
    one_job = staff_of(OperatorRole.ADMIN).page("/backoffice/operations?job=cancel_overdue_orders")
    assert one_job.count('data-testid="run-row"') == 1


def test_failed_webhooks_link_to_the_deliveries(staff_of, people):
    page = staff_of(OperatorRole.ADMIN).page("/backoffice/operations")
    assert "0 deliveries given up." in html_text(page)
    assert "/backoffice/integrations/deliveries?status=FAILED" in page


# --- 403 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [OperatorRole.SUPPORT, OperatorRole.CATALOG, OperatorRole.FINANCE])
def test_roles_without_the_permissions_get_403_and_nothing_changes(session, staff_of, failed_email, role):
    visitor = staff_of(role)
    other = accounts.find_user(session, "service@example.com")
    entries = audit_count(session)
    for path in ["/backoffice/operations", "/backoffice/audit", "/backoffice/staff"]:
        assert visitor.get(path).status_code == 403, path
    for path, data in [
        (f"/backoffice/operations/emails/{failed_email.id}/retry", {}),
        (f"/backoffice/operations/emails/{failed_email.id}/cancel", {}),
        ("/backoffice/staff/invite", {"email": "x@example.com", "role": "ADMIN", "locale": "fr"}),
        (f"/backoffice/staff/{other.id}/role", {"role": "CATALOG"}),
        (f"/backoffice/staff/{other.id}/deactivate", {}),
    ]:
        assert visitor.post(path, data).status_code == 403, path
    assert audit_count(session) == entries
    session.expire_all()
    assert session.get(OutboxMessage, failed_email.id).status == OutboxStatus.FAILED
    assert accounts.find_user(session, "x@example.com") is None
    assert session.get(User, other.id).active


# --- Audit log -----------------------------------------------------------------------------------


def test_the_audit_log_filters_and_shows_before_and_after(session, people, staff_of):
    admin = staff_of(OperatorRole.ADMIN)
    clerk = accounts.create_user(session, "clerk@staff.example.com", PASSWORD, role=Role.OPERATOR,
                                 operator_role=OperatorRole.SUPPORT)
    session.commit()
    for role in ["FINANCE", "CATALOG", "SUPPORT"] * 10:
        staff.set_role(session, people.operator, clerk, role)
        session.commit()
    page = admin.page("/backoffice/audit")
    assert "30 changes" in html_text(page)
    assert page.count('data-testid="audit-log-row"') == 25 and 'data-testid="pager-page"' in page
    assert admin.page("/backoffice/audit?page=2").count('data-testid="audit-log-row"') == 5
    filtered = admin.page(f"/backoffice/audit?actor=service%40&action=staff.role&kind=user_account&object={clerk.id}")
    assert "30 changes" in html_text(filtered)
    assert "&#34;role&#34;: &#34;SUPPORT&#34;" in filtered or '"role": "SUPPORT"' in filtered
    assert f'href="/backoffice/staff" data-testid="audit-target-link">{clerk.id}<' in filtered
    assert "0 changes" in html_text(admin.page("/backoffice/audit?actor=nobody"))
    assert "0 changes" in html_text(admin.page("/backoffice/audit?until=2000-01-01"))
    for query in ["?since=2026-13-45&page=0", "?object=%00<b>&kind=x'--", "?page=999999999999999"]:
        assert admin.get(f"/backoffice/audit{query}").status_code == 200


def test_every_page_an_audit_entry_links_to_exists(app):
    from storefront.backoffice.operations import TARGET_PAGES

    for kind, candidates in TARGET_PAGES.items():
        for endpoint, _parameter in candidates:
            assert endpoint in app.view_functions, (kind, endpoint)


def test_audit_entries_link_to_the_object_they_changed(session, people, staff_of):
    from storefront.marketplace import operator_audit

    for action, kind, target_id, summary in [
        ("product.updated", "product", 12, ""),
        ("category.renamed", "category", 3, ""),
        ("seller.suspend", "seller", 7, "maison-durand"),
        ("customer.block", "user_account", 41, "a@b.example"),
        ("event.create", "event_category", 5, "Soldes"),
        ("delivery.zone.update", "zone", 2, ""),
    ]:
        operator_audit.record(session, people.operator, action, target_kind=kind, target_id=target_id,
                              summary=summary)
    session.commit()
    page = staff_of(OperatorRole.ADMIN).page("/backoffice/audit")
    for href in ["/backoffice/products/12", "/backoffice/categories/3", "/backoffice/sellers/maison-durand",
                 "/backoffice/customers/41", "/backoffice/events/5", "/backoffice/delivery/zones/2"]:
        assert f'href="{href}" data-testid="audit-target-link"' in page, href


# --- Staff ---------------------------------------------------------------------------------------


def test_invite_a_staff_member_who_receives_the_email(session, staff_of, smtp_server):
    admin = staff_of(OperatorRole.ADMIN)
    page = admin.page("/backoffice/staff")
    assert 'data-email="service@example.com"' in page and 'data-testid="invite-form"' in page
    response = admin.post("/backoffice/staff/invite", {"email": "Lea@Example.com", "name": "Léa", "role": "FINANCE",
                                                        "locale": "fr"})
    assert response.status_code == 302
    user = accounts.find_user(session, "lea@example.com")
    assert (user.role, user.operator_role, user.active) == (Role.OPERATOR, OperatorRole.FINANCE, True)
    [received] = smtp_server.messages
    assert received["To"] == "lea@example.com"
    assert "/compte/invitation/" in received.get_body(("plain",)).get_content()
    entry = session.scalars(select(OperatorAuditEntry).where(OperatorAuditEntry.action == "staff.invite")).one()
    assert entry.after == {"email": "lea@example.com", "name": "Léa", "role": "FINANCE"}
    assert 'data-testid="invitation-pending"' in admin.page("/backoffice/staff")
    # the same address again: refused next to the field, the typed value kept
    again = admin.post("/backoffice/staff/invite", {"email": "lea@example.com", "role": "ADMIN", "locale": "fr"})
    assert again.status_code == 422
    text = again.get_data(as_text=True)
    assert 'data-testid="error-email"' in text and 'value="lea@example.com"' in text


@pytest.mark.parametrize("data", [{"email": "not an address", "role": "ADMIN", "locale": "fr"},
                                  {"email": "a@example.com", "role": "KING", "locale": "fr"},
                                  {"email": "a@example.com", "role": "ADMIN", "locale": "de"},
                                  {"email": "a@example.com", "name": "x\x00y", "role": "ADMIN", "locale": "fr"}])
def test_bad_invitations_are_refused_without_500(session, staff_of, data):
    entries = audit_count(session)
    assert staff_of(OperatorRole.ADMIN).post("/backoffice/staff/invite", data).status_code == 422
    assert audit_count(session) == entries


def test_change_a_role_and_deactivate(session, people, staff_of):
    admin = staff_of(OperatorRole.ADMIN)
    other = people.operator
    assert admin.post(f"/backoffice/staff/{other.id}/role", {"role": "CATALOG"}).status_code == 302
    session.expire_all()
    assert session.get(User, other.id).operator_role == OperatorRole.CATALOG
    assert admin.post(f"/backoffice/staff/{other.id}/deactivate").status_code == 302
    session.expire_all()
    assert not session.get(User, other.id).active
    actions = [e.action for e in session.scalars(select(OperatorAuditEntry).order_by(OperatorAuditEntry.id))]
    assert actions == ["staff.role", "staff.deactivate"]
    assert admin.post(f"/backoffice/staff/{other.id}/reactivate").status_code == 302
    session.expire_all()
    assert session.get(User, other.id).active
    # a customer's account is not staff; an unknown id is a message too
    for user_id in [people.customer.id, 2147483647]:
        response = admin.post(f"/backoffice/staff/{user_id}/deactivate", follow_redirects=True)
        assert response.status_code == 200
    assert session.get(User, people.customer.id).active


def test_not_oneself_and_not_the_last_admin(session, people, staff_of):
    admin = staff_of(OperatorRole.ADMIN)
    me = accounts.find_user(session, "admin@staff.example.com")
    response = admin.post(f"/backoffice/staff/{me.id}/deactivate", follow_redirects=True)
    assert "cannot deactivate your own account" in html_text(response.get_data(as_text=True))
    people.operator.operator_role = OperatorRole.SUPPORT  # I am the only admin left
    session.commit()
    entries = audit_count(session)
    response = admin.post(f"/backoffice/staff/{me.id}/role", {"role": "FINANCE"}, follow_redirects=True)
    assert "at least one active administrator" in html_text(response.get_data(as_text=True))
    session.expire_all()
    assert session.get(User, me.id).operator_role == OperatorRole.ADMIN and session.get(User, me.id).active
    assert audit_count(session) == entries


def test_the_last_active_admin_cannot_be_deactivated(session, people):
    # Through the service (on the page the actor is an admin too): an admin with no account of
    # its own left active (a script, say) still cannot remove the last one.
    other = accounts.create_user(session, "boss@example.com", PASSWORD, role=Role.OPERATOR,
                                 operator_role=OperatorRole.ADMIN)
    people.operator.active = False
    session.flush()
    with pytest.raises(NotAllowed) as refused:
        staff_accounts.deactivate(session, people.operator, other.id)
    assert refused.value.details["reason"] == Refusal.LAST_ADMIN


def test_last_login_is_shown(session, people, staff_of):
    admin = staff_of(OperatorRole.ADMIN)
    members = {m.user.email: m for m in staff_accounts.members(session)}
    assert members["admin@staff.example.com"].last_login is not None
    assert members["service@example.com"].last_login is None
    assert admin.get("/backoffice/staff").status_code == 200
