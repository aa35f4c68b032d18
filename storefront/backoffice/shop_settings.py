"""Back office: the shop's preferences (what the shop shows, customer relations, acceptance
delay, default postal code, import and export frequencies, payments and billing). A thin adapter over
``marketplace.preferences.update``, which checks every value and audits the change."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront import page_cache
from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.settings_forms import PreferencesForm
from storefront.extensions import db
from storefront.marketplace import preferences
from storefront.marketplace.errors import DomainError
from storefront.marketplace.staff import Permission
from storefront.web.refusals import explain

FIELDS = (*preferences.DISPLAY_TOGGLES, "seller_rating_min_count", "relations_model", "acceptance_delay_hours", "default_postal_code",
          "offer_import_min_minutes", "imports_per_day", "order_export_minutes", "capture_at",
          "commission_on_shipping", "billing_cycle", "invoice_payment_days", "retailer_address",
          "payout_holding_days", "payout_debtor_name", "payout_debtor_iban", "payout_debtor_bic")


def _me():
    return current_user._get_current_object()


def _render(form: PreferencesForm, status: int = 200):
    return render_template("backoffice/settings.html", form=form,
                           shop_postal_code=current_app.config["DEFAULT_POSTAL_CODE"]), status


@bp.get("/settings")
@requires(Permission.SETTINGS)
def settings():
    # Fresh from the database: another process may have saved a moment ago.
    current = {key: preferences.get(db.session, key, fresh=True) for key in FIELDS}
    return _render(PreferencesForm(formdata=None, data=current))


@bp.post("/settings")
@requires(Permission.SETTINGS)
def save_settings():
    form = PreferencesForm()
    if form.validate_on_submit():
        values = {key: getattr(form, key).data for key in FIELDS}
        values["default_postal_code"] = values["default_postal_code"] or ""
        try:
            changed = preferences.update(db.session, _me(), values)
        except DomainError as error:
            field = getattr(form, str(error.details.get("field") or ""), None)
            (field.errors if field is not None else form.form_errors).append(explain(error))
        else:
            # Pages this process cached show the change at once; other processes see the new
            # reference generation within REFERENCE_CHECK_SECONDS, which drops their copies
            # and changes their page-cache keys (storefront/page_cache.py).
            page_cache.clear()
            flash(_("The preferences are saved.") if changed else _("Nothing to change."),
                  "success" if changed else "info")
            return redirect(url_for(".settings"))
    return _render(form, 422)

