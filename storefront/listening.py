"""Where a development server may listen: the loopback interface only.

Development mode serves every captured email, password-reset links included, at /_dev/mail, runs
Flask's debugger under ``flask run --debug`` and signs sessions with a key kept in ``instance/``:
reachable from another machine, that is an open door. So both servers refuse to listen anywhere
else than 127.0.0.0/8, ::1 or ``localhost`` in development:

- ``flask run --host``: :func:`check_flask_run`, called by ``create_app`` (``flask run`` builds
  the application before it binds, inside the click command whose ``host`` we read);
- gunicorn ``--bind``: the ``on_starting`` hook of gunicorn.conf.py calls :func:`check_addresses`
  with the addresses gunicorn is about to bind.

Production and testing listen wherever they are told.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from storefront.settings import ConfigError


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or ``localhost``; nothing else (``0.0.0.0`` and ``::`` mean everywhere)."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_addresses(env_name: str, addresses: Iterable[object]) -> None:
    """Raise :class:`ConfigError` when development would listen beyond the loopback interface.

    ``addresses`` as gunicorn gives them: ``(host, port)`` tuples, or strings for Unix sockets
    (local by nature, always allowed).
    """
    if env_name != "development":
        return
    for address in addresses:
        if isinstance(address, tuple) and not is_loopback(str(address[0])):
            raise ConfigError(_refusal(str(address[0])))


def check_flask_run(env_name: str) -> None:
    """Under ``flask run``, refuse a ``--host`` beyond the loopback interface in development."""
    if env_name != "development":
        return
    import click

    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return
    host = context.params.get("host")
    if host and not is_loopback(str(host)):
        raise ConfigError(_refusal(str(host)))


def _refusal(host: str) -> str:
    return (
        f"development mode refuses to listen on {host}: it shows every captured email (reset "
        "links included) to whoever connects; listen on 127.0.0.1, or set STOREFRONT_ENV=production."
    )
