"""Form fields written once for every page that asks for them: a line of text, an email
address, an amount of money, a postal address (the account's address book and checkout's
delivery step).

Forms check the shape of what was typed (present, not too long); the rules themselves (a postal
code in a delivery zone) belong to the services, whose errors the views put on the fields.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

# The countries of the delivery zones (storefront.marketplace.addresses.COUNTRIES), by name.
COUNTRY_NAMES = {"FR": _l("France"), "BE": _l("Belgium")}
ADDRESS_FIELDS = ("name", "line1", "line2", "postal_code", "city", "country", "phone")


_AMOUNT = re.compile(r"^\d{1,9}([.,]\d{1,2})?$")


class AmountField(StringField):
    """An amount in the currency's units, given to the code in cents (``data``: int or None)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        text = re.sub(r"[\s\u00a0\u202f€]", "", self.raw or "")
        if not text:
            self.data = None
            return
        if not _AMOUNT.match(text):
            self.data = None
            raise ValueError(_l("Enter an amount like 12,50."))
        try:
            self.data = int((Decimal(text.replace(",", ".")) * 100).to_integral_value())
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter an amount like 12,50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data // 100},{self.data % 100:02d}"


def one_line(value: str | None) -> str | None:
    """Trim, and drop control characters: no field here spans lines, and PostgreSQL refuses NUL
    bytes outright (a server error otherwise, for something anyone can type)."""
    if value is None:
        return None
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc").strip()


def text_field(label, max_length: int, *, required: str | None = None, **render_kw) -> StringField:
    """A one-line text field of at most ``max_length`` characters; ``required`` is the message
    shown when it is left empty (optional when None)."""
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("At most %(max)d characters.")))
    return StringField(label, filters=[one_line], validators=validators, render_kw=render_kw)


def email_field(*, description=None, validators=(), **render_kw) -> EmailField:
    return EmailField(
        _l("Email address"),
        filters=[one_line],
        description=description,
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most %(max)d characters.")),
            *validators,
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", **render_kw},
    )


class PostalAddressForm(FlaskForm):
    """A delivery address as ``addresses`` and ``cart.set_address`` take it."""

    name = text_field(_l("Recipient"), 120, required=_l("Enter the name of the recipient."),
                      autocomplete="name")
    line1 = text_field(_l("Address"), 200, required=_l("Enter the street and number."),
                       autocomplete="address-line1")
    line2 = text_field(_l("Address (continued)"), 200, autocomplete="address-line2")
    postal_code = text_field(_l("Postal code"), 20, required=_l("Enter the postal code."),
                             autocomplete="postal-code", inputmode="numeric")
    city = text_field(_l("City"), 80, required=_l("Enter the city."),
                      autocomplete="address-level2")
    country = SelectField(
        _l("Country"),
        choices=[SelectChoice(code, name) for code, name in COUNTRY_NAMES.items()],
        default="FR",
        validators=[DataRequired(_l("Choose a country."))],
        render_kw={"autocomplete": "country"},
    )
    phone = text_field(_l("Phone"), 30, autocomplete="tel", inputmode="tel")

    def address_fields(self) -> dict[str, str]:
        """The typed address, field by field (empty strings for what was left empty)."""
        return {name: self[name].data or "" for name in ADDRESS_FIELDS}
