"""Forms of the checkout: the delivery address (with an email address for guests) and the card.

They check the shape of what was typed; the rules (a postal code in a delivery zone, a card the
provider accepts) belong to the services, whose errors the views put on the fields.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

# The countries of the delivery zones (marketplace/addresses.py delivers to the same two).
COUNTRY_CHOICES = [SelectChoice("FR", _l("France")), SelectChoice("BE", _l("Belgium"))]


def one_line(value: str | None) -> str | None:
    """Trim, and drop control characters: no field here spans lines, and PostgreSQL refuses NUL
    bytes (a server error otherwise, for something anyone can type)."""
    if value is None:
        return None
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc").strip()


def _text(label, max_length: int, *, required=None, **render_kw) -> StringField:
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("At most %(max)d characters.")))
    return StringField(label, filters=[one_line], validators=validators, render_kw=render_kw)


class DeliveryAddressForm(FlaskForm):
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
        choices=COUNTRY_CHOICES,
        default="FR",
        validators=[DataRequired(_l("Choose a country."))],
        render_kw={"autocomplete": "country"},
    )
    phone = _text(_l("Phone"), 30, autocomplete="tel", inputmode="tel")
    save = BooleanField(_l("Save this address in my address book"))

    def address_fields(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in (
            "name", "line1", "line2", "postal_code", "city", "country", "phone"
        )}


class GuestAddressForm(DeliveryAddressForm):
    email = EmailField(
        _l("Email address"),
        filters=[one_line],
        description=_l("We send the order confirmation and the tracking links there."),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    save = None  # a guest has no address book


class CardForm(FlaskForm):
    holder = _text(_l("Name on the card"), 80, required=_l("Enter the name printed on the card."),
                   autocomplete="cc-name")
    number = StringField(
        _l("Card number"),
        filters=[one_line],
        validators=[DataRequired(_l("Enter the card number.")), Length(max=30)],
        render_kw={"autocomplete": "cc-number", "inputmode": "numeric"},
    )
    expiry = StringField(
        _l("Expiry date (MM/YY)"),
        filters=[one_line],
        validators=[DataRequired(_l("Enter the expiry date.")), Length(max=7)],
        render_kw={"autocomplete": "cc-exp", "placeholder": "MM/YY"},
    )
    # A password field, so that browsers neither show nor remember the code.
    cvc = PasswordField(
        _l("Security code"),
        validators=[DataRequired(_l("Enter the security code.")), Length(max=4)],
        render_kw={"autocomplete": "cc-csc", "inputmode": "numeric"},
    )
