"""The marketplace service layer: one module per domain, plain Python over SQLAlchemy sessions.

Services take a session and plain values, raise :mod:`storefront.marketplace.errors`, and never
read Flask's request globals, so the same function serves the shop, the API and the worker.
"""
