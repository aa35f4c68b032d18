"""Entry point for ``flask --app app`` and ``gunicorn app:app``."""

import sys

from storefront import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    # One clear line instead of a traceback: the message says what to fix.
    sys.exit(f"storefront: configuration error: {error}")
