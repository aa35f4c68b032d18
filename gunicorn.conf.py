"""gunicorn's settings for Storefront (the Procfile's ``web`` passes ``--config gunicorn.conf.py``;
gunicorn also reads this file by itself when started from this folder).

- Development refuses to listen beyond the loopback interface (storefront/listening.py says why):
  checked in ``on_starting``, before gunicorn binds anything.
- With JSON logs (production, or ``LOG_FORMAT=json``) gunicorn's own lines are JSON too; the
  access line is the application's (``storefront.access``, with the request id), so gunicorn
  writes none.
- Restarts: ``kill -HUP`` on the master replaces the workers; each old one finishes its requests
  within ``graceful_timeout`` (``GRACEFUL_TIMEOUT``, 25 s by default: under the usual 30 s a
  platform waits before SIGKILL). Gunicorn's control socket (``gunicornc``) is off unless
  ``GUNICORN_CONTROL_SOCKET`` names a path: by default every gunicorn of a user shares one in
  ``$HOME/.gunicorn``, and two shops on one host would answer each other's commands.
- With ``PROMETHEUS_MULTIPROC_DIR`` the folder is emptied at start and each dead worker's files
  are marked, as prometheus_client's multiprocess mode requires (storefront/observability/metrics.py).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storefront.settings import ConfigError, environment_name, log_format  # noqa: E402

try:
    _JSON_LOGS = log_format(os.environ) == "json"
except ConfigError as error:
    sys.exit(f"storefront: configuration error: {error}")

graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "25"))
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

if _JSON_LOGS:
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},  # the application installs its own
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "formatters": {"json": {"()": "storefront.observability.logs.JsonFormatter"}},
    }


def on_starting(server):
    from storefront.listening import check_addresses

    try:
        check_addresses(environment_name(os.environ), server.cfg.address)
    except ConfigError as error:
        print(f"storefront: configuration error: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):  # counts of a previous run
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
