"""Account views: thin adapters over the accounts, password-reset and address-book services.

A form with something wrong is shown again with what was typed (passwords excepted) and a
message next to the field, with status 422; a rule a service refuses becomes such a message too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from storefront import auth
from storefront.account import bp
from storefront.account.forms import (
    AddressForm,
    ChangePasswordForm,
    LoginForm,
    PasswordForgotForm,
    PasswordResetForm,
    RegisterForm,
    ResendConfirmationForm,
)
from storefront.extensions import db, limiter
from storefront.marketplace import accounts, addresses, invitations, password_reset, registration
from storefront.marketplace.errors import (
    DomainError,
    InvalidValue,
    NotAllowed,
    NotDeliverable,
    NotFound,
)
from storefront.marketplace.models import User
from storefront.web import login_throttle
from storefront.web.forms import COUNTRY_NAMES
from storefront.web.refusals import explain

# Per client IP (storefront.extensions.limiter): slows down password guessing, account creation
# in bulk, and reset emails sent to someone else's inbox. GETs are not counted.
FORM_POSTS_LIMIT = "10 per minute"
# Largest id the routes accept: beyond it no row exists, and PostgreSQL's integer would overflow.
MAX_ID = 2**31 - 1


# --- Signing in and out --------------------------------------------------------------------------


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_local_path(request.args.get("next")) or url_for(".home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        # Failed log-ins per account and per address, decided before the password is checked.
        attempt = login_throttle.attempt(form.email.data)
        if attempt.refused:
            form.form_errors.append(attempt.message)
            return _form_page("account/login.html", form)[0], 429
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data)
        except NotAllowed as error:
            # A blocked customer who typed the right password: told why (nobody else is).
            attempt.succeeded()
            form.form_errors.append(explain(error))
            return _form_page("account/login.html", form)
        if user is None:
            attempt.failed()
            # The same words whether the email or the password was wrong (no account enumeration).
            form.form_errors.append(_("Wrong email address or password."))
        else:
            attempt.succeeded()
            auth.sign_in(user, remember=form.remember.data)
            flash(_("Hello %(name)s, you are logged in.", name=user.name or user.email), "success")
            return redirect(_local_path(form.next.data) or url_for(".home"))
    return _form_page("account/login.html", form)


@bp.post("/deconnexion")
def logout():
    # POST only, with the CSRF token (CSRFProtect): a link or an image elsewhere cannot log
    # a shopper out. The session ends on the server too (auth.sign_out).
    auth.sign_out()
    flash(_("You are logged out."), "info")
    return redirect(url_for("shop.home"))


@bp.post("/deconnexion-partout")
@login_required
def logout_everywhere():
    """Every device signed in to the account is signed out, this one too (a lost phone, a
    shared computer, a doubt)."""
    auth.sign_out_everywhere(_me())
    flash(_("You are logged out on every device. Log in again to continue."), "info")
    return redirect(url_for(".login"))


@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for(".home"))
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        # The same answer whether the address is new or has an account (no account enumeration):
        # the service emails its owner either a confirmation link or "someone tried to register".
        # Nobody is logged in here, else a known address would show.
        try:
            registration.register(
                db.session,
                form.email.data,
                form.password.data,
                name=form.name.data,
                locale=str(get_locale()),
                secret_key=current_app.secret_key,
            )
        except IntegrityError:
            pass  # the same address registered by another request a moment before: same answer
        except InvalidValue as error:
            form.form_errors.append(explain(error))
            return _form_page("account/register.html", form)
        _flash_check_your_email(form.email.data)
        return redirect(url_for(".register_sent"))
    return _form_page("account/register.html", form)


@bp.get("/inscription/verifiez-vos-emails")
def register_sent():
    return render_template("account/register_sent.html", form=ResendConfirmationForm())


@bp.get("/confirmation/<string(maxlength=400):token>")
def confirm_email(token: str):
    try:
        user = registration.confirm_email(db.session, token, current_app.secret_key)
    except registration.ConfirmationLinkInvalid as error:
        status = 410 if isinstance(error, registration.ConfirmationLinkExpired) else 400
        page = render_template(
            "account/confirm_email.html", form=ResendConfirmationForm(),
            link_error=_confirmation_link_message(error),
        )
        return _no_store(page, status)
    flash(_("Your email address is confirmed. Thank you!"), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for(".home"))
    # Opening the link proves the inbox, not the password: the owner logs in as usual.
    return redirect(url_for(".login"))


@bp.post("/confirmation/renvoyer")
@limiter.limit(FORM_POSTS_LIMIT)
def resend_confirmation():
    """A new confirmation link, if the address has an account waiting for one (the same answer
    for any address; the service sends at most one every few minutes per inbox)."""
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        registration.resend_confirmation(
            db.session, form.email.data, secret_key=current_app.secret_key
        )
        _flash_check_your_email(form.email.data)
        return redirect(url_for(".home") if current_user.is_authenticated else url_for(".register_sent"))
    return _form_page("account/register_sent.html", form)


@bp.get("/")
@login_required
def home():
    default = addresses.default_address(db.session, _me())
    return render_template(
        "account/home.html", default_address=default, country_names=COUNTRY_NAMES
    )


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def change_password():
    """A new password, given the current one. Every other device is signed out; this one stays
    signed in with a new session (a copy of its old cookies is void too)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        me = _me()
        try:
            accounts.change_password(
                db.session, me, form.current_password.data, form.password.data
            )
        except InvalidValue as error:
            field = error.details.get("field")
            (form[field].errors if field in form else form.password.errors).append(explain(error))
        else:
            auth.sign_in(me, remember=auth.has_remember_cookie())
            flash(_("Your password has been changed. Your other devices are logged out."),
                  "success")
            return redirect(url_for(".home"))
    return _form_page("account/change_password.html", form)


