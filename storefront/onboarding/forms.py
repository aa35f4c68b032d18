"""The application form. It checks the shape of what was typed (lengths); the rules (SIRET and
IBAN keys, documents by their content) are ``marketplace.onboarding.check``'s, whose reasons the
view puts next to the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from storefront.marketplace.models import DocumentKind
from storefront.web.forms import one_line

COUNTRY_LABELS = {
    "FR": _l("France"), "BE": _l("Belgium"), "LU": _l("Luxembourg"), "DE": _l("Germany"),
    "NL": _l("Netherlands"), "ES": _l("Spain"), "IT": _l("Italy"), "PT": _l("Portugal"),
    "AT": _l("Austria"), "IE": _l("Ireland"), "CH": _l("Switzerland"), "GB": _l("United Kingdom"),
}
DOCUMENT_FIELDS = {
    DocumentKind.IDENTITY: "document_IDENTITY",
    DocumentKind.KBIS: "document_KBIS",
    DocumentKind.BANK: "document_BANK",
}
DOCUMENT_LABELS = {
    DocumentKind.IDENTITY: _l("ID of the legal representative"),
    DocumentKind.KBIS: _l("Company registration extract (Kbis)"),
    DocumentKind.BANK: _l("Bank account proof (RIB)"),
}


class Needed:
    """Marks a field required (label without "optional", the browser's ``required``); whether
    it is filled in is the service's check, which reports every field at once."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


def text_field(label, max_length: int, *, required: bool = True, description="", **render_kw) -> StringField:
    validators = [Needed()] if required else []
    validators.append(Length(max=max_length, message=_l("At most %(max)d characters.")))
    return StringField(label, filters=[one_line], validators=validators, description=description,
                       render_kw=render_kw)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        # Unknown codes are the service's to refuse (with the other reasons), not a crash here.
        pass


class ApplicationForm(FlaskForm):
    shop_name = text_field(_l("Shop name"), 120, autocomplete="organization")
    legal_name = text_field(_l("Company's legal name"), 200)
    country = SelectField(_l("Country of registration"), choices=[SelectChoice(code, label) for code, label in COUNTRY_LABELS.items()],
                          validate_choice=False, validators=[Needed()])
    siret = text_field(_l("SIRET (France)"), 40, inputmode="numeric",
                       description=_l("For a company registered in France: 14 digits."))
    company_number = text_field(_l("Company number (outside France)"), 40, required=False,
                                description=_l("For a company registered outside France, instead of the SIRET."))
    vat_number = text_field(_l("VAT number"), 30)
    address = text_field(_l("Address"), 200, autocomplete="street-address")
    postal_code = text_field(_l("Postal code"), 12, autocomplete="postal-code")
    city = text_field(_l("City"), 80, autocomplete="address-level2")
    contact_name = text_field(_l("Contact person"), 120, autocomplete="name")
    contact_email = text_field(_l("Contact email"), 254, autocomplete="email", type="email")
    contact_phone = text_field(_l("Contact phone"), 30, autocomplete="tel", type="tel")
    categories = CheckboxesField(_l("Categories you want to sell in"), choices=[])
    iban = text_field(_l("IBAN"), 60, autocomplete="off")
    document_IDENTITY = FileField(_l("Legal representative's ID card or passport"),
                                  validators=[Needed()], render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"})
    document_KBIS = FileField(_l("Kbis extract (or foreign registration extract), less than 3 months old"),
                              validators=[Needed()], render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"})
    document_BANK = FileField(_l("Bank account proof (RIB) in the company's name"),
                              validators=[Needed()], render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"})
