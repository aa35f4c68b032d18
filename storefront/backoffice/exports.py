"""Back office: every seller's orders new or changed since a moment, as a file
(``/backoffice/exports``), for staff who see orders (Permission.ORDERS)."""

from __future__ import annotations

from flask import render_template, request, url_for

from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.marketplace import order_exports
from storefront.marketplace.staff import Permission
from storefront.web import order_exports as pages


@bp.get("/exports")
@requires(Permission.ORDERS)
def exports():
    return _page(pages.download_form(None))


@bp.get("/exports/download")
@requires(Permission.ORDERS)
def export_download():
    form = pages.download_form(request.args)
    asked = pages.read(form)
    if asked is None:
        return _page(form, 422)
    fmt, since = asked
    return pages.download(fmt, seller_id=None, seller_code=None, since=since)


def _page(form, status: int = 200):
    return render_template("backoffice/exports.html", form=form, columns=order_exports.COLUMNS,
                           action=url_for("backoffice.export_download")), status
