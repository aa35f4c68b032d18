"""Absolute links for emails: an email has no request to be relative to.

Paths come from the application's URL map (no route is spelled out twice), prefixed with
``PUBLIC_URL``. Each side of a conversation has its own page for it, so a thread's link depends
on who reads the email.
"""

from __future__ import annotations

from flask import current_app
from werkzeug.routing import BuildError

from storefront.marketplace import checkout
from storefront.marketplace.models import ActorRole, CustomerOrder, Thread

THREAD_ENDPOINTS = {
    ActorRole.CUSTOMER: "messages.thread",
    ActorRole.SELLER: "seller.thread",
    ActorRole.OPERATOR: "backoffice.thread",
}


def absolute_url(endpoint: str, **values) -> str:
    # Bound without a request, so it works in jobs too (the deadline job emails customers).
    adapter = current_app.url_map.bind("storefront.localhost", script_name="/")
    return current_app.config["PUBLIC_URL"] + adapter.build(endpoint, values)


def absolute_thread_url(thread: Thread, role: str) -> str:
    return absolute_url(THREAD_ENDPOINTS[ActorRole(role)], thread_id=thread.id)


def absolute_order_url(order: CustomerOrder) -> str:
    """The customer's page of the order: "My orders" for an account, the signed link for a guest."""
    try:
        if order.customer_id is not None:
            return absolute_url("checkout.order", number=order.number)
        token = checkout.order_link_token(order, current_app.secret_key)
        return absolute_url("checkout.guest_order", token=token)
    except BuildError:
        # A shop built without the checkout pages (a theme preview, a partial test app).
        return current_app.config["PUBLIC_URL"] + "/"
