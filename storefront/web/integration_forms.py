"""Forms of the integration pages (API clients and webhook subscriptions), shared by the seller
portal and the back office, with the words for the API's domains and the webhook events.

The forms check shape only (present, not too long, among the offered choices); whether a URL
may receive webhooks or a scope exists is for the services (``api_clients``, ``webhooks``),
whose refusals the views put on the fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from storefront.marketplace.api_clients import DOMAINS, SCOPES
from storefront.marketplace.webhooks import EVENT_TYPES, MAX_URL_LENGTH
from storefront.web.forms import one_line

# The words for the API's eight domains and the webhook events; a test checks none lacks them.
DOMAIN_LABELS = {
    "sellers": _l("Shop profile"),
    "reference": _l("Categories and reference data"),
    "catalog": _l("Products and offers"),
    "orders": _l("Orders"),
    "discussions": _l("Messages"),
    "tracking": _l("Shipments and tracking"),
    "delivery": _l("Delivery modes and rates"),
    "finance": _l("Commissions and statements"),
}
EVENT_LABELS = {
    "order.created": _l("A new order arrives"),
    "order.accepted": _l("An order is accepted"),
    "order.refused": _l("An order is refused"),
    "order.canceled": _l("Order lines are cancelled"),
    "shipment.shipped": _l("A parcel is shipped"),
    "message.created": _l("A new message"),
    "refund.created": _l("A refund is made"),
    "offer.updated": _l("An offer changes"),
    "rate.updated": _l("A delivery rate changes"),
    "rating.created": _l("A customer rates the shop"),
    "rating.answered": _l("A rating is answered"),
}


class ApiClientForm(FlaskForm):
    name = StringField(
        _l("Name"),
        description=_l("What the client is for, such as “ERP” or “Warehouse”."),
        filters=[one_line],
        validators=[DataRequired(_l("Give the client a name.")), Length(max=120)],
        render_kw={"maxlength": 120, "autocomplete": "off"},
    )
    # Rendered as a grid (domain × read/write) by the template; checked by api_clients.clean_scopes.
    scopes = SelectMultipleField(
        _l("Access"),
        choices=[SelectChoice(scope, scope) for scope in SCOPES],
        validate_choice=False,  # the service names an unknown scope; the form would only say "invalid"
    )

    def scope_grid(self) -> list[tuple[str, str, str, str]]:
        """(domain, its words, read scope, write scope) in the API's order."""
        return [(domain, str(DOMAIN_LABELS[domain]), f"{domain}:read", f"{domain}:write") for domain in DOMAINS]

    def chosen(self, scope: str) -> bool:
        return scope in (self.scopes.data or [])


class SubscriptionForm(FlaskForm):
    url = URLField(
        _l("Receiving address (URL)"),
        description=_l("An https:// address of your system that answers a POST with a 2xx status."),
        filters=[one_line],
        validators=[DataRequired(_l("Enter the address that receives the events.")), Length(max=MAX_URL_LENGTH)],
        render_kw={"maxlength": MAX_URL_LENGTH, "placeholder": "https://example.com/webhooks", "autocomplete": "off"},
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(name, name) for name in EVENT_TYPES],
        validate_choice=False,  # webhooks.subscribe names an unknown event type
    )
    description = StringField(
        _l("Description"), filters=[one_line], validators=[Length(max=200)], render_kw={"maxlength": 200}
    )

    def event_choices(self) -> list[tuple[str, str]]:
        return [(name, str(EVENT_LABELS[name])) for name in EVENT_TYPES]

    def chosen(self, name: str) -> bool:
        return name in (self.events.data or [])


class ConfirmForm(FlaskForm):
    """A POST that only needs its CSRF token (revoke, deactivate, replay)."""
