"""Back-office catalog pages: products (list, create, edit, images, withdraw), the category tree,
value lists and brands. Thin adapters over product_editing, product_images, category_tree,
value_lists and brands (storefront/marketplace/); every write is audited there."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from storefront import media, page_cache
from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.catalog_forms import (
    REQUIREMENT_CHOICES,
    ActiveForm,
    AttachAttributeForm,
    BrandForm,
    CategoryForm,
    ConfirmForm,
    ImageForm,
    MergeBrandForm,
    MoveCategoryForm,
    ProductForm,
    RenameCategoryForm,
    RenameValueForm,
    ValueForm,
    ValueListForm,
    choices,
)
from storefront.extensions import db
from storefront.marketplace import (
    brands,
    category_tree,
    product_attributes,
    product_editing,
    product_images,
    reference,
    value_lists,
)
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.models import Brand, RequirementLevel
from storefront.marketplace.product_attributes import AttributeErrors
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.fragments import page_or_fragment
from storefront.web.refusals import explain

MAX_ID = 2**31 - 1
PER_PAGE = 50
ID = f"<int(max={MAX_ID})"
YES_NO = {"yes": True, "no": False}
STATES = {"active": True, "inactive": False}


def _me():
    return current_user._get_current_object()


def _locale() -> str:
    return str(get_locale() or "fr")


def _text(raw: str, length: int) -> str:
    return "".join(ch for ch in (raw or "") if ch.isprintable()).strip()[:length]


def _after_catalog_change() -> None:
    # The shop's pages are cached per process for a minute: a product withdrawn or renamed must
    # not be served from the cache (other processes follow within their time-to-live).
    page_cache.clear()


# --- Products ------------------------------------------------------------------------------------


@bp.get("/products")
@requires(Permission.CATALOG)
def product_list():
    args = request.args
    category_id = query_params.identifier(args.get("category"))
    brand_id = query_params.identifier(args.get("brand"))
    state = args.get("state", "") if args.get("state", "") in STATES else ""
    offers = args.get("offers", "") if args.get("offers", "") in YES_NO else ""
    sort = args.get("sort", "") if args.get("sort", "") in product_editing.SORTS else "title"
    filters = product_editing.ProductFilters(
        q=_text(args.get("q", ""), 100), category_id=category_id, brand_id=brand_id,
        active=STATES.get(state), has_offers=YES_NO.get(offers),
    )
    return render_template(
        "backoffice/products.html",
        found=product_editing.find(db.session, filters, sort=sort, page=query_params.page(args), per_page=PER_PAGE),
        filters=filters, state=state, offers=offers, sort=sort,
        tree=category_tree.rows(db.session),
        brands=reference.brands(db.session),
        locale=_locale(),
    )


@bp.route("/products/new", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def product_new():
    form = ProductForm()
    _category_choices(form.category)
    status = 200
    if request.method == "POST" and "refresh" not in request.form and form.validate_on_submit():
        try:
            product = product_editing.create(
                db.session, _me(), gtin=form.gtin.data, title=form.title.data, category_id=form.category.data,
                brand_name=form.brand.data or "", description=form.description.data or "",
                attributes=_typed_attributes(),
            )
        except DomainError as error:
            status = _show_error(form, error)
        else:
            _after_catalog_change()
            flash(_("The product is created. Add its images below."), "success")
            return redirect(url_for(".product_edit", product_id=product.id))
    elif request.method == "POST" and "refresh" not in request.form:
        status = 422
    return _product_page(form, None, status)


@bp.route(f"/products/{ID}:product_id>", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def product_edit(product_id: int):
    product = _product(product_id)
    if request.method == "GET":
        form = ProductForm(formdata=None, data={
            "title": product.title, "description": product.description, "category": product.category_id,
            "brand": product.brand.name if product.brand else "",
        })
    else:
        form = ProductForm()
    form.gtin.data = product.gtin  # shown, never changed: offers and orders name it
    form.gtin.validators = []
    _category_choices(form.category)
    status = 200
    if request.method == "POST" and "refresh" not in request.form and form.validate_on_submit():
        try:
            product_editing.update(
                db.session, _me(), product, title=form.title.data, category_id=form.category.data,
                brand_name=form.brand.data or "", description=form.description.data or "",
                attributes=_typed_attributes(),
            )
        except DomainError as error:
            status = _show_error(form, error)
        else:
            _after_catalog_change()
            flash(_("The product is saved."), "success")
            return redirect(url_for(".product_edit", product_id=product.id))
    elif request.method == "POST" and "refresh" not in request.form:
        status = 422
    return _product_page(form, product, status)


@bp.post(f"/products/{ID}:product_id>/images")
@requires(Permission.CATALOG)
def product_image_add(product_id: int):
    product = _product(product_id)
    form = ImageForm()
    upload = form.image.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", None):
        flash(_("Choose an image file."), "error")
    else:
        try:
            product_images.add(db.session, _me(), product, upload.read(product_images.MAX_BYTES + 1), media.store(),
                               filename=upload.filename, alt=form.alt.data or "")
        except DomainError as error:
            flash(explain(error), "error")
        else:
            _after_catalog_change()
            flash(_("The image is added."), "success")
    return redirect(url_for(".product_edit", product_id=product.id) + "#images")


@bp.post(f"/products/{ID}:product_id>/images/{ID}:image_id>/remove")
@requires(Permission.CATALOG)
def product_image_remove(product_id: int, image_id: int):
    product = _product(product_id)
    if ConfirmForm().validate_on_submit():
        try:
            product_images.remove(db.session, _me(), product, image_id)
        except NotFound:
            abort(404)
        _after_catalog_change()
        flash(_("The image is removed."), "success")
    return redirect(url_for(".product_edit", product_id=product.id) + "#images")


@bp.post(f"/products/{ID}:product_id>/active")
@requires(Permission.CATALOG)
def product_set_active(product_id: int):
    product = _product(product_id)
    form = ActiveForm()
    if form.validate_on_submit() and form.active.data in ("0", "1"):
        product_editing.set_active(db.session, _me(), product, form.active.data == "1")
        _after_catalog_change()
        flash(_("The product is on sale again.") if product.active else
              _("The product is withdrawn from sale: it no longer shows in the shop."), "success")
    return redirect(url_for(".product_edit", product_id=product.id))


def _product(product_id: int):
    try:
        return product_editing.get(db.session, product_id)
    except NotFound:
        abort(404)


def _category_choices(field) -> None:
    field.choices = choices([("", _("Choose a category"))] + [
        (row.category.id, "— " * row.depth + row.category.label_for(_locale())) for row in category_tree.rows(db.session)
    ])


def _chosen_category(form, product):
    category_id = form.category.data if form.category.data else (product.category_id if product else None)
    try:
        return product_editing.category_of(db.session, category_id)
    except DomainError:
        return None


def _typed_attributes() -> dict[str, str]:
    """The attribute inputs as typed (``attr-<code>``), for the service to check."""
    return {key[5:][:60]: value for key, value in request.form.items() if key.startswith("attr-")}


def _show_error(form, error: DomainError) -> int:
    if isinstance(error, AttributeErrors):
        form.attribute_errors = {p.code: explain(DomainError(p.message, reason=p.reason)) for p in error.problems}
        form.form_errors.append(_("Check the attributes below."))
        return error.status
    field = getattr(form, str(error.details.get("field", "")), None)
    if field is not None and hasattr(field, "errors") and field.name != "csrf_token":
        field.errors = [*field.errors, explain(error)]
    else:
        form.form_errors.append(explain(error))
    return error.status


def _product_page(form, product, status: int):
    category = _chosen_category(form, product)
    if request.method == "POST":
        typed = _typed_attributes()
    else:
        typed = product_editing.form_values(product) if product else {}
    errors = getattr(form, "attribute_errors", {})
    fields = []
    for link in (product_attributes.links_for(db.session, category) if category else []):
        attribute = link.attribute
        fields.append({
            "code": attribute.code,
            "label": attribute.label_for(_locale()),
            "type": attribute.type.value,
            "unit": attribute.unit,
            "requirement": link.requirement.value,
            "choices": [(i.code, i.label_for(_locale())) for i in attribute.value_list.items] if attribute.value_list else [],
            "value": typed.get(attribute.code, ""),
            "error": errors.get(attribute.code),
        })
    context = dict(
        form=form, product=product, category=category, fields=fields,
        image_form=ImageForm(formdata=None), active_form=ActiveForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
        brands=reference.brands(db.session), requirement=RequirementLevel,
    )
    if "refresh" in request.form:
        # Another category chosen: htmx swaps in its attribute inputs; without JavaScript the
        # "show its attributes" button brings the whole form back.
        response = page_or_fragment("backoffice/product_form.html", "backoffice/partials/attribute_fields.html", **context)
        return response, status
    return render_template("backoffice/product_form.html", **context), status


# --- Categories ----------------------------------------------------------------------------------


@bp.route("/categories", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def category_list():
    form = CategoryForm()
    rows = category_tree.rows(db.session)
    form.parent.choices = choices([("", _("None (top level)"))] + [
        (row.category.id, "— " * row.depth + row.category.label_for(_locale())) for row in rows
    ])
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                category = category_tree.create(db.session, _me(), code=form.code.data, label=form.label.data,
                                                label_en=form.label_en.data or "", parent_id=form.parent.data)
            except DomainError as error:
                status = _show_error(form, error)
            else:
                _after_catalog_change()
                flash(_("The category %(label)s is created.", label=category.label), "success")
                return redirect(url_for(".category_edit", category_id=category.id))
    return render_template("backoffice/categories.html", rows=rows, form=form, locale=_locale()), status


@bp.route(f"/categories/{ID}:category_id>", methods=["GET"])
@requires(Permission.CATALOG)
def category_edit(category_id: int):
    return _category_page(_category(category_id))


@bp.post(f"/categories/{ID}:category_id>/rename")
@requires(Permission.CATALOG)
def category_rename(category_id: int):
    category = _category(category_id)
    form = RenameCategoryForm()
    if not form.validate_on_submit():
        return _category_page(category, rename_form=form, status=422)
    try:
        category_tree.rename(db.session, _me(), category, label=form.label.data, label_en=form.label_en.data or "")
    except DomainError as error:
        return _category_page(category, rename_form=form, status=_show_error(form, error))
    _after_catalog_change()
    flash(_("The category is renamed."), "success")
    return redirect(url_for(".category_edit", category_id=category.id))


@bp.post(f"/categories/{ID}:category_id>/move")
@requires(Permission.CATALOG)
def category_move(category_id: int):
    category = _category(category_id)
    form = MoveCategoryForm()
    if not form.validate_on_submit():
        return _category_page(category, move_form=form, status=422)
    try:
        category_tree.move(db.session, _me(), category, form.parent.data)
    except DomainError as error:
        db.session.rollback()
        return _category_page(_category(category_id), move_form=form, status=_show_error(form, error))
    _after_catalog_change()
    flash(_("The category is moved."), "success")
    return redirect(url_for(".category_edit", category_id=category_id))


@bp.post(f"/categories/{ID}:category_id>/delete")
@requires(Permission.CATALOG)
def category_delete(category_id: int):
    category = _category(category_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".category_edit", category_id=category.id))
    try:
        category_tree.remove(db.session, _me(), category)
    except DomainError as error:
        flash(explain(error), "error")
        return redirect(url_for(".category_edit", category_id=category_id))
    _after_catalog_change()
    flash(_("The category is deleted."), "success")
    return redirect(url_for(".category_list"))


@bp.post(f"/categories/{ID}:category_id>/attributes")
@requires(Permission.CATALOG)
def category_attach(category_id: int):
    category = _category(category_id)
    form = AttachAttributeForm()
    if not form.validate_on_submit():
        return _category_page(category, attach_form=form, status=422)
    try:
        category_tree.attach(db.session, _me(), category, form.attribute.data or 0, form.requirement.data)
    except DomainError as error:
        return _category_page(category, attach_form=form, status=_show_error(form, error))
    flash(_("The attribute is set for this category."), "success")
    return redirect(url_for(".category_edit", category_id=category.id))


@bp.post(f"/categories/{ID}:category_id>/attributes/{ID}:attribute_id>/remove")
@requires(Permission.CATALOG)
def category_detach(category_id: int, attribute_id: int):
    category = _category(category_id)
    if ConfirmForm().validate_on_submit():
        try:
            category_tree.detach(db.session, _me(), category, attribute_id)
        except NotFound:
            abort(404)
        flash(_("The attribute is no longer asked for in this category."), "success")
    return redirect(url_for(".category_edit", category_id=category.id))


def _category(category_id: int):
    try:
        return category_tree.get(db.session, category_id)
    except NotFound:
        abort(404)


def _category_page(category, *, rename_form=None, move_form=None, attach_form=None, status: int = 200):
    rows = category_tree.rows(db.session)
    rename_form = rename_form or RenameCategoryForm(formdata=None, obj=category)
    move_form = move_form or MoveCategoryForm(formdata=None)
    attach_form = attach_form or AttachAttributeForm(formdata=None)
    # A category cannot move under itself or its subtree: those are not offered (the service
    # refuses them anyway).
    move_form.parent.choices = choices([("", _("None (top level)"))] + [
        (row.category.id, "— " * row.depth + row.category.label_for(_locale()))
        for row in rows if not row.category.path.startswith(category.path)
    ])
    if move_form.parent.data is None and not request.form:
        move_form.parent.data = category.parent_id
    attach_form.attribute.choices = choices([("", _("Choose an attribute"))] + [
        (a.id, f"{a.label_for(_locale())} ({a.code})") for a in category_tree.attributes(db.session)
    ])
    own = [link for link in category.attribute_links]
    inherited = [link for link in reference.attributes_for(db.session, category) if link.category_id != category.id]
    row = next((r for r in rows if r.category.id == category.id), None)
    return render_template(
        "backoffice/category.html", category=category, row=row, rows=rows,
        breadcrumb=reference.ancestors(db.session, category),
        rename_form=rename_form, move_form=move_form, attach_form=attach_form, confirm_form=ConfirmForm(formdata=None),
        own=own, inherited=inherited, requirement_choices=REQUIREMENT_CHOICES, locale=_locale(),
    ), status


# --- Value lists ---------------------------------------------------------------------------------


@bp.route("/value-lists", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def value_list_list():
    form = ValueListForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                created = value_lists.create(db.session, _me(), code=form.code.data, label=form.label.data)
            except DomainError as error:
                status = _show_error(form, error)
            else:
                flash(_("The value list is created: add its values."), "success")
                return redirect(url_for(".value_list_edit", list_id=created.id))
    return render_template("backoffice/value_lists.html", lists=value_lists.all_lists(db.session), form=form), status


@bp.route(f"/value-lists/{ID}:list_id>", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def value_list_edit(list_id: int):
    found = _value_list(list_id)
    form = ValueForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                value_lists.add_value(db.session, _me(), found, code=form.code.data, label=form.label.data,
                                      label_en=form.label_en.data or "")
            except DomainError as error:
                status = _show_error(form, error)
            else:
                flash(_("The value is added."), "success")
                return redirect(url_for(".value_list_edit", list_id=found.id))
    return _value_list_page(found, form, status)


@bp.post(f"/value-lists/{ID}:list_id>/values/{ID}:item_id>")
@requires(Permission.CATALOG)
def value_rename(list_id: int, item_id: int):
    found = _value_list(list_id)
    form = RenameValueForm()
    if not form.validate_on_submit():
        flash(_("Enter a label."), "error")
    else:
        try:
            value_lists.rename_value(db.session, _me(), found, item_id, label=form.label.data,
                                     label_en=form.label_en.data or "")
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(explain(error), "error")
        else:
            _after_catalog_change()
            flash(_("The value is renamed."), "success")
    return redirect(url_for(".value_list_edit", list_id=found.id))


@bp.post(f"/value-lists/{ID}:list_id>/values/{ID}:item_id>/remove")
@requires(Permission.CATALOG)
def value_remove(list_id: int, item_id: int):
    found = _value_list(list_id)
    if ConfirmForm().validate_on_submit():
        try:
            value_lists.remove_value(db.session, _me(), found, item_id)
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(explain(error), "error")
        else:
            flash(_("The value is removed."), "success")
    return redirect(url_for(".value_list_edit", list_id=found.id))


def _value_list(list_id: int):
    try:
        return value_lists.get(db.session, list_id)
    except NotFound:
        abort(404)


def _value_list_page(found, form, status: int):
    return render_template(
        "backoffice/value_list.html", value_list=found, form=form, usage=value_lists.usage(db.session, found),
        attributes=value_lists.attributes_using(db.session, found), confirm_form=ConfirmForm(formdata=None),
        rename_form=RenameValueForm(formdata=None),
    ), status


# --- Brands --------------------------------------------------------------------------------------


@bp.route("/brands", methods=["GET", "POST"])
@requires(Permission.CATALOG)
def brand_list():
    form = BrandForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                brand = brands.create(db.session, _me(), form.name.data)
            except DomainError as error:
                status = _show_error(form, error)
            else:
                flash(_("The brand %(name)s is created.", name=brand.name), "success")
                return redirect(url_for(".brand_list"))
    q = _text(request.args.get("q", ""), 120)
    return render_template("backoffice/brands.html", rows=brands.rows(db.session, q), q=q, form=form,
                           rename_form=BrandForm(formdata=None), merge_form=MergeBrandForm(formdata=None),
                           all_brands=reference.brands(db.session)), status


@bp.post(f"/brands/{ID}:brand_id>/rename")
@requires(Permission.CATALOG)
def brand_rename(brand_id: int):
    brand = _brand(brand_id)
    form = BrandForm()
    if not form.validate_on_submit():
        flash(_("Enter a name."), "error")
    else:
        try:
            brands.rename(db.session, _me(), brand, form.name.data)
        except DomainError as error:
            flash(explain(error), "error")
        else:
            _after_catalog_change()
            flash(_("The brand is renamed."), "success")
    return redirect(url_for(".brand_list"))


@bp.post(f"/brands/{ID}:brand_id>/merge")
@requires(Permission.CATALOG)
def brand_merge(brand_id: int):
    brand = _brand(brand_id)
    form = MergeBrandForm()
    into = db.session.get(Brand, form.into.data) if form.validate_on_submit() and form.into.data else None
    if into is None:
        flash(_("Choose a brand."), "error")
    else:
        try:
            brands.merge(db.session, _me(), brand, into)
        except DomainError as error:
            flash(explain(error), "error")
        else:
            _after_catalog_change()
            flash(_("The brand is merged into %(name)s.", name=into.name), "success")
    return redirect(url_for(".brand_list"))


def _brand(brand_id: int):
    try:
        return brands.get(db.session, brand_id)
    except NotFound:
        abort(404)

