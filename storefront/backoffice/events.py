"""Back office: event categories (Black Friday, soldes…), thin adapters over
``marketplace.event_categories``.

The form previews how many products its rules select before anything is saved: htmx posts it to
the preview endpoint on every change and swaps the count in; without JavaScript the "Preview"
button posts the same form there and gets the whole page back, what was typed kept.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from storefront import clock
from storefront.backoffice import bp
from storefront.backoffice.access import requires
from storefront.backoffice.event_forms import EventForm, PickForm, to_naive_local
from storefront.extensions import db
from storefront.marketplace import event_categories, reference
from storefront.marketplace.errors import DomainError, NotFound
from storefront.marketplace.event_categories import (
    EventInvalid,
    EventProblem,
    EventRules,
    EventState,
)
from storefront.marketplace.models import Brand, EventCategory, PickKind, Product, Seller
from storefront.marketplace.staff import Permission
from storefront.web import query_params
from storefront.web.refusals import explain

PER_PAGE = 50
EVENT_ID = "<int(max=2147483647):event_id>"

PROBLEMS = {
    EventProblem.NAME: _l("Give the event a name."),
    EventProblem.SLUG: _l("Use lower-case letters, digits and hyphens only."),
    EventProblem.SLUG_TAKEN: _l("Another event already uses this address."),
    EventProblem.DATES: _l("The end must come after the start."),
    EventProblem.NO_RULES: _l("Choose at least one criterion, or pin products on the event's page."),
    EventProblem.PRICE_RANGE: _l("The maximum price is below the minimum."),
    EventProblem.PRICE: _l("Enter a price between 0 and 1,000,000 €."),
    EventProblem.DISCOUNT: _l("Enter a whole number from 0 to 100."),
    EventProblem.UNKNOWN_CATEGORY: _l("This category no longer exists."),
    EventProblem.UNKNOWN_BRAND: _l("This brand no longer exists."),
    EventProblem.UNKNOWN_SELLER: _l("This seller no longer exists."),
    EventProblem.CONDITION: _l("Choose from the list."),
}

# Service field -> form field (``rules``: the form as a whole).
FORM_FIELDS = {
    "category_ids": "categories", "brand_ids": "brands", "seller_ids": "sellers",
}

SORTS = tuple(event_categories.SORTS)
STATES = tuple(EventState)


def _me():
    return current_user._get_current_object()


def _event(event_id: int) -> EventCategory:
    try:
        return event_categories.get(db.session, event_id)
    except NotFound:
        abort(404)


# --- list ----------------------------------------------------------------------------------------


class _Found:
    """A page of events with what the pagination partial reads."""

    def __init__(self, found, page: int):
        self.items, self.total, self.page = found.events, found.total, page
        self.pages = max(1, -(-found.total // PER_PAGE))


@bp.get("/events")
@requires(Permission.EVENTS)
def event_list():
    state = query_params.choice(request.args.get("state"), [s.value for s in STATES], "")
    sort = query_params.choice(request.args.get("sort"), SORTS, "start")
    q = "".join(ch for ch in request.args.get("q", "") if ch.isprintable())[:60]
    page = query_params.page(request.args)
    found = _Found(
        event_categories.search(db.session, state=state, q=q, sort=sort, page=page, per_page=PER_PAGE), page
    )
    return render_template(
        "backoffice/events.html", found=found, state=state, sort=sort, q=q, states=STATES,
        now=clock.now(), state_of=event_categories.state_of,
    )


# --- create and edit -----------------------------------------------------------------------------


def _choices() -> dict:
    categories = []

    def walk(nodes, depth):
        for node in nodes:
            categories.append((node.category.id, "\u2003" * depth + node.category.label))
            walk(node.children, depth + 1)

    walk(reference.category_tree(db.session, kind=None), 0)
    return {
        "categories": categories,
        "brands": [(b.id, b.name) for b in db.session.scalars(select(Brand).order_by(Brand.name))],
        "sellers": [(s.id, s.name) for s in db.session.scalars(select(Seller).order_by(Seller.name))],
    }


def _form(event: EventCategory | None = None) -> EventForm:
    if request.method == "POST":
        return EventForm(choices=_choices())
    if event is None:
        now = clock.now().replace(second=0, microsecond=0)
        return EventForm(formdata=None, choices=_choices(), starts_at=to_naive_local(now, clock.tz()), active=True)
    return EventForm(
        formdata=None, choices=_choices(), name=event.name, name_en=event.name_en, slug=event.slug,
        starts_at=to_naive_local(event.starts_at, clock.tz()), ends_at=to_naive_local(event.ends_at, clock.tz()),
        active=event.active, categories=event.category_ids, brands=event.brand_ids,
        sellers=event.seller_ids, conditions=event.conditions, min_discount=event.min_discount,
        price_min=event.price_min, price_max=event.price_max, shipped_by_retailer=event.shipped_by_retailer,
    )


def _rules(form: EventForm) -> EventRules | None:
    """The rules typed in ``form``, or None when its shape is wrong (errors on the fields)."""
    if not form.validate_on_submit():
        return None
    if not form.slug.data:
        form.slug.data = event_categories.slugify(form.name.data or "")
    tz = clock.tz()
    return EventRules(
        name=form.name.data or "", name_en=form.name_en.data or "", slug=form.slug.data,
        starts_at=form.starts_at.data.replace(tzinfo=tz), ends_at=form.ends_at.data.replace(tzinfo=tz),
        active=bool(form.active.data), category_ids=form.categories.data or [],
        brand_ids=form.brands.data or [], seller_ids=form.sellers.data or [],
        conditions=form.conditions.data or [], min_discount=form.min_discount.data,
        price_min=form.price_min.data, price_max=form.price_max.data,
        shipped_by_retailer=bool(form.shipped_by_retailer.data),
    )


def _show_problems(form: EventForm, problems: dict[str, EventProblem]) -> None:
    for name, problem in problems.items():
        message = str(PROBLEMS[problem])
        field = getattr(form, FORM_FIELDS.get(name, name), None)
        if name == "rules" or field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def _form_page(form: EventForm, event: EventCategory | None, preview=None, status: int = 200):
    return render_template(
        "backoffice/event_form.html", form=form, event=event, preview=preview,
        preview_url=url_for(".event_preview", event_id=event.id) if event else url_for(".event_preview_new"),
    ), status


@bp.get("/events/new")
@requires(Permission.EVENTS)
def event_new():
    return _form_page(_form(), None)


@bp.post("/events/new")
@requires(Permission.EVENTS)
def event_create():
    form = _form()
    rules = _rules(form)
    if rules is None:
        return _form_page(form, None, status=422)
    try:
        event = event_categories.create(db.session, _me(), rules)
    except EventInvalid as error:
        _show_problems(form, error.problems)
        return _form_page(form, None, status=422)
    flash(ngettext("Event saved: %(num)d product matches its rules.",
                   "Event saved: %(num)d products match its rules.", event.member_count), "success")
    return redirect(url_for(".event_detail", event_id=event.id))


@bp.get(f"/events/{EVENT_ID}/edit")
@requires(Permission.EVENTS)
def event_edit(event_id: int):
    event = _event(event_id)
    return _form_page(_form(event), event)


@bp.post(f"/events/{EVENT_ID}/edit")
@requires(Permission.EVENTS)
def event_update(event_id: int):
    event = _event(event_id)
    form = _form(event)
    rules = _rules(form)
    if rules is None:
        return _form_page(form, event, status=422)
    try:
        event_categories.update(db.session, _me(), event, rules)
    except EventInvalid as error:
        _show_problems(form, error.problems)
        return _form_page(form, event, status=422)
    flash(ngettext("Event saved: %(num)d product matches its rules.",
                   "Event saved: %(num)d products match its rules.", event.member_count), "success")
    return redirect(url_for(".event_detail", event_id=event.id))


@bp.post("/events/preview")
@requires(Permission.EVENTS)
def event_preview_new():
    return _preview(None)


@bp.post(f"/events/{EVENT_ID}/preview")
@requires(Permission.EVENTS)
def event_preview(event_id: int):
    return _preview(_event(event_id))


def _preview(event: EventCategory | None):
    """How many products the typed rules select; nothing is saved. htmx gets the count alone."""
    form = _form(event)
    rules = _rules(form)
    preview = None
    if rules is not None:
        pinned = sum(1 for p in event.picks if p.kind == PickKind.PINNED) if event else 0
        problems = event_categories.problems(db.session, rules, event=event, pinned=pinned)
        # The name and address do not change the count: preview before they are settled.
        problems = {k: v for k, v in problems.items() if k not in ("name", "slug")}
        if problems:
            _show_problems(form, problems)
        else:
            preview = event_categories.preview(db.session, rules, event)
    fragment = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    if fragment:
        response = render_template("backoffice/partials/event_preview.html", form=form, preview=preview)
        return response, 200, {"Vary": "HX-Request"}
    page, status = _form_page(form, event, preview, status=200 if preview else 422)
    return page, status, {"Vary": "HX-Request"}


# --- one event -----------------------------------------------------------------------------------


@bp.get(f"/events/{EVENT_ID}")
@requires(Permission.EVENTS)
def event_detail(event_id: int, pick_form: PickForm | None = None, status: int = 200):
    event = _event(event_id)
    page = query_params.page(request.args)
    ids, total = event_categories.member_ids(db.session, event, page=page, per_page=PER_PAGE)
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    names = dict(_choices_names(event))
    return render_template(
        "backoffice/event.html", event=event, state=event_categories.state_of(event, clock.now()),
        members=[products[i] for i in ids if i in products],
        found=_Members(total, page), picks=event_categories.picks_of(db.session, event),
        pick_form=pick_form or PickForm(formdata=None), names=names, tz=clock.tz(),
        locale=str(get_locale()),
    ), status


class _Members:
    def __init__(self, total: int, page: int):
        self.total, self.page = total, page
        self.pages = max(1, -(-total // PER_PAGE))


def _choices_names(event: EventCategory):
    """(kind, names) of the event's rule values, for the summary."""
    from storefront.marketplace.models import Category

    for kind, model, ids, label in (
        ("categories", Category, event.category_ids, lambda c: c.label),
        ("brands", Brand, event.brand_ids, lambda b: b.name),
        ("sellers", Seller, event.seller_ids, lambda s: s.name),
    ):
        rows = db.session.scalars(select(model).where(model.id.in_(ids))).all() if ids else []
        yield kind, sorted(label(row) for row in rows)


