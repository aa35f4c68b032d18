"""Orders domain (being split into modules)."""

from .lifecycle import *  # noqa: F403
