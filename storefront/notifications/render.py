"""Rendering an outbox message: the worker's first step, before it sends the message.

The service recorded the email's templates, language and values (``marketplace.outbox``); here
they become a subject, a text part and an HTML part, through the application's template loader
(so a theme overrides an email like any page), with links made absolute by ``links``. The
result is stored on the row before the first attempt, so every retry sends the same message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storefront import clock
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.models import OutboxMessage, utcnow
from storefront.marketplace.outbox import decode_context
from storefront.settings import LOCALES

from . import links

TEMPLATE_FOLDER = "emails"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(template: str, context: Mapping[str, object], locale: str) -> RenderedEmail:
    """Render ``templates/emails/<template>.subject.txt``, ``.txt`` and ``.html`` in ``locale``.

    Besides ``context`` the templates see ``public_url`` (absolute links: an email has no request
    to be relative to) and ``sent_on`` (today, in the shop's timezone), unless the context sets
    them; the text and HTML parts also see the rendered ``subject``.
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


def render_message(message: OutboxMessage) -> RenderedEmail:
    """The email a service recorded, in its recipient's language."""
    context = decode_context(message.context, links.resolve)
    return render_email(message.template, context, message.locale)


def render_and_store(session: Session, message: OutboxMessage) -> None:
    """Render ``message`` and write its parts, sender and Message-ID on the row (not committed).

    The Message-ID is chosen here, once: a message sent again after a lost acknowledgement
    carries the same one, and mail clients recognise the duplicate.
    """
    rendered = render_message(message)
    sender = current_app.config["MAIL_FROM"]
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.rendered_at.is_(None))
        .values(
            subject=rendered.subject[:400],
            text_body=rendered.text,
            html_body=rendered.html,
            sender=sender,
            message_id=make_msgid(domain=_domain_of(sender)),
            rendered_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def render_pending(session: Session) -> int:
    """Render every message not rendered yet, without sending it (the theme check, the demo's
    links); commits. Returns how many."""
    pending = list(session.scalars(select(OutboxMessage).where(OutboxMessage.rendered_at.is_(None))))
    for message in pending:
        render_and_store(session, message)
    session.commit()
    for message in pending:  # written by UPDATE: read again when next used, not one by one now
        session.expire(message)
    return len(pending)


def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "storefront.localhost"