@bp.post(f"/events/{EVENT_ID}/picks")
@requires(Permission.EVENTS)
def event_pick(event_id: int):
    event = _event(event_id)
    form = PickForm()
    kind = form.kind.data if form.kind.data in PickKind.__members__ else None
    if not form.validate_on_submit() or kind is None:
        if kind is None:
            form.kind.errors = [_("Choose to pin or to exclude.")]
        return event_detail(event_id, pick_form=form, status=422)
    try:
        product = event_categories.pick(db.session, _me(), event, form.reference.data, kind)
    except DomainError as error:
        form.reference.errors = [_("No product has this GTIN or id.") if isinstance(error, NotFound) else explain(error)]
        return event_detail(event_id, pick_form=form, status=422)
    if kind == PickKind.PINNED:
        flash(_("%(title)s is pinned: always in the event.", title=product.title), "success")
    else:
        flash(_("%(title)s is excluded: never in the event.", title=product.title), "success")
    return redirect(url_for(".event_detail", event_id=event.id))


@bp.post(f"/events/{EVENT_ID}/picks/<int(max=2147483647):product_id>/remove")
@requires(Permission.EVENTS)
def event_unpick(event_id: int, product_id: int):
    event = _event(event_id)
    try:
        event_categories.unpick(db.session, _me(), event, product_id)
    except NotFound:
        abort(404)
    flash(_("The product follows the event's rules again."), "success")
    return redirect(url_for(".event_detail", event_id=event.id))


@bp.post(f"/events/{EVENT_ID}/<any(activate, deactivate):action>")
@requires(Permission.EVENTS)
def event_switch(event_id: int, action: str):
    event = _event(event_id)
    event_categories.set_active(db.session, _me(), event, action == "activate")
    if event.active:
        flash(_("The event is active: the shop shows it between its dates."), "success")
    else:
        flash(_("The event is deactivated: the shop no longer shows it."), "success")
    return redirect(url_for(".event_detail", event_id=event.id))


@bp.post(f"/events/{EVENT_ID}/delete")
@requires(Permission.EVENTS)
def event_delete(event_id: int):
    event = _event(event_id)
    name = event.name
    event_categories.delete_event(db.session, _me(), event)
    flash(_("The event %(name)s is deleted.", name=name), "success")
    return redirect(url_for(".event_list"))
