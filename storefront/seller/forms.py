"""Forms of the seller portal's own pages (the order forms are shared with the back office:
``storefront/web/order_forms.py``). Amounts become cents in ``AmountField``; the services check
the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from storefront.marketplace.catalog import MAX_LEAD_TIME_DAYS, MAX_STOCK
from storefront.marketplace.models import Condition
from storefront.web.forms import AmountField, one_line


class OfferForm(FlaskForm):
    price = AmountField(_l("Price"), validators=[InputRequired(_l("Enter a price."))],
                        render_kw={"inputmode": "decimal"})
    origin_price = AmountField(_l("Was (struck through)"), render_kw={"inputmode": "decimal"})
    stock = IntegerField(
        _l("Stock"),
        validators=[InputRequired(_l("Enter the stock.")), NumberRange(min=0, max=MAX_STOCK)],
        render_kw={"inputmode": "numeric"},
    )
    lead_time_days = IntegerField(
        _l("Lead time (days)"),
        validators=[InputRequired(_l("Enter the lead time.")), NumberRange(min=0, max=MAX_LEAD_TIME_DAYS)],
        render_kw={"inputmode": "numeric"},
    )
    # Ticked in the confirmation step a price of 0 or a big drop brings up; its value is the
    # price (cents) being confirmed, so a tick never carries over to another price typed after.
    confirm_price = HiddenField()
    confirmation: str | None = None  # the warning to confirm, set by the view

    def confirms_price(self) -> bool:
        """Whether the seller ticked "confirm this price" for the price in this very form."""
        return self.price.data is not None and self.confirm_price.data == str(self.price.data)


class NewOfferForm(FlaskForm):
    """A new offer (seller.offer_new): the product by GTIN or id, and the offer's values."""

    product = StringField(_l("Product (GTIN or product number)"), filters=[one_line],
                          validators=[InputRequired(_l("Give the product's GTIN or number.")), Length(max=20)],
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})
    price = AmountField(_l("Price (€)"), validators=[InputRequired(_l("Enter a price."))],
                        render_kw={"inputmode": "decimal"})
    stock = IntegerField(
        _l("Stock"),
        validators=[InputRequired(_l("Enter the stock.")), NumberRange(min=0, max=MAX_STOCK)],
        render_kw={"inputmode": "numeric"},
    )
    condition = SelectField(_l("Condition"), choices=[
        SelectChoice(Condition.NEW.value, _l("New")),
        SelectChoice(Condition.LIKE_NEW.value, _l("Like new")),
        SelectChoice(Condition.VERY_GOOD.value, _l("Very good condition")),
        SelectChoice(Condition.GOOD.value, _l("Good condition")),
        SelectChoice(Condition.REFURBISHED.value, _l("Refurbished")),
        SelectChoice(Condition.USED.value, _l("Used")),
    ], default=Condition.NEW.value, validators=[InputRequired(_l("Choose a condition."))])
    lead_time_days = IntegerField(
        _l("Lead time (days)"),
        validators=[InputRequired(_l("Enter the lead time.")), NumberRange(min=0, max=MAX_LEAD_TIME_DAYS)],
        description=_l("Business days between the order and the shipment."),
        render_kw={"inputmode": "numeric"},
    )


class OfferImportForm(FlaskForm):
    """An offer file to import (CSV, XLSX or JSON lines) and the mode."""

    file = FileField(_l("Offer file (CSV, XLSX or JSON lines)"),
                     validators=[FileRequired(_l("Choose a file."))])
    mode = SelectField(_l("Mode"), choices=[
        SelectChoice("NORMAL", _l("Add and update the offers of the file")),
        SelectChoice("REPLACE", _l("Replace: also take off sale my offers the file does not list")),
    ], default="NORMAL")


class OfferFeedForm(FlaskForm):
    """The seller's feed URL, fetched on a schedule (the service checks the URL and the
    frequency against the shop's limits). Prefixed (feed-mode): it shares the page with the
    upload form."""

    url = StringField(_l("Address of your offer file"), description=_l(
        "An https:// address the shop downloads your file from, such as https://example.com/offers.csv."),
        validators=[InputRequired(_l("Enter the address of your file.")), Length(max=2000)],
        render_kw={"inputmode": "url", "spellcheck": "false"})
    mode = SelectField(_l("Mode"), choices=[
        SelectChoice("NORMAL", _l("Add and update the offers of the file")),
        SelectChoice("REPLACE", _l("Replace: also take off sale my offers the file does not list")),
    ], default="NORMAL")
    frequency = SelectField(_l("Frequency"), choices=[
        SelectChoice("EVERY_15_MINUTES", _l("Every 15 minutes")),
        SelectChoice("HOURLY", _l("Every hour")),
        SelectChoice("DAILY", _l("Every day at a time")),
    ], default="DAILY")
    daily_time = TimeField(_l("Time of day (daily)"), description=_l("Shop time, for example 06:30."),
                           validators=[Optional()])
    enabled = BooleanField(_l("Fetch my file on this schedule"), default=True)
class StatusImportForm(FlaskForm):
    """A file of order lines to accept, refuse or ship (CSV, XLSX or JSON lines)."""

    file = FileField(_l("Status and tracking file (CSV, XLSX or JSON lines)"),
                     validators=[FileRequired(_l("Choose a file."))])


class ColumnMappingForm(FlaskForm):
    """For each of the import's fields, the header of the seller's own files (empty: the usual
    names are recognised)."""

    @classmethod
    def for_fields(cls, fields: tuple[str, ...], saved: dict[str, str]):
        class Form(cls):
            pass

        for name in fields:
            setattr(Form, name, StringField(name, validators=[Length(max=100)], filters=[one_line]))
        return Form(data={field: header for header, field in saved.items()})

    def columns(self, fields: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(getattr(self, name).data, name) for name in fields if getattr(self, name).data]
