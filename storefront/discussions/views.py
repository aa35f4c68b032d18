"""Customer pages of conversations: inbox, new question (about a product or an order), thread.

Customers only: a seller or an operator has their own pages (portal, back office). Another
customer's thread, or one of their orders, answers 404 as if it did not exist.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from storefront.discussions import bp, conversation
from storefront.discussions.forms import MessageEmailsForm, NewThreadForm
from storefront.extensions import db, login_manager
from storefront.marketplace import discussions, orders, preferences
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import (
    CustomerOrder,
    Offer,
    OfferState,
    RelationsModel,
    Role,
    SellerOrder,
)
from storefront.web import query_params
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
PAGE_TEMPLATE = "discussions/thread_page.html"


@bp.before_request
def customers_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != Role.CUSTOMER:
        abort(403)
    return None


@bp.get("/")
def inbox():
    me = current_user._get_current_object()
    threads = discussions.threads_for(db.session, me, limit=100)
    return render_template(
        "discussions/inbox.html",
        threads=threads,
        unread=discussions.unread_counts(db.session, me, [t.id for t in threads]),
        preference_form=MessageEmailsForm(message_emails=me.message_emails),
    )


@bp.post("/preferences")
def email_preference():
    form = MessageEmailsForm()
    if form.validate_on_submit():
        discussions.set_message_emails(
            db.session, current_user._get_current_object(), bool(form.message_emails.data)
        )
        flash(_("Your email preference is saved."), "success")
    return redirect(url_for(".inbox"))


@bp.route("/nouveau", methods=["GET", "POST"])
def new_about_offer():
    """A question to the seller of an offer, from the product page."""
    offer = _offer(request.args.get("offre", ""))
    choices = discussions.topics(db.session, about_offer=True)
    return _new_thread(choices, seller=offer.seller, offer=offer, about=offer.product.title)


@bp.route("/commande/<string(maxlength=24):number>/nouveau", methods=["GET", "POST"])
def new_about_order(number: str):
    """A question about one seller's part of the customer's order, from "My orders"."""
    seller_order = db.session.scalar(
        select(SellerOrder)
        .join(CustomerOrder, CustomerOrder.id == SellerOrder.customer_order_id)
        .where(
            SellerOrder.number == orders.clean_number(number),
            CustomerOrder.customer_id == current_user.id,
        )
    )
    if seller_order is None:
        abort(404)
    choices = discussions.topics(db.session, about_order=True)
    return _new_thread(
        choices, seller=seller_order.seller, seller_order=seller_order, about=seller_order.number
    )


def _new_thread(choices, *, seller, about: str, offer=None, seller_order=None):
    form = NewThreadForm()
    form.topic.choices = [SelectChoice("", _("Choose a subject"))] + [
        SelectChoice(t.code, t.label_for(_locale())) for t in choices
    ]
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                thread = discussions.open_thread(
                    db.session,
                    current_user._get_current_object(),
                    seller,
                    form.topic.data,
                    form.body.data,
                    seller_order=seller_order,
                    offer=offer,
                )
            except DomainError as error:
                form.body.errors = [*form.body.errors, explain(error)]
                status = error.status
            else:
                flash(_("Your message has been sent."), "success")
                return redirect(url_for(".thread", thread_id=thread.id))
    # Said on the page: in the mediated model the shop's customer service answers.
    mediated = preferences.get(db.session, "relations_model") == RelationsModel.MEDIATED.value
    return render_template(
        "discussions/new_thread.html",
        form=form,
        seller=seller,
        about=about,
        offer=offer,
        seller_order=seller_order,
        mediated=mediated,
    ), status


@bp.get(f"/<int(max={MAX_ID}):thread_id>")
def thread(thread_id: int):
    found = conversation.load(thread_id, current_user._get_current_object())
    return conversation.page(found, PAGE_TEMPLATE, conversation.urls_for(found, closable=True), **conversation.subjects(found))


@bp.post(f"/<int(max={MAX_ID}):thread_id>/repondre")
def reply(thread_id: int):
    found = conversation.load(thread_id, current_user._get_current_object())
    return conversation.reply(found, PAGE_TEMPLATE, conversation.urls_for(found, closable=True), **conversation.subjects(found))


@bp.get(f"/<int(max={MAX_ID}):thread_id>/nouveaux")
def poll(thread_id: int):
    found = conversation.load(thread_id, current_user._get_current_object())
    return conversation.poll(found, conversation.urls_for(found, closable=True))


@bp.post(f"/<int(max={MAX_ID}):thread_id>/clore")
def close(thread_id: int):
    found = conversation.load(thread_id, current_user._get_current_object())
    return conversation.close(found, conversation.urls_for(found, closable=True))






def _offer(raw: str) -> Offer:
    offer_id = query_params.identifier(raw)
    offer = db.session.get(Offer, offer_id) if offer_id is not None else None
    if offer is None or offer.state != OfferState.ACTIVE:
        abort(404)
    return offer


def _locale() -> str:
    return str(get_locale())
