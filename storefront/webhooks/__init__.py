"""Outgoing webhooks: the worker's side (``delivery``). Subscriptions and events are recorded by
the service layer (``storefront.marketplace.webhooks``)."""
