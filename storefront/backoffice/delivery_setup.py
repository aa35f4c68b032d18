"""Back-office delivery set-up (``/backoffice/delivery``): zones and their postal-code rules,
carriers and their tracking links, the retailer's rates per mode and zone, modes and the
retailer's cut-off, and a preview of the promise the shop makes for an offer and a postal code.

Thin adapters over ``marketplace.delivery_admin``: parse a form, call the service (which checks,
writes and audits in one transaction), put its refusal next to the field it names, and empty the
page cache so that the shop's pages show the change at once (zones, modes and rates in memory are
dropped by ``reference_cache`` when the transaction commits). Every route needs
``Permission.DELIVERY``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront import page_cache
from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.delivery_forms import (
    ActiveForm,
    CarrierForm,
    ConfirmForm,
    CutoffForm,
    ModeForm,
    PreviewForm,
    RateForm,
    ZoneForm,
)
from storefront.extensions import db
from storefront.marketplace import delivery, delivery_admin, sellers
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.staff import Permission
from storefront.web import fragments, query_params
from storefront.web.query_params import MAX_ID
from storefront.web.refusals import explain

ID = f"<int(max={MAX_ID}):%s>"
PER_PAGE = 50


def _me():
    return current_user._get_current_object()


def _on_form(form, error: DomainError) -> None:
    """Put the service's refusal on the field it names, or above the form."""
    field = getattr(form, str(error.details.get("field", "")), None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, explain(error)] if isinstance(field.errors, list) else [explain(error)]
    else:
        form.form_errors.append(explain(error))


def _changed(message: str) -> None:
    page_cache.clear()  # product and category pages show fees and dates: not one more stale minute
    flash(message, "success")


def _or_404(load, *args):
    try:
        return load(db.session, *args)
    except NotFound:
        abort(404)


# --- Zones ---------------------------------------------------------------------------------------


@bp.get("/delivery")
@requires(Permission.DELIVERY)
def delivery_index():
    """The zones, with their rules and what uses them (the section's first page)."""
    q = query_params.search(request.args)
    sort, descending = query_params.sort(request.args, delivery_admin.ZONE_SORTS, "code")
    found = delivery_admin.zone_page(db.session, q=q, sort=sort, descending=descending,
                                     page=query_params.page(request.args), per_page=PER_PAGE)
    return render_template("backoffice/delivery/zones.html", found=found, q=q, sort=sort,
                           direction="desc" if descending else "asc", delete_form=ConfirmForm())


@bp.get("/delivery/zones/new")
@requires(Permission.DELIVERY)
def delivery_zone_new():
    return _zone_page(ZoneForm(formdata=None), None)


@bp.post("/delivery/zones")
@requires(Permission.DELIVERY)
def delivery_zone_create():
    form = ZoneForm()
    if form.validate_on_submit():
        try:
            delivery_admin.save_zone(db.session, _me(), code=form.code.data, label=form.label.data,
                                     label_en=form.label_en.data or "", rules=form.rules.data)
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The zone %(code)s is created.", code=form.code.data))
            return redirect(url_for(".delivery_index"), 303)
    return _zone_page(form, None, 422)


@bp.get(f"/delivery/zones/{ID % 'zone_id'}")
@requires(Permission.DELIVERY)
def delivery_zone(zone_id: int):
    zone = _or_404(delivery_admin.get_zone, zone_id)
    form = ZoneForm(formdata=None, code=zone.code, label=zone.label, label_en=zone.label_en,
                    rules=delivery_admin.rules_text(zone))
    return _zone_page(form, zone)


