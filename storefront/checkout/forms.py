"""Forms of the checkout: the delivery address (with an email address for guests) and the card.

They check the shape of what was typed; the rules (a postal code in a delivery zone, a card the
provider accepts) belong to the services, whose errors the views put on the fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from storefront.web.forms import PostalAddressForm, email_field, one_line, text_field


class DeliveryAddressForm(PostalAddressForm):
    save = BooleanField(_l("Save this address in my address book"))


class GuestAddressForm(PostalAddressForm):
    email = email_field(
        description=_l("We send the order confirmation and the tracking links there.")
    )


class CardForm(FlaskForm):
    holder = text_field(_l("Name on the card"), 80, required=_l("Enter the name printed on the card."),
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
