"""The one link builder of emails: absolute addresses, as an email has no request to be relative to.

Services record links by name (``outbox.link("order", ...)``); this module knows the address
each name stands for. Paths come from the application's URL map (no route is spelled out twice),
prefixed with ``PUBLIC_URL``. Each side of a conversation has its own page for it, so a thread's
link depends on who reads the email.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from werkzeug.routing import BuildError

from storefront.marketplace import checkout
from storefront.marketplace.models import ActorRole

THREAD_ENDPOINTS = {
    ActorRole.CUSTOMER: "discussions.thread",
    ActorRole.SELLER: "seller.thread",
    ActorRole.OPERATOR: "backoffice.thread",
}


def absolute_url(endpoint: str, **values) -> str:
    # Bound without a request, so it works in jobs too (the worker renders the emails).
    adapter = current_app.url_map.bind("storefront.localhost", script_name="/")
    return current_app.config["PUBLIC_URL"] + adapter.build(endpoint, values)


def order_url(order_id: int, number: str, *, guest: bool) -> str:
    """The customer's page of the order: "My orders" for an account, the signed link for a guest."""
    if not guest:
        return absolute_url("checkout.order", number=number)
    token = checkout.link_token(order_id, number, current_app.secret_key)
    return absolute_url("checkout.guest_order", token=token)


def thread_url(thread_id: int, role: str) -> str:
    return absolute_url(THREAD_ENDPOINTS[ActorRole(role)], thread_id=thread_id)


def password_reset_url(token: str) -> str:
    return absolute_url("account.password_reset_page", token=token)


def confirm_email_url(token: str) -> str:
    return absolute_url("account.confirm_email", token=token)


# Links without parameters: a page of the shop by its endpoint.
PAGES = {
    "login": "account.login",
    "password_forgot": "account.password_forgot",
}


def resolve(link: Mapping[str, Any]) -> str:
    """The address of a link recorded by a service (see ``marketplace.outbox.link``)."""
    name = link["$link"]
    try:
        if name == "order":
            return order_url(link["id"], link["number"], guest=link["guest"])
        if name == "thread":
            return thread_url(link["id"], link["role"])
        if name == "password_reset":
            return password_reset_url(link["token"])
        if name == "confirm_email":
            return confirm_email_url(link["token"])
        if name in PAGES:
            return absolute_url(PAGES[name])
        if name == "endpoint":
            # Any page of the shop by endpoint and values: outbox.link("endpoint",
            # endpoint="account.accept_invitation", values={"token": ...}).
            return absolute_url(link["endpoint"], **link.get("values", {}))
    except BuildError:
        # A shop built without these pages (a theme preview, a partial test app).
        return current_app.config["PUBLIC_URL"] + "/"
    raise ValueError(f"no link named {name!r} in emails")
