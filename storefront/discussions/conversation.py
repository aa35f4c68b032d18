"""One conversation page, shared by the three sides: the customer (``/messages``), the seller
portal and the back office. Each blueprint finds the thread its own way (its access rules) and
hands it here with its URLs; the page, the htmx reply and the polling are the same everywhere.

The message list polls every few seconds for what is new (``after`` the last message shown) and
is replaced whole when something is, so a reply just posted by this page and the same message
fetched by the poll can never show twice. Messages newer than what the reader had read when the
page opened (``seen``) keep their "new" marker.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront.discussions.forms import MessageForm
from storefront.extensions import db
from storefront.marketplace import discussions
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import (
    ActorRole,
    Offer,
    RelationsModel,
    Seller,
    SellerOrder,
    Thread,
    User,
)
from storefront.web import query_params
from storefront.web.fragments import wants_fragment
from storefront.web.refusals import explain

POLL_SECONDS = 5


@dataclass(frozen=True)
class ThreadUrls:
    page: str  # the thread's page (redirect target after a plain POST)
    reply: str
    poll: str
    close: str | None = None


def load(thread_id: int, user: User) -> Thread:
    """The thread, if ``user`` takes part in it (or runs the shop); a 404 otherwise, never the data."""
    try:
        return discussions.get_thread(db.session, thread_id, user)
    except NotFound:
        abort(404)


def urls_for(thread: Thread, *, closable: bool) -> ThreadUrls:
    """The thread's URLs in the blueprint handling the request (its endpoints share names)."""
    return ThreadUrls(
        page=url_for(".thread", thread_id=thread.id),
        reply=url_for(".reply", thread_id=thread.id),
        poll=url_for(".poll", thread_id=thread.id),
        close=url_for(".close", thread_id=thread.id) if closable else None,
    )


def subjects(thread: Thread) -> dict:
    """What the thread is about, for the page header: the seller order and/or the offer."""
    return {
        "seller_order": db.session.get(SellerOrder, thread.seller_order_id) if thread.seller_order_id else None,
        "offer": db.session.get(Offer, thread.offer_id) if thread.offer_id else None,
    }


def message_context(thread: Thread, role: ActorRole, *, seen: int) -> dict:
    messages = discussions.visible_messages(db.session, thread, role)
    customer = db.session.get(User, thread.customer_id)
    return {
        "thread": thread,
        "thread_actions": discussions.available_actions(thread, role),
        "viewer_role": role.value,
        "messages": messages,
        "last_id": messages[-1].id if messages else 0,
        "seen": seen,
        "seller_name": thread_seller_name(thread),
        "customer_label": discussions.customer_name(customer),
        "poll_seconds": POLL_SECONDS,
    }


def thread_seller_name(thread: Thread) -> str:
    seller = db.session.get(Seller, thread.seller_id)
    return seller.name if seller else ""


def page(thread: Thread, template: str, urls: ThreadUrls, *, form: MessageForm | None = None,
         status: int = 200, **extra):
    """The thread's page; marks what it shows as read."""
    user = current_user._get_current_object()
    role = discussions.role_in(thread, user)
    seen = discussions.last_read(db.session, thread, user)
    discussions.mark_read(db.session, thread, user)
    context = message_context(thread, role, seen=seen)
    body = render_template(
        template,
        urls=urls,
        form=form or new_form(thread, role),
        can_post=discussions.ThreadAction.REPLY in context["thread_actions"],
        choose_recipient=choose_recipient(thread, role),
        **context,
        **extra,
    )
    return body, status


def new_form(thread: Thread, role: ActorRole) -> MessageForm:
    form = MessageForm(formdata=None)
    if choose_recipient(thread, role):
        form.to.data = "CUSTOMER"
    return form


def choose_recipient(thread: Thread, role: ActorRole) -> bool:
    return role == ActorRole.OPERATOR and thread.model == RelationsModel.MEDIATED


def reply(thread: Thread, template: str, urls: ThreadUrls, **extra):
    """Post the form's message. htmx gets the message partial (appended to the list) or the form
    again with its error; a plain form gets a redirect, or the page with the error."""
    user = current_user._get_current_object()
    role = discussions.role_in(thread, user)
    form = MessageForm()
    status = 422
    if form.validate_on_submit():
        to = ActorRole(form.to.data) if choose_recipient(thread, role) and form.to.data else None
        try:
            message = discussions.post_message(db.session, thread, user, form.body.data, to=to)
        except DomainError as error:
            form.body.errors = [*form.body.errors, explain(error)]
            status = error.status
        else:
            if wants_fragment():
                context = message_context(thread, role, seen=message.id)
                response = make_response(
                    render_template("discussions/partials/message.html", message=message, **context)
                )
                response.vary.add("HX-Request")
                return response
            flash(_("Your message has been sent."), "success")
            return redirect(urls.page)
    if wants_fragment():
        response = make_response(
            render_template(
                "discussions/partials/message_form.html",
                thread=thread,
                form=form,
                urls=urls,
                choose_recipient=choose_recipient(thread, role),
            ),
            status,
        )
        # The form comes back in place of itself, with the error next to the message.
        response.headers["HX-Retarget"] = f"#message-form-{thread.id}"
        response.headers["HX-Reswap"] = "outerHTML"
        response.vary.add("HX-Request")
        return response
    return page(thread, template, urls, form=form, status=status, **extra)


def poll(thread: Thread, urls: ThreadUrls):
    """What is new after ``after``: 204 when nothing, else the whole list again."""
    user = current_user._get_current_object()
    role = discussions.role_in(thread, user)
    after = _int(request.args.get("after"))
    seen = _int(request.args.get("seen"))
    messages = discussions.visible_messages(db.session, thread, role)
    if not messages or messages[-1].id <= after:
        response = make_response("", 204)
    else:
        discussions.mark_read(db.session, thread, user)
        context = message_context(thread, role, seen=seen)
        response = make_response(
            render_template("discussions/partials/messages.html", poll_url=urls.poll, **context)
        )
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


def close(thread: Thread, urls: ThreadUrls):
    try:
        discussions.close_thread(db.session, thread, current_user._get_current_object())
    except DomainError as error:
        flash(explain(error), "error")
    else:
        flash(_("The conversation is closed."), "success")
    return redirect(urls.page)


def _int(raw: str | None) -> int:
    return query_params.whole(raw, high=query_params.MAX_ID) or 0
