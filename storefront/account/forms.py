"""Forms of the account pages.

They check the shape of what was typed (present, not too long, two passwords alike) so that the
page can say so next to the field; the rules themselves (a postal code in a delivery zone, an
email not already taken) belong to the services, whose errors the views put on the fields.
Every form carries Flask-WTF's CSRF token.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from storefront.marketplace.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    normalize_email,
)
from storefront.marketplace.errors import InvalidValue
from storefront.web.forms import PostalAddressForm, email_field, one_line, text_field


def email_address(form, field) -> None:
    try:
        normalize_email(field.data or "")
    except InvalidValue:
        raise ValidationError(_l("Enter a valid email address, like name@example.com.")) from None


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("A password has %(min)d to %(max)d characters."),
            ),
        ],
        description=_l("At least %(count)d characters.", count=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Confirm the password"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", message=_l("The two passwords are different.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(FlaskForm):
    # No format check here: a malformed address simply matches no account, and says so in the
    # same words as a wrong password.
    email = email_field(autofocus=True)
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me on this device"))
    next = HiddenField(filters=[one_line])


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[one_line],
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=120, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "name", "autofocus": True},
    )
    email = email_field()
    password, confirm = _new_password_fields()
    next = HiddenField(filters=[one_line])

    def validate_email(self, field) -> None:
        email_address(self, field)


class PasswordForgotForm(FlaskForm):
    email = email_field(autofocus=True)

    def validate_email(self, field) -> None:
        email_address(self, field)


class PasswordResetForm(FlaskForm):
    password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password", "autofocus": True},
    )
    password, confirm = _new_password_fields()


class ResendConfirmationForm(FlaskForm):
    email = email_field()

    def validate_email(self, field) -> None:
        email_address(self, field)


class AddressForm(PostalAddressForm):
    """An address of the customer's book: the postal address, a name for it, the default."""

    label = text_field(_l("Name of this address"), 60)
    make_default = BooleanField(_l("Use as my default address"))

    def service_arguments(self) -> dict:
        """What ``addresses.add_address`` and ``update_address`` take, from the typed values."""
        return {"label": self.label.data or "", **self.address_fields(),
                "make_default": bool(self.make_default.data)}
