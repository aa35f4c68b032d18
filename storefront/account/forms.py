"""Forms of the account pages.

They check the shape of what was typed (present, not too long, two passwords alike) so that the
page can say so next to the field; the rules themselves (a postal code in a delivery zone, an
email not already taken) belong to the services, whose errors the views put on the fields.
Every form carries Flask-WTF's CSRF token.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from storefront.marketplace.accounts import MIN_PASSWORD_LENGTH, normalize_email
from storefront.marketplace.errors import InvalidValue
from storefront.marketplace.password_reset import MAX_PASSWORD_LENGTH

# The countries of the delivery zones (storefront.marketplace.addresses.COUNTRIES), by name.
COUNTRY_NAMES = {"FR": _l("France"), "BE": _l("Belgium")}


def one_line(value: str | None) -> str | None:
    """Trim, and drop control characters: no field here spans lines, and PostgreSQL refuses NUL
    bytes outright (a server error otherwise, for something anyone can type)."""
    if value is None:
        return None
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc").strip()


def email_address(form, field) -> None:
    try:
        normalize_email(field.data or "")
    except InvalidValue:
        raise ValidationError(_l("Enter a valid email address, like name@example.com.")) from None


def _email_field(**render_kw) -> EmailField:
    return EmailField(
        _l("Email address"),
        filters=[one_line],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", **render_kw},
    )


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
    email = _email_field(autofocus=True)
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
    email = _email_field()
    password, confirm = _new_password_fields()
    next = HiddenField(filters=[one_line])

    def validate_email(self, field) -> None:
        email_address(self, field)


class PasswordForgotForm(FlaskForm):
    email = _email_field(autofocus=True)

    def validate_email(self, field) -> None:
        email_address(self, field)


class PasswordResetForm(FlaskForm):
    password, confirm = _new_password_fields()


def _text(label, max_length: int, *, required: str | None = None, **render_kw) -> StringField:
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("At most %(max)d characters.")))
    return StringField(label, filters=[one_line], validators=validators, render_kw=render_kw)


class AddressForm(FlaskForm):
    label = _text(_l("Name of this address"), 60)
    name = _text(_l("Recipient"), 120, required=_l("Enter the name of the recipient."),
                 autocomplete="name")
    line1 = _text(_l("Address"), 200, required=_l("Enter the street and number."),
                  autocomplete="address-line1")
    line2 = _text(_l("Address (continued)"), 200, autocomplete="address-line2")
    postal_code = _text(_l("Postal code"), 20, required=_l("Enter the postal code."),
                        autocomplete="postal-code", inputmode="numeric")
    city = _text(_l("City"), 80, required=_l("Enter the city."), autocomplete="address-level2")
    country = SelectField(
        _l("Country"),
        choices=[SelectChoice(code, name) for code, name in COUNTRY_NAMES.items()],
        default="FR",
        validators=[DataRequired(_l("Choose a country."))],
        render_kw={"autocomplete": "country"},
    )
    phone = _text(_l("Phone"), 30, autocomplete="tel", inputmode="tel")
    make_default = BooleanField(_l("Use as my default address"))

    def service_arguments(self) -> dict:
        """What ``addresses.add_address`` and ``update_address`` take, from the typed values."""
        return {name: self[name].data or "" for name in (
            "label", "name", "line1", "line2", "postal_code", "city", "country", "phone"
        )} | {"make_default": bool(self.make_default.data)}