@bp.post(f"/delivery/zones/{ID % 'zone_id'}")
@requires(Permission.DELIVERY)
def delivery_zone_update(zone_id: int):
    zone = _or_404(delivery_admin.get_zone, zone_id)
    form = ZoneForm()
    form.code.data = zone.code  # the code stays; the form shows it but does not send it back
    if form.validate_on_submit():
        try:
            delivery_admin.save_zone(db.session, _me(), zone=zone, label=form.label.data,
                                     label_en=form.label_en.data or "", rules=form.rules.data)
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The zone %(code)s is saved.", code=zone.code))
            return redirect(url_for(".delivery_index"), 303)
    return _zone_page(form, delivery_admin.get_zone(db.session, zone_id), 422)


@bp.post(f"/delivery/zones/{ID % 'zone_id'}/delete")
@requires(Permission.DELIVERY)
def delivery_zone_delete(zone_id: int):
    zone = _or_404(delivery_admin.get_zone, zone_id)
    if ConfirmForm().validate_on_submit():
        code = zone.code
        try:
            delivery_admin.delete_zone(db.session, _me(), zone)
        except DomainError as error:
            flash(explain(error), "error")
        else:
            _changed(_("The zone %(code)s is deleted.", code=code))
    return redirect(url_for(".delivery_index"), 303)


def _zone_page(form: ZoneForm, zone, status: int = 200):
    return render_template("backoffice/delivery/zone.html", form=form, zone=zone), status


# --- Carriers ------------------------------------------------------------------------------------


@bp.get("/delivery/carriers")
@requires(Permission.DELIVERY)
def delivery_carriers():
    return _carriers_page(CarrierForm(formdata=None))


@bp.post("/delivery/carriers")
@requires(Permission.DELIVERY)
def delivery_carrier_create():
    form = CarrierForm()
    if form.validate_on_submit():
        try:
            carrier = delivery_admin.save_carrier(db.session, _me(), code=form.code.data, name=form.name.data,
                                                  tracking_url_template=form.tracking_url_template.data)
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The carrier %(name)s is added.", name=carrier.name))
            return redirect(url_for(".delivery_carriers"), 303)
    return _carriers_page(form, 422)


@bp.get(f"/delivery/carriers/{ID % 'carrier_id'}")
@requires(Permission.DELIVERY)
def delivery_carrier(carrier_id: int):
    carrier = _or_404(delivery_admin.get_carrier, carrier_id)
    return _carrier_page(CarrierForm(formdata=None, obj=carrier), carrier)


@bp.post(f"/delivery/carriers/{ID % 'carrier_id'}")
@requires(Permission.DELIVERY)
def delivery_carrier_update(carrier_id: int):
    carrier = _or_404(delivery_admin.get_carrier, carrier_id)
    form = CarrierForm()
    form.code.data = carrier.code
    if form.validate_on_submit():
        try:
            delivery_admin.save_carrier(db.session, _me(), carrier=carrier, name=form.name.data,
                                        tracking_url_template=form.tracking_url_template.data)
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The carrier %(name)s is saved.", name=carrier.name))
            return redirect(url_for(".delivery_carriers"), 303)
    return _carrier_page(form, delivery_admin.get_carrier(db.session, carrier_id), 422)


def _carriers_page(form: CarrierForm, status: int = 200):
    q = query_params.search(request.args)
    sort, descending = query_params.sort(request.args, delivery_admin.CARRIER_SORTS, "name")
    found = delivery_admin.carrier_page(db.session, q=q, sort=sort, descending=descending,
                                        page=query_params.page(request.args), per_page=PER_PAGE)
    return render_template("backoffice/delivery/carriers.html", form=form, found=found, q=q, sort=sort,
                           direction="desc" if descending else "asc"), status


def _carrier_page(form: CarrierForm, carrier, status: int = 200):
    return render_template("backoffice/delivery/carrier.html", form=form, carrier=carrier), status


# --- The retailer's rates ------------------------------------------------------------------------


@bp.get("/delivery/rates")
@requires(Permission.DELIVERY)
def delivery_rates():
    zone_id = query_params.identifier(request.args.get("zone"))
    return _rates_page(zone_id, {})


