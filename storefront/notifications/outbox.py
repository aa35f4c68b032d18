"""Writing emails to the outbox.

A service that causes an email calls :func:`enqueue_email` inside its own transaction (its
``@atomic``): the message is rendered at once, in the recipient's language, and saved with the
change that caused it. If that transaction rolls back, there is no message; if it commits, the
message will be delivered, even if the web process dies the next instant.

Delivery starts right after the commit: a session event hands the new ids to whatever
:func:`deliver_after_commit` registered (the Huey task in ``storefront/jobs/email.py``). That is
only for promptness: the worker's periodic sweep delivers every due message anyway, so a lost
hook (a crash between commit and enqueue, the queue unreachable) delays a message, never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from storefront import clock
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OutboxMessage, OutboxStatus, utcnow
from storefront.settings import LOCALES

log = logging.getLogger(__name__)

TEMPLATE_FOLDER = "emails"
_NEW_IDS = "storefront.outbox.new_ids"  # key in Session.info: ids written by the open transaction
_triggers: list[Callable[[int], object]] = []


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: Mapping[str, object], locale: str) -> RenderedEmail:
    """Render ``templates/emails/<template>.subject.txt``, ``.txt`` and ``.html`` in ``locale``.

    Templates go through the application's loader, so a theme overrides them like any page.
    Besides ``context`` they see ``public_url`` (absolute links: an email has no request to be
    relative to) and ``sent_on`` (today, in the shop's timezone), unless the context sets them;
    the text and HTML parts also see the rendered ``subject``.
    Needs an application context, not a request.
    """
    if locale not in LOCALES:
        raise InvalidValue(f"no emails in {locale!r}; the shop speaks {', '.join(LOCALES)}")
    config = current_app.config
    values = {
        "public_url": config["PUBLIC_URL"],
        "sent_on": clock.today(),
        **context,
    }
    name = f"{TEMPLATE_FOLDER}/{template}"
    with force_locale(locale):
        # One line, whatever the template's whitespace: a header cannot hold a line break.
        subject = " ".join(render_template(f"{name}.subject.txt", **values).split())
        text = render_template(f"{name}.txt", subject=subject, **values)
        html = render_template(f"{name}.html", subject=subject, **values)
    return RenderedEmail(subject=subject, text=text.strip() + "\n", html=html)


def enqueue_email(
    session: Session,
    *,
    to: str,
    template: str,
    context: Mapping[str, object],
    locale: str,
    kind: str = "",
) -> OutboxMessage:
    """Render an email and add it to the outbox, in the caller's transaction (never commits).

    ``kind`` labels the message for the operator (it defaults to the template's name).
    Raises :class:`InvalidValue` for an unusable address or locale, so that the caller's
    transaction rolls back with the event that wanted to send it.
    """
    address = _valid_address(to)
    rendered = render_email(template, context, locale)
    sender = current_app.config["MAIL_FROM"]
    message = OutboxMessage(
        kind=(kind or template)[:40],
        locale=locale,
        sender=sender,
        to_address=address,
        subject=rendered.subject[:400],
        text_body=rendered.text,
        html_body=rendered.html,
        message_id=make_msgid(domain=_domain_of(sender)),
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()  # the id, for the delivery task queued after commit
    session.info.setdefault(_NEW_IDS, []).append(message.id)
    return message


def deliver_after_commit(trigger: Callable[[int], object]) -> Callable[[int], object]:
    """Call ``trigger(message_id)`` for each message of a transaction, once it has committed.

    Registered once by the job queue; usable as a decorator.
    """
    if trigger not in _triggers:
        _triggers.append(trigger)
    return trigger


@event.listens_for(Session, "after_commit")
def _queue_delivery(session: Session) -> None:
    ids = session.info.pop(_NEW_IDS, [])
    for message_id in ids:
        for trigger in _triggers:
            try:
                trigger(message_id)
            except Exception:
                # The data is committed: failing here would tell the caller the opposite. The
                # sweep will deliver the message.
                log.exception("could not queue delivery of outbox message %s", message_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_NEW_IDS, None)


def _valid_address(to: str) -> str:
    try:
        return validate_email(to.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidValue(f"cannot send an email to {to!r}: {exc}") from None


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "storefront.localhost"
