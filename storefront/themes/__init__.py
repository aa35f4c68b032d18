"""Merchant themes: change the shop's templates and static files without forking the code.

A theme is a folder ``themes/<key>/`` (``THEMES_DIR``) with ``theme.toml``, ``templates/`` and
``static/``; ``THEME=<key>`` makes it active. Lookups go theme → its parents → the defaults:

- :mod:`.manifest` reads the manifests and resolves the chain of parents;
- :mod:`.loader` builds the template loader (``core/<name>`` always means the default);
- :mod:`.static` serves ``/static/<path>`` theme first, and ``asset_url()`` versions the URLs;
- :mod:`.environment` is the sandboxed Jinja environment every template renders in;
- :mod:`.check`, :mod:`.reference` and :mod:`.commands` are ``flask theme check``, the template
  reference of docs/theming.md and the ``flask theme`` commands.

How to write a theme: docs/theming.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from storefront.settings import ConfigError

from .loader import build_loader
from .manifest import DEFAULT, Theme, ThemeError, resolve_chain


@dataclass(frozen=True)
class ActiveTheme:
    """What ``app.extensions["themes"]`` holds."""

    key: str
    chain: list[Theme]  # the active theme and its parents, nearest first; empty for default
    themes_dir: Path
    default_templates: Path
    default_static: Path

    @property
    def name(self) -> str:
        return self.chain[0].name if self.chain else "Default"

    @property
    def static_folders(self) -> list[Path]:
        return [theme.static_folder for theme in self.chain] + [self.default_static]


def register_themes(app: Flask) -> None:
    """Make ``THEME`` the app's theme; raises :class:`ConfigError` for an unusable one.

    Runs before the extensions: the sandboxed environment class must be chosen before anything
    creates ``app.jinja_env``.
    """
    from . import commands, static
    from .environment import ThemeEnvironment

    if "jinja_env" in app.__dict__:
        raise RuntimeError("register_themes must run before anything creates app.jinja_env")
    themes_dir = Path(app.config["THEMES_DIR"]).resolve()
    key = app.config["THEME"]
    try:
        chain = resolve_chain(key, themes_dir)
    except ThemeError as error:
        raise ConfigError(str(error)) from None
    active = ActiveTheme(
        key=key,
        chain=chain,
        themes_dir=themes_dir,
        default_templates=Path(app.root_path, app.template_folder),
        default_static=Path(app.static_folder),
    )
    app.extensions["themes"] = active
    app.jinja_environment = ThemeEnvironment
    app.jinja_loader = build_loader(chain, active.default_templates)
    # Jinja reports a template's file as the loader's folder joined and normalised: compare alike.
    app.jinja_env.theme_template_folders = tuple(
        os.path.normpath(theme.templates_folder) + os.sep for theme in chain
    )
    static.init_app(app)
    app.cli.add_command(commands.theme)


__all__ = ["DEFAULT", "ActiveTheme", "Theme", "ThemeError", "register_themes"]