# --- Password reset ------------------------------------------------------------------------------


@bp.route("/mot-de-passe/oublie", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def password_forgot():
    form = PasswordForgotForm()
    if form.validate_on_submit():
        password_reset.request_password_reset(
            db.session,
            form.email.data,
            secret_key=current_app.secret_key,
            locale=str(get_locale()),
        )
        # Word for word the same whether an account exists or not (no account enumeration).
        flash(
            _(
                "If an account exists for %(email)s, we have just sent it an email with a link "
                "to choose a new password. The link works for %(minutes)d minutes.",
                email=form.email.data,
                minutes=password_reset.RESET_MAX_AGE_SECONDS // 60,
            ),
            "info",
        )
        return redirect(url_for(".password_forgot"))
    return _form_page("account/password_forgot.html", form)


@bp.route("/mot-de-passe/nouveau/<string(maxlength=400):token>", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def password_reset_page(token: str):
    try:
        user = password_reset.user_for_reset_token(db.session, token, current_app.secret_key)
    except password_reset.ResetLinkInvalid as error:
        # 410 Gone for a link that worked once (expired, or used); 400 for one that never did.
        status = 400 if type(error) is password_reset.ResetLinkInvalid else 410
        page = render_template(
            "account/password_reset.html", form=None, link_error=_reset_link_message(error)
        )
        return _no_store(page, status)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(db.session, user, form.password.data)
        except InvalidValue as error:
            form.password.errors.append(error.message)
        else:
            flash(_("Your password has been changed. You can log in with it now."), "success")
            return redirect(url_for(".login"))
    page, status = _form_page("account/password_reset.html", form, link_error=None)
    return _no_store(page, status)


@bp.route("/invitation/<string(maxlength=400):token>", methods=["GET", "POST"])
@limiter.limit(FORM_POSTS_LIMIT, methods=["POST"])
def accept_invitation(token: str):
    """The page an invitation email links to: the invited person chooses a password."""
    try:
        user = invitations.user_for_token(db.session, token, current_app.secret_key)
    except invitations.InvitationInvalid as error:
        status = 400 if type(error) is invitations.InvitationInvalid else 410
        message = {
            invitations.InvitationExpired: _("This invitation has expired. Ask the person who invited you for a new one."),
            invitations.InvitationUsed: _("This invitation has been used already: log in with your password."),
        }.get(type(error), _("This invitation link is not valid. Check that you copied all of it."))
        page = render_template("account/accept_invitation.html", form=None, link_error=message)
        return _no_store(page, status)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            invitations.accept(db.session, token, form.password.data, secret_key=current_app.secret_key)
        except InvalidValue as error:
            form.password.errors.append(error.message)
        else:
            flash(_("Your password is saved. Log in with it now."), "success")
            return redirect(url_for(".login"))
    page, status = _form_page("account/accept_invitation.html", form, link_error=None, invited=user)
    return _no_store(page, status)


# --- Address book --------------------------------------------------------------------------------


@bp.get("/adresses")
@login_required
def address_book():
    return render_template(
        "account/addresses.html",
        addresses=addresses.addresses_of(db.session, _me()),
        country_names=COUNTRY_NAMES,
    )


@bp.route("/adresses/nouvelle", methods=["GET", "POST"])
@login_required
def address_new():
    form = AddressForm()
    if form.validate_on_submit():
        try:
            addresses.add_address(db.session, _me(), **form.service_arguments())
        except DomainError as error:
            _show_address_error(form, error)
        else:
            flash(_("The address has been added."), "success")
            return redirect(url_for(".address_book"))
    return _form_page("account/address_form.html", form, address=None)


@bp.route(f"/adresses/<int(max={MAX_ID}):address_id>", methods=["GET", "POST"])
@login_required
def address_edit(address_id: int):
    address = _my_address(address_id)
    form = AddressForm(obj=address, make_default=address.is_default)
    if form.validate_on_submit():
        try:
            addresses.update_address(db.session, _me(), address_id, **form.service_arguments())
        except DomainError as error:
            _show_address_error(form, error)
        else:
            flash(_("The address has been saved."), "success")
            return redirect(url_for(".address_book"))
    return _form_page("account/address_form.html", form, address=address)


@bp.post(f"/adresses/<int(max={MAX_ID}):address_id>/supprimer")
@login_required
def address_delete(address_id: int):
    try:
        addresses.delete_address(db.session, _me(), address_id)
    except NotFound:
        abort(404)
    flash(_("The address has been deleted."), "success")
    return redirect(url_for(".address_book"))


@bp.post(f"/adresses/<int(max={MAX_ID}):address_id>/par-defaut")
@login_required
def address_default(address_id: int):
    try:
        addresses.set_default_address(db.session, _me(), address_id)
    except NotFound:
        abort(404)
    flash(_("This is now your default address."), "success")
    return redirect(url_for(".address_book"))


# --- Helpers of this blueprint -------------------------------------------------------------------


def _me() -> User:
    return current_user._get_current_object()


def _my_address(address_id: int):
    try:
        return addresses.get_address(db.session, _me(), address_id)
    except NotFound:
        # Someone else's address looks exactly like one that does not exist.
        abort(404)


def _form_page(template: str, form, **context):
    """The page of ``form``: 200 when first shown, 422 when it comes back with errors."""
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def _no_store(page, status: int):
    # The reset page's address holds a token: keep it out of shared and browser caches.
    return page, status, {"Cache-Control": "no-store"}


def _local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: ``next`` must never send a shopper
    to another site (open redirect). Browsers read a backslash as a slash and ignore tabs and
    newlines in URLs, so ``/\\evil.example`` or ``/\\t/evil.example`` would leave the site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _flash_check_your_email(email: str) -> None:
    # Word for word the same whether the address has an account or not.
    flash(
        _("Check your email: we have sent a message to %(email)s. To finish creating your "
          "account, open the link it holds within %(days)d days.",
          email=email, days=registration.CONFIRM_MAX_AGE_SECONDS // 86400),
        "info",
    )


def _confirmation_link_message(error: registration.ConfirmationLinkInvalid) -> str:
    if isinstance(error, registration.ConfirmationLinkExpired):
        return _("This link has expired: confirmation links work for %(days)d days. Ask for a "
                 "new one below.", days=registration.CONFIRM_MAX_AGE_SECONDS // 86400)
    return _("This link is not valid: it may have been cut or changed when copied. Open it again "
             "from the email, or ask for a new one below.")


def _show_address_error(form: AddressForm, error: DomainError) -> None:
    field = error.details.get("field")
    country = form.country.data
    if isinstance(error, NotDeliverable):
        message = _(
            "Sorry, we do not deliver to %(postal_code)s (%(country)s). Please give an address in "
            "an area we deliver to.",
            postal_code=form.postal_code.data,
            country=COUNTRY_NAMES.get(country, country),
        )
    elif field == "postal_code" and country == "FR":
        message = _("A French postal code has 5 digits, for example 75001.")
    elif field == "postal_code" and country == "BE":
        message = _("A Belgian postal code has 4 digits, for example 1000.")
    elif field == "phone":
        message = _("A phone number has 6 to 15 digits; spaces, +, dots, dashes and brackets are allowed.")
    elif field == "country":
        message = _("Choose France or Belgium.")
    elif isinstance(error, addresses.AddressBookFull):
        message = _(
            "Your address book is full (%(count)d addresses): delete one before adding another.",
            count=addresses.MAX_ADDRESSES,
        )
    else:
        message = explain(error)
    if field and field in form:
        form[field].errors.append(message)
    else:
        form.form_errors.append(message)


def _reset_link_message(error: password_reset.ResetLinkInvalid) -> str:
    if isinstance(error, password_reset.ResetLinkExpired):
        return _("This link has expired: links to choose a new password work for %(minutes)d "
                 "minutes. Ask for a new one below.",
                 minutes=password_reset.RESET_MAX_AGE_SECONDS // 60)
    if isinstance(error, password_reset.ResetLinkUsed):
        return _("This link has already been used: your password was changed since it was sent. "
                 "If you need to change it again, ask for a new link.")
    return _("This link is not valid: it may have been cut or changed when copied. Open it again "
             "from the email, or ask for a new one.")
