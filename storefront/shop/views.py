"""Shop views: thin adapters over the marketplace services."""

from __future__ import annotations

from flask import render_template, session

from storefront.extensions import db
from storefront.marketplace import reference
from storefront.shop import bp


@bp.get("/")
def home():
    tree = reference.category_tree(db.session)
    return render_template("shop/home.html", tree=tree)


@bp.post("/locale/<string:code>")
def set_locale(code: str):
    from flask import abort, redirect, request, url_for

    from storefront.settings import LOCALES

    if code not in LOCALES:
        abort(404)
    session["locale"] = code
    target = request.referrer or url_for("shop.home")
    return redirect(target if target.startswith(request.host_url) else url_for("shop.home"))