@bp.post(f"/delivery/rates/{ID % 'mode_id'}/{ID % 'zone_id'}")
@requires(Permission.DELIVERY)
def delivery_rate_save(mode_id: int, zone_id: int):
    cell = _or_404(delivery_admin.rate_cell, mode_id, zone_id)
    form = RateForm(prefix=_prefix(cell))
    saved = False
    if not form.offered.data and form.is_submitted() and form.csrf_token.validate(form):
        form.fee.errors = form.extra_item_fee.errors = []  # nothing else matters when switching off
        try:
            delivery_admin.save_retailer_rate(db.session, _me(), cell.mode, cell.zone, offered=False)
        except DomainError as error:
            _on_form(form, error)
        else:
            saved = True
    elif form.validate_on_submit():
        try:
            delivery_admin.save_retailer_rate(
                db.session, _me(), cell.mode, cell.zone, offered=True, fee=form.fee.data,
                extra_item_fee=form.extra_item_fee.data, free_threshold=form.free_threshold.data,
                transit_min=form.transit_min.data, transit_max=form.transit_max.data,
            )
        except DomainError as error:
            _on_form(form, error)
        else:
            saved = True
    if saved:
        page_cache.clear()
        cell = delivery_admin.rate_cell(db.session, mode_id, zone_id)
        if fragments.wants_fragment():
            return _rate_row(cell, _rate_form(cell), saved=True)
        flash(_("The rate for %(mode)s in %(zone)s is saved.", mode=cell.mode.label, zone=cell.zone.label), "success")
        return redirect(url_for(".delivery_rates", zone=request.args.get("zone") or None), 303)
    if fragments.wants_fragment():
        return _rate_row(cell, form)  # 200: htmx swaps only successful answers; the row shows the errors
    return _rates_page(query_params.identifier(request.args.get("zone")), {(mode_id, zone_id): form}, 422)


def _prefix(cell) -> str:
    return f"r{cell.mode.id}-{cell.zone.id}"


def _rate_form(cell) -> RateForm:
    rate = cell.rate
    values = {"offered": rate is not None}
    if rate is not None:
        values.update({name: getattr(rate, name) for name in delivery_admin.RATE_FIELDS})
    else:
        values.update(transit_min=2, transit_max=3)
    return RateForm(formdata=None, prefix=_prefix(cell), **values)


def _rate_row(cell, form, *, saved: bool = False):
    response = render_template("backoffice/delivery/partials/rate_row.html", cell=cell, form=form, saved=saved,
                               zone_filter=request.args.get("zone", ""))
    return response


def _rates_page(zone_id: int | None, failed: dict, status: int = 200):
    cells = delivery_admin.rate_grid(db.session, zone_id)
    rows = [(cell, failed.get((cell.mode.id, cell.zone.id)) or _rate_form(cell)) for cell in cells]
    return render_template("backoffice/delivery/rates.html", rows=rows, zones=delivery.zones(db.session),
                           zone_id=zone_id), status


# --- Modes and the cut-off -----------------------------------------------------------------------


@bp.get("/delivery/modes")
@requires(Permission.DELIVERY)
def delivery_modes():
    return _modes_page(ModeForm(formdata=None), _cutoff_form())


@bp.post("/delivery/modes")
@requires(Permission.DELIVERY)
def delivery_mode_create():
    form = ModeForm()
    if form.validate_on_submit():
        try:
            mode = delivery_admin.save_mode(
                db.session, _me(), code=form.code.data, label=form.label.data, label_en=form.label_en.data or "",
                saturday_delivery=form.saturday_delivery.data, position=form.position.data or 0,
            )
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The delivery mode %(code)s is created.", code=mode.code))
            return redirect(url_for(".delivery_modes"), 303)
    return _modes_page(form, _cutoff_form(), 422)


@bp.get(f"/delivery/modes/{ID % 'mode_id'}")
@requires(Permission.DELIVERY)
def delivery_mode(mode_id: int):
    mode = _or_404(delivery_admin.get_mode, mode_id)
    return _mode_page(ModeForm(formdata=None, obj=mode), mode)


