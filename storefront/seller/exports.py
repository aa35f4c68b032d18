"""Seller portal: order exports (``/seller/exports``). Every account of the shop downloads its
orders new or changed since a moment; the seller's admin sets the scheduled push (format, drop
folder). Scoped by ``current_user.seller_id`` only: another seller's orders are never read."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront import clock
from storefront.extensions import db
from storefront.marketplace import order_exports
from storefront.marketplace.errors import InvalidValue
from storefront.seller import bp
from storefront.seller.views import seller_admin
from storefront.web import order_exports as pages
from storefront.web.refusals import explain


@bp.get("/exports")
def exports():
    return _page(pages.download_form(None), _push_form())


@bp.get("/exports/download")
def export_download():
    form = pages.download_form(request.args)
    asked = pages.read(form)
    if asked is None:
        return _page(form, _push_form(), 422)
    fmt, since = asked
    return pages.download(fmt, seller_id=current_user.seller_id, seller_code=g.seller.code, since=since)


@bp.post("/exports/push")
def export_push():
    if not seller_admin():
        abort(403)
    form = pages.push_form()
    if not form.validate_on_submit():
        return _page(pages.download_form(None), form, 422)
    try:
        order_exports.save_settings(
            db.session, current_user.seller_id, enabled=form.enabled.data, fmt=form.format.data,
            folder=form.folder.data or "", now=clock.now(),
        )
    except InvalidValue as error:
        form[error.details.get("field", "folder")].errors = [explain(error)]
        return _page(pages.download_form(None), form, 422)
    flash(_("Your export settings are saved."), "success")
    return redirect(url_for("seller.exports"))


def _push_form() -> pages.PushForm | None:
    if not seller_admin():
        return None
    setting = order_exports.settings_of(db.session, current_user.seller_id)
    form = pages.push_form(formdata=None, enabled=setting.enabled, format=setting.format.value,
                          folder=setting.folder)
    return form


def _page(form, push_form, status: int = 200):
    setting = order_exports.settings_of(db.session, current_user.seller_id)
    minutes = order_exports.preferences.get(db.session, "order_export_minutes")
    return render_template(
        "seller/exports.html", form=form, push_form=push_form, setting=setting, minutes=minutes,
        columns=order_exports.COLUMNS, drop_folder=f"{g.seller.code}/",
    ), status
