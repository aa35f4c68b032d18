"""Seller portal: the shop's colleagues (``/seller/colleagues``). Every account of the shop
sees the list; only the seller's admin invites and removes (others get 403), through
``marketplace.colleagues``."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from storefront.extensions import db
from storefront.marketplace import colleagues
from storefront.marketplace.errors import DomainError
from storefront.marketplace.models import User
from storefront.seller import bp
from storefront.seller.views import seller_admin
from storefront.settings import LOCALES
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1


class InviteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter your colleague's name.")),
                                               Length(max=colleagues.MAX_NAME)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your colleague's email address.")),
                                                Email(_l("Enter a valid email address.")), Length(max=254)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the page around it is the confirmation."""


def _me():
    return current_user._get_current_object()


def _admin_only() -> None:
    if not seller_admin():
        abort(403)


@bp.get("/colleagues")
def colleagues_page():
    return _page(InviteForm(formdata=None) if seller_admin() else None)


@bp.post("/colleagues")
def invite_colleague():
    _admin_only()
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    locale = str(get_locale() or "fr")
    try:
        colleagues.invite(
            db.session, _me(), name=form.name.data, email=form.email.data,
            secret_key=current_app.secret_key, locale=locale if locale in LOCALES else "fr",
        )
    except DomainError as error:
        db.session.rollback()
        field = form.email if error.details.get("field") == "email" or "reason" in error.details else form.name
        field.errors = [*field.errors, explain(error)]
        return _page(form, 422)
    flash(_("Invitation sent to %(email)s: your colleague chooses a password from the link in it.",
            email=form.email.data.strip().lower()), "success")
    return redirect(url_for(".colleagues_page"))


@bp.get(f"/colleagues/<int(max={MAX_ID}):user_id>/remove")
def confirm_remove_colleague(user_id: int):
    _admin_only()
    return render_template("seller/colleague_remove.html", colleague=_colleague(user_id), form=ConfirmForm())


@bp.post(f"/colleagues/<int(max={MAX_ID}):user_id>/remove")
def remove_colleague(user_id: int):
    _admin_only()
    colleague = _colleague(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        colleagues.remove(db.session, _me(), colleague)
    except DomainError as error:
        db.session.rollback()
        flash(explain(error), "error")
    else:
        flash(_("%(name)s can no longer sign in to your shop.", name=colleague.name or colleague.email), "success")
    return redirect(url_for(".colleagues_page"))


def _colleague(user_id: int) -> User:
    user = db.session.get(User, user_id)
    # Another shop's account answers 404, as if it did not exist (the portal's rule).
    if user is None or user.seller_id != current_user.seller_id:
        abort(404)
    return user


def _page(form: InviteForm | None, status: int = 200):
    return render_template(
        "seller/colleagues.html", team=colleagues.colleagues(db.session, _me().seller),
        form=form, me=_me(),
    ), status
