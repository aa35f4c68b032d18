"""Where a template name is looked up: the active theme, its parents, then ``templates/``.

    "shop/product.html"                the theme's file if it has one, else its parent's, else
                                       templates/shop/product.html
    "core/shop/product.html"           always templates/shop/product.html: what a theme template
                                       extends to change one block of the page it replaces
    "themes/atelier/shop/product.html" that theme's own file (a child theme extends its parent's)

``core/`` and ``themes/`` are therefore reserved: a theme's files under those folders are never
served (a theme must not be able to redefine what ``core/`` means).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader, TemplateNotFound

from .manifest import DEFAULT, Theme

CORE = "core"
THEMES = "themes"
RESERVED = (f"{CORE}/", f"{THEMES}/")


class ThemeFolderLoader(FileSystemLoader):
    """A theme's ``templates/``, without the reserved folders."""

    def get_source(self, environment, template):
        if template.startswith(RESERVED):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)

    def list_templates(self) -> list[str]:
        return [name for name in super().list_templates() if not name.startswith(RESERVED)]


def build_loader(chain: list[Theme], default_folder: Path) -> BaseLoader:
    default = FileSystemLoader(str(default_folder))
    theme_loaders = [ThemeFolderLoader(str(theme.templates_folder)) for theme in chain]
    prefixed = PrefixLoader(
        {
            CORE: default,
            THEMES: PrefixLoader(
                {t.key: loader for t, loader in zip(chain, theme_loaders, strict=True)}
            ),
        }
    )
    # The prefixed names come first, so that "core/..." can never reach a theme's folder.
    return ChoiceLoader([prefixed, *theme_loaders, default])


@dataclass(frozen=True)
class TemplateFile:
    """One template as the active theme sees it: its name and the file that answers it."""

    name: str
    path: Path
    origin: str  # the theme key it comes from, or DEFAULT

    @property
    def from_theme(self) -> bool:
        return self.origin != DEFAULT


def _names(folder: Path) -> Iterable[str]:
    if not folder.is_dir():
        return []
    return ThemeFolderLoader(str(folder)).list_templates()


def effective_templates(chain: list[Theme], default_folder: Path) -> list[TemplateFile]:
    """Every template name the shop can render, with the file the lookup order picks for it."""
    found: dict[str, TemplateFile] = {}
    for name in _names(default_folder):
        found[name] = TemplateFile(name, default_folder / name, DEFAULT)
    for theme in reversed(chain):  # the nearest theme is applied last, and wins
        for name in _names(theme.templates_folder):
            found[name] = TemplateFile(name, theme.templates_folder / name, theme.key)
    return [found[name] for name in sorted(found)]


def reserved_files(theme: Theme) -> list[Path]:
    """A theme's files under core/ or themes/: never used, worth a warning."""
    folder = theme.templates_folder
    return sorted(
        path
        for prefix in (CORE, THEMES)
        if (folder / prefix).is_dir()
        for path in (folder / prefix).rglob("*")
        if path.is_file()
    )
