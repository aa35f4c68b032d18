"""Themes on disk: ``themes/<key>/theme.toml`` plus ``templates/`` and ``static/``.

The folder's name is the theme's key, the value of ``THEME``. The manifest is small::

    name = "Atelier"                 # shown by `flask theme list`
    parent = "default"               # optional: another theme's key, or "default"
    description = "Warm colours, a serif face, the product photo first."

``default`` is the shop's own templates and static files; it has no folder and every chain of
parents ends there.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT = "default"
MANIFEST = "theme.toml"
KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
FIELDS = ("name", "parent", "description")


class ThemeError(ValueError):
    """A theme cannot be used; the message names the file and what to fix."""


@dataclass(frozen=True)
class Theme:
    key: str  # the folder's name, what THEME is set to
    name: str
    parent: str  # another theme's key, or DEFAULT
    description: str
    folder: Path

    @property
    def templates_folder(self) -> Path:
        return self.folder / "templates"

    @property
    def static_folder(self) -> Path:
        return self.folder / "static"


def read_manifest(folder: Path) -> Theme:
    """The theme in ``folder``; raises :class:`ThemeError` for a missing or wrong manifest."""
    path = folder / MANIFEST
    key = folder.name
    if not KEY.fullmatch(key) or key == DEFAULT:
        raise ThemeError(
            f"{folder}: a theme's folder name is its key: lowercase letters, digits, - and _ "
            f"(at most 40), and not {DEFAULT!r}."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThemeError(
            f"{path} is missing; a theme needs a manifest (name, parent, description)."
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ThemeError(f"{path} is not valid TOML: {error}.") from None
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ThemeError(f"{path}: unknown key {unknown[0]!r}; a manifest has {', '.join(FIELDS)}.")
    for field in FIELDS:
        if not isinstance(data.get(field, ""), str):
            raise ThemeError(f"{path}: {field} must be a string.")
    name = data.get("name", "").strip()
    if not name:
        raise ThemeError(f'{path}: name is missing (name = "My theme").')
    parent = data.get("parent", "").strip() or DEFAULT
    if parent == key:
        raise ThemeError(f"{path}: a theme cannot be its own parent.")
    return Theme(
        key=key,
        name=name,
        parent=parent,
        description=" ".join(data.get("description", "").split()),
        folder=folder,
    )


def theme_folders(themes_dir: Path) -> list[Path]:
    """Every folder of ``themes_dir`` that holds a manifest, sorted by name."""
    if not themes_dir.is_dir():
        return []
    return sorted(p for p in themes_dir.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def discover(themes_dir: Path) -> tuple[dict[str, Theme], list[ThemeError]]:
    """The themes of ``themes_dir`` by key, and the problems of those that cannot be read."""
    themes: dict[str, Theme] = {}
    problems: list[ThemeError] = []
    for folder in theme_folders(themes_dir):
        try:
            theme = read_manifest(folder)
        except ThemeError as error:
            problems.append(error)
        else:
            themes[theme.key] = theme
    return themes, problems


def available_keys(themes_dir: Path) -> list[str]:
    """``default`` and the key of every folder with a manifest (readable or not)."""
    return [DEFAULT, *(folder.name for folder in theme_folders(themes_dir))]


def resolve_chain(key: str, themes_dir: Path) -> list[Theme]:
    """The theme ``key`` and its parents, nearest first; empty for ``default``.

    Raises :class:`ThemeError` for an unknown theme (naming the themes found), a manifest that
    cannot be read, an unknown parent or a loop of parents.
    """
    chain: list[Theme] = []
    current = key
    while current != DEFAULT:
        folder = themes_dir / current
        if not KEY.fullmatch(current) or not (folder / MANIFEST).is_file():
            found = ", ".join(available_keys(themes_dir))
            if not chain:
                raise ThemeError(
                    f"THEME={key!r} is not a theme of {themes_dir}; themes found: {found}."
                )
            raise ThemeError(
                f"{chain[-1].folder / MANIFEST}: parent {current!r} is not a theme of "
                f"{themes_dir}; themes found: {found}."
            )
        theme = read_manifest(folder)
        if any(t.key == theme.key for t in chain):
            loop = " → ".join([*(t.key for t in chain), theme.key])
            raise ThemeError(f"{folder / MANIFEST}: the parents loop ({loop}).")
        chain.append(theme)
        current = theme.parent
    return chain
