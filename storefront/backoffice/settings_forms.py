"""Forms of the back office's mappings and preferences pages (checks of shape only: the rules
are the services', ``marketplace/mappings.py``, ``reason_codes.py``, ``preferences.py``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from storefront.backoffice.forms import RELATIONS_CHOICES
from storefront.marketplace import preferences
from storefront.marketplace.models import ReasonType

MARKETPLACE_CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                          message=_l("Capital letters, digits, “_” or “-”, without spaces."))


def _code_field(label):
    return StringField(label, validators=[Optional(), Length(max=40), MARKETPLACE_CODE],
                       filters=[lambda value: (value or "").strip().upper()])


class TopicMappingForm(FlaskForm):
    message_type = _code_field(_l("Marketplace message type"))


class DeliveryMappingForm(FlaskForm):
    marketplace_mode = _code_field(_l("Marketplace delivery mode"))
    carrier = _code_field(_l("Marketplace carrier"))


class PaymentMappingForm(FlaskForm):
    code = _code_field(_l("Marketplace payment code"))


REASON_TYPE_LABELS = {
    ReasonType.CANCELATION: _l("Cancellations"),
    ReasonType.REFUND: _l("Refunds"),
    ReasonType.REFUSAL: _l("Refusals"),
    ReasonType.ORDER_MESSAGING: _l("Order messages"),
    ReasonType.INCIDENT: _l("Incidents"),
}


class ReasonForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=40),
                                               Regexp(r"^[A-Za-z0-9_]+$", message=_l("Letters, digits or “_”."))],
                       filters=[lambda value: (value or "").strip().upper()])
    type = SelectField(_l("Type"), choices=[SelectChoice(t.value, label) for t, label in REASON_TYPE_LABELS.items()])
    label = StringField(_l("Label (French)"), validators=[DataRequired(_l("Enter a label.")), Length(max=120)])
    label_en = StringField(_l("Label (English)"), validators=[Optional(), Length(max=120)])
    customer_allowed = BooleanField(_l("Customers may use it"))
    seller_allowed = BooleanField(_l("Sellers may use it"))
    operator_allowed = BooleanField(_l("Customer service may use it"), default=True)
    marketplace_code = _code_field(_l("Marketplace code"))
    active = BooleanField(_l("Active (offered in forms and accepted by the API)"), default=True)


class ReasonEditForm(ReasonForm):
    """The same, without the code and type (they name the reason in records and the API)."""

    code = None
    type = None


def _minutes_or_count(key: str, label):
    low, high = preferences.RANGES[key]
    return IntegerField(label, validators=[
        InputRequired(_l("Enter a whole number.")),
        NumberRange(low, high, message=_l("Enter a whole number from %(min)s to %(max)s.")),
    ], description=_l("From %(low)d to %(high)d.", low=low, high=high))


class PreferencesForm(FlaskForm):
    show_sold_by = BooleanField(_l("Show who sells each offer (“Sold by”)"))
    show_shipped_by = BooleanField(_l("Show who ships each offer (“Shipped by”)"))
    show_delivery_promise = BooleanField(_l("Show delivery dates"))
    show_seller_rating = BooleanField(_l("Show seller ratings"))
    show_other_sellers = BooleanField(_l("Show the other sellers’ offers on product pages"))
    seller_rating_min_count = _minutes_or_count(
        "seller_rating_min_count", _l("Ratings a seller needs before its grade shows"))
    relations_model = RadioField(
        _l("Customer relations"), choices=RELATIONS_CHOICES, validators=[DataRequired(_l("Choose a model."))],
    )
    acceptance_delay_hours = _minutes_or_count("acceptance_delay_hours", _l("Time a seller has to accept an order (hours)"))
    default_postal_code = StringField(
        _l("Default postal code for delivery dates"),
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("A French postal code has 5 digits."))],
        filters=[lambda value: (value or "").strip()],
        description=_l("Delivery dates shown to shoppers who have not given theirs; empty keeps the shop's setting."),
    )
    offer_import_min_minutes = _minutes_or_count("offer_import_min_minutes", _l("Minimum time between two offer imports (minutes)"))
    imports_per_day = _minutes_or_count("imports_per_day", _l("Imports a seller may send per day"))
    order_export_minutes = _minutes_or_count("order_export_minutes", _l("Order export interval (minutes)"))
    capture_at = RadioField(_l("When the customer's payment is captured"), choices=[
        SelectChoice("ship", _l("When the seller's order ships")),
        SelectChoice("accept", _l("When the seller accepts the order")),
    ], validators=[DataRequired(_l("Choose when."))])
    commission_on_shipping = BooleanField(_l("Also take the commission on shipping fees"))
    billing_cycle = RadioField(_l("Billing cycle of the sellers' statements"), choices=[
        SelectChoice("twice_monthly", _l("Twice a month (1st–15th, 16th–end)")),
        SelectChoice("monthly", _l("Monthly")),
    ], validators=[DataRequired(_l("Choose a cycle."))])
    invoice_payment_days = _minutes_or_count("invoice_payment_days", _l("Commission invoices due after (days)"))
    retailer_address = StringField(
        _l("The retailer's street address on invoices"),
        validators=[Optional(), Length(max=200)], filters=[lambda value: (value or "").strip()],
        description=_l("Street and postal code; the legal name, SIRET, VAT number and city are the retailer's seller account's."),
    )
    payout_holding_days = _minutes_or_count(
        "payout_holding_days", _l("Holding period before a statement is payable (days after its period)"))
    payout_debtor_name = StringField(
        _l("Name of the account the payouts leave from"),
        validators=[Optional(), Length(max=70)], filters=[lambda value: (value or "").strip()],
        description=_l("As the bank knows it; empty: the retailer's legal name."),
    )
    payout_debtor_iban = StringField(
        _l("IBAN of the account the payouts leave from"),
        validators=[Optional(), Length(max=50)], filters=[lambda value: (value or "").strip()],
        description=_l("The retailer's account, debited by the SEPA transfer files of the payout batches."),
    )
    payout_debtor_bic = StringField(
        _l("BIC of that account"), validators=[Optional(), Length(max=20)],
        filters=[lambda value: (value or "").strip()],
    )

    TOGGLES = preferences.DISPLAY_TOGGLES
    NUMBERS = tuple(preferences.RANGES)
