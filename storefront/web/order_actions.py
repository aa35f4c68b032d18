"""The order page's actions, shared by the seller portal and the back office.

A view hands over the order's read model (``orders.order_detail``: the order, the viewer's role,
the reason codes and carriers the forms offer), the user id and where to go back; this module
parses the forms, calls the orders service, and either redirects with a success message
or renders the order page again with the error, the typed values kept, and the error's status.
The per-line inputs (a decision or a quantity per line) are read by name: ``decision-<line id>``,
``ship-<line id>``, ``cancel-<line id>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import flash, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from storefront import clock
from storefront.extensions import db
from storefront.marketplace import orders, tracking
from storefront.marketplace.errors import DomainError, InvalidValue
from storefront.marketplace.models import ReasonType, SellerOrder
from storefront.marketplace.refusals import Refusal
from storefront.web.order_forms import CancelForm, RefundForm, RefuseForm, ShipForm, VersionForm
from storefront.web.refusals import explain


@dataclass
class OrderForms:
    accept: VersionForm
    refuse: RefuseForm
    ship: ShipForm
    cancel: CancelForm
    refund: RefundForm
    error: str | None = None
    typed: dict[str, str] = field(default_factory=dict)  # per-line inputs as typed


def order_forms(detail: orders.OrderDetail) -> OrderForms:
    """The empty forms of the order page, with their choices."""
    version = str(detail.seller_order.version)
    forms = OrderForms(
        accept=VersionForm(formdata=None, version=version),
        refuse=RefuseForm(formdata=None, version=version),
        ship=ShipForm(formdata=None, version=version, shipped_on=clock.today()),
        cancel=CancelForm(formdata=None, version=version),
        refund=RefundForm(formdata=None, version=version),
    )
    _choices(forms, detail)
    return forms


def _choices(forms: OrderForms, detail: orders.OrderDetail) -> None:
    locale = _locale()
    pick = [SelectChoice("", _("Choose…"))]
    forms.refuse.reason.choices = pick + _reasons(detail, ReasonType.REFUSAL, locale)
    forms.cancel.reason.choices = pick + _reasons(detail, ReasonType.CANCELATION, locale)
    forms.refund.reason.choices = pick + _reasons(detail, ReasonType.REFUND, locale)
    forms.ship.carrier.choices = pick + [SelectChoice(c.code, c.name) for c in detail.carriers]
    forms.refund.line.choices = [SelectChoice("", _("The whole order"))] + [
        SelectChoice(str(line.id), line.title) for line in detail.seller_order.lines
    ]


def _reasons(detail: orders.OrderDetail, type_: ReasonType, locale: str) -> list[SelectChoice]:
    return [SelectChoice(r.code, r.label_for(locale)) for r in detail.reasons[type_]]


def _locale() -> str:
    return str(get_locale())


def act(
    action: str,
    detail: orders.OrderDetail,
    *,
    actor_id: int,
    back: str,
    render: Callable[[OrderForms, int], object],
):
    """Run one action of the order page (``accept``, ``refuse``, ``decide``, ``ship``, ``cancel``,
    ``refund``) from the posted form, as the viewer of ``detail``. Whether it is allowed is the
    service's to say: a page out of date gets the service's error, not a silent no."""
    seller_order, role = detail.seller_order, detail.role
    forms = order_forms(detail)
    posted = {
        "accept": VersionForm,
        "decide": RefuseForm,
        "refuse": RefuseForm,
        "ship": ShipForm,
        "cancel": CancelForm,
        "refund": RefundForm,
    }[action]()
    slot = {"accept": "accept", "decide": "refuse", "refuse": "refuse"}.get(action, action)
    setattr(forms, slot, posted)
    _choices(forms, detail)
    forms.typed = {k: v for k, v in request.form.items() if "-" in k}
    if action == "decide":
        # Refusing nothing needs no reason: only the per-line choices are required then.
        posted.reason.validators = []
        posted.reason.flags.required = False
    if not posted.validate_on_submit():
        forms.error = _("Check the form: something is missing or not valid.")
        return render(forms, 422)
    expected = posted.expected_version()
    try:
        message = _run(action, posted, seller_order, role, actor_id, expected)
    except DomainError as error:
        db.session.rollback()
        forms.error = explain(error)
        return render(forms, error.status)
    flash(message, "success")
    return redirect(back)


def _run(action, form, seller_order, role, actor_id, expected) -> str:
    common = {"actor_role": role, "actor_id": actor_id, "expected_version": expected}
    if action == "accept":
        orders.accept(db.session, seller_order, **common)
        return _("The order is accepted: ship it before the date shown.")
    if action == "refuse":
        orders.refuse(db.session, seller_order, reason_code=form.reason.data, note=form.note.data or "", **common)
        return _("The order is refused; the customer has been told.")
    if action == "decide":
        decisions = {}
        for line in seller_order.lines:
            choice = request.form.get(f"decision-{line.id}", "")
            if choice in ("accept", "refuse"):
                decisions[line.id] = choice == "accept"
        orders.decide(
            db.session,
            seller_order,
            decisions,
            reason_code=form.reason.data or None,
            note=form.note.data or "",
            **common,
        )
        return _("Your decisions are saved.")
    if action == "ship":
        parcel = tracking.ship(
            db.session,
            seller_order,
            carrier_code=form.carrier.data,
            tracking_number=form.tracking_number.data,
            shipped_on=form.shipped_on.data,
            quantities=_quantities("ship", seller_order),
            **common,
        )
        return _("Parcel %(number)s is recorded; the customer has its tracking link.",
                 number=parcel.tracking_number)
    if action == "cancel":
        orders.cancel_lines(
            db.session,
            seller_order,
            _quantities("cancel", seller_order) or {},
            reason_code=form.reason.data,
            note=form.note.data or "",
            **common,
        )
        return _("The cancellation is recorded; the customer has been told.")
    if action == "refund":
        line_id = form.line.data
        orders.refund(
            db.session,
            seller_order,
            amount=form.amount.data or 0,
            shipping_amount=form.shipping_amount.data or 0,
            reason_code=form.reason.data,
            line_id=int(line_id) if line_id and line_id.isdigit() else None,
            comment=form.comment.data or "",
            **common,
        )
        return _("The refund is recorded; the customer has been told.")
    raise InvalidValue(f"unknown action {action!r}")


def _quantities(prefix: str, seller_order: SellerOrder) -> dict[int, int] | None:
    """``{line id: quantity}`` from the ``<prefix>-<line id>`` inputs; None when the form has
    none (a parcel then holds everything left to ship)."""
    if not any(name.startswith(f"{prefix}-") for name in request.form):
        return None
    quantities = {}
    for line in seller_order.lines:
        raw = (request.form.get(f"{prefix}-{line.id}") or "").strip()
        if not raw:
            continue
        if not (raw.isdigit() and raw.isascii() and len(raw) < 7):
            raise InvalidValue(f"bad quantity {raw!r}", reason=Refusal.QUANTITY)
        quantities[line.id] = int(raw)
    return quantities