@bp.post(f"/delivery/modes/{ID % 'mode_id'}")
@requires(Permission.DELIVERY)
def delivery_mode_update(mode_id: int):
    mode = _or_404(delivery_admin.get_mode, mode_id)
    form = ModeForm()
    form.code.data = mode.code
    if form.validate_on_submit():
        try:
            delivery_admin.save_mode(
                db.session, _me(), mode=mode, label=form.label.data, label_en=form.label_en.data or "",
                saturday_delivery=form.saturday_delivery.data, position=form.position.data or 0,
            )
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The delivery mode %(code)s is saved.", code=mode.code))
            return redirect(url_for(".delivery_modes"), 303)
    return _mode_page(form, delivery_admin.get_mode(db.session, mode_id), 422)


@bp.post(f"/delivery/modes/{ID % 'mode_id'}/active")
@requires(Permission.DELIVERY)
def delivery_mode_active(mode_id: int):
    mode = _or_404(delivery_admin.get_mode, mode_id)
    form = ActiveForm()
    if form.validate_on_submit() and form.active.data in ("0", "1"):
        delivery_admin.set_mode_active(db.session, _me(), mode, form.active.data == "1")
        if mode.active:
            _changed(_("%(mode)s is offered again wherever it has rates.", mode=mode.label))
        else:
            _changed(_("%(mode)s is no longer offered; orders that chose it keep it.", mode=mode.label))
    return redirect(url_for(".delivery_modes"), 303)


@bp.post("/delivery/cutoff")
@requires(Permission.DELIVERY)
def delivery_cutoff():
    form = CutoffForm()
    if form.validate_on_submit():
        try:
            delivery_admin.set_retailer_cutoff(db.session, _me(), form.cutoff.data)
        except DomainError as error:
            _on_form(form, error)
        else:
            _changed(_("The cut-off time is saved: orders after it count from the next business day."))
            return redirect(url_for(".delivery_modes"), 303)
    return _modes_page(ModeForm(formdata=None), form, 422)


def _cutoff_form() -> CutoffForm:
    retailer = sellers.operator_seller(db.session)
    return CutoffForm(formdata=None, cutoff=retailer.cutoff_time.strftime("%H:%M"))


def _modes_page(form: ModeForm, cutoff_form: CutoffForm, status: int = 200):
    return render_template("backoffice/delivery/modes.html", form=form, cutoff_form=cutoff_form,
                           modes=delivery.modes(db.session), active_form=ActiveForm()), status


def _mode_page(form: ModeForm, mode, status: int = 200):
    return render_template("backoffice/delivery/mode.html", form=form, mode=mode), status


# --- Promise preview -----------------------------------------------------------------------------


@bp.get("/delivery/preview")
@requires(Permission.DELIVERY)
def delivery_preview():
    """Offers matching ``q`` and, for the one chosen (``offer``, or the only match), the dates and
    fee per mode to the postal code: the product page's own computation."""
    asked = "q" in request.args
    form = PreviewForm(request.args if asked else None)
    matches, chosen, result, error = [], None, None, None
    if asked and form.validate():
        matches = delivery_admin.find_offers(db.session, form.q.data)
        wanted = query_params.identifier(request.args.get("offer"))
        chosen = next((offer for offer in matches if offer.id == wanted), None)
        if chosen is None and len(matches) == 1:
            chosen = matches[0]
        if chosen is not None:
            try:
                result = delivery_admin.preview(db.session, chosen, form.country.data, form.postal_code.data,
                                                quantity=form.quantity.data or 1)
            except DomainError as refused:
                error = explain(refused)
    context = {"form": form, "asked": asked, "matches": matches, "chosen": chosen, "result": result,
               "error": error}
    return fragments.page_or_fragment("backoffice/delivery/preview.html",
                                      "backoffice/delivery/partials/preview_result.html", **context)
