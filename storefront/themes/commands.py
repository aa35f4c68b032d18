"""``flask theme …``: make a theme, start an override, list the themes, check one, write the
template reference of docs/theming.md."""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from jinja2 import Environment, TemplateSyntaxError, nodes

from .diagnostics import display_path
from .loader import CORE, RESERVED, THEMES
from .manifest import DEFAULT, KEY, MANIFEST, ThemeError, discover, resolve_chain

DOCS = Path(__file__).resolve().parents[2] / "docs" / "theming.md"


def _active():
    return current_app.extensions["themes"]


@click.group("theme")
def theme() -> None:
    """Merchant themes: templates and static files that replace the defaults (docs/theming.md)."""


@theme.command("list")
@with_appcontext
def list_themes() -> None:
    """The themes of THEMES_DIR; * marks the active one (THEME)."""
    active = _active()
    themes, problems = discover(active.themes_dir)
    click.echo(f"Themes in {display_path(active.themes_dir)}/ (THEMES_DIR):")
    mark = "*" if active.key == DEFAULT else " "
    click.echo(f"{mark} {DEFAULT:<16} the shop's own templates/ and static/")
    for key, found in themes.items():
        mark = "*" if key == active.key else " "
        parent = f" (parent: {found.parent})" if found.parent != DEFAULT else ""
        description = f": {found.description}" if found.description else ""
        click.echo(f"{mark} {key:<16} {found.name}{parent}{description}")
    for problem in problems:
        click.echo(f"! {problem}")


@theme.command("new")
@click.argument("key")
@click.option("--name", help="Display name (default: the key, capitalised).")
@click.option("--parent", default=DEFAULT, show_default=True, help="The theme it builds on.")
@click.option("--description", default="", help="One line for `flask theme list`.")
@with_appcontext
def new_theme(key: str, name: str | None, parent: str, description: str) -> None:
    """Create the skeleton of theme KEY in THEMES_DIR: manifest, base layout, stylesheet."""
    active = _active()
    if not KEY.fullmatch(key) or key == DEFAULT:
        raise click.UsageError(
            f"{key!r} cannot be a theme's key: lowercase letters, digits, - and _, and not {DEFAULT!r}."
        )
    folder = active.themes_dir / key
    if folder.exists():
        raise click.ClickException(f"{display_path(folder)} already exists.")
    try:
        parents = resolve_chain(parent, active.themes_dir)
    except ThemeError as error:
        raise click.ClickException(f"--parent: {error}") from None
    title = name or key.replace("-", " ").replace("_", " ").capitalize()
    (folder / "templates").mkdir(parents=True)
    (folder / "static" / "css").mkdir(parents=True)
    (folder / MANIFEST).write_text(
        f"name = {_toml_string(title)}\n"
        f"parent = {_toml_string(parent)}\n"
        f"description = {_toml_string(description)}\n",
        encoding="utf-8",
    )
    # The base layout the parent shows today: the nearest one of its chain, else the default.
    extends = next(
        (
            f"{THEMES}/{t.key}/base.html"
            for t in parents
            if (t.templates_folder / "base.html").is_file()
        ),
        f"{CORE}/base.html",
    )
    (folder / "templates" / "base.html").write_text(
        "{#- The base layout of theme " + key + ": the default one, plus this theme's stylesheet.\n"
        "    Override other blocks here (header, navigation, footer…): see docs/theming.md. -#}\n"
        f'{{% extends "{extends}" %}}\n'
        "{% block stylesheets %}{{ super() }}\n"
        f'<link rel="stylesheet" href="{{{{ asset_url(\'css/{key}.css\') }}}}">\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    (folder / "static" / "css" / f"{key}.css").write_text(
        f"/* Theme {title}: loaded after static/css/shop.css on every page.\n"
        " * Change the variables of :root first (colours, fonts, radius); add rules only where a\n"
        " * variable is not enough. No inline styles: the content security policy blocks them. */\n"
        ":root {\n"
        "  /* --color-primary: #2446b8; */\n"
        "  /* --font-heading: Georgia, serif; */\n"
        "}\n",
        encoding="utf-8",
    )
    click.echo(
        f"Created {display_path(folder)}: {MANIFEST}, templates/base.html, static/css/{key}.css."
    )
    click.echo(f"Use it with THEME={key}; start an override with `flask theme override TEMPLATE`.")


@theme.command("override")
@click.argument("template")
@click.option("--theme", "key", help="The theme to write into (default: the active one).")
@click.option(
    "--extend",
    is_flag=True,
    help="Write a template that extends the one it replaces and lists its blocks, instead of a copy.",
)
@click.option("--force", is_flag=True, help="Replace the theme's file if it has one.")
@with_appcontext
def override(template: str, key: str | None, extend: bool, force: bool) -> None:
    """Start overriding TEMPLATE (e.g. shop/partials/delivery_promise.html) in a theme.

    Copies the template the theme sees today (its parent's, or the default) into the theme's
    templates/, as a starting point.
    """
    active = _active()
    key = key or active.key
    if key == DEFAULT:
        raise click.ClickException(
            "THEME is 'default', which has no folder to write into: create a theme with "
            "`flask theme new NAME` and set THEME=NAME (or pass --theme NAME)."
        )
    try:
        chain = resolve_chain(key, active.themes_dir)
    except ThemeError as error:
        raise click.ClickException(str(error)) from None
    template = template.strip().removeprefix("templates/")
    if template.startswith(RESERVED) or ".." in template.split("/") or template.startswith("/"):
        raise click.ClickException(f"{template!r} is not a template name (like shop/product.html).")
    target_theme = chain[0]
    target = target_theme.templates_folder / template
    source, extends = _replaced(chain, active.default_templates, template)
    if source is None:
        names = sorted(
            p.relative_to(active.default_templates).as_posix()
            for p in active.default_templates.rglob("*")
            if p.is_file()
        )
        close = difflib.get_close_matches(template, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise click.ClickException(f"there is no template {template!r} to override.{hint}")
    if target.exists() and not force:
        raise click.ClickException(f"{display_path(target)} exists already (--force replaces it).")
    text = source.read_text(encoding="utf-8")
    if extend:
        text = _extending(text, template, extends)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    how = f"extends {extends}" if extend else f"a copy of {display_path(source)}"
    click.echo(f"Created {display_path(target)} ({how}).")
    if key != active.key:
        click.echo(f"Theme {key!r} is not the active one (THEME={active.key}).")


def _replaced(chain, default_templates: Path, template: str) -> tuple[Path | None, str]:
    """The file the theme's ``template`` replaces, and the name to extend it by."""
    for parent in chain[1:]:
        if (parent.templates_folder / template).is_file():
            return parent.templates_folder / template, f"{THEMES}/{parent.key}/{template}"
    default = default_templates / template
    return (default if default.is_file() else None), f"{CORE}/{template}"


def _extending(source: str, template: str, extends: str) -> str:
    try:
        ast = Environment().parse(source)
    except TemplateSyntaxError as error:
        raise click.ClickException(f"{template} does not parse: {error}") from None
    blocks = [block.name for block in ast.find_all(nodes.Block)]
    if not blocks:
        raise click.ClickException(
            f"{template} has no blocks to override one by one: copy it instead (without --extend)."
        )
    listing = "\n".join(f"      {name}" for name in blocks)
    return (
        f"{{#- Overrides {template}: extends the template it replaces and changes only some of\n"
        f"    its blocks; {{{{ super() }}}} inside a block renders the original. Its blocks:\n"
        f"{listing}\n-#}}\n"
        f'{{% extends "{extends}" %}}\n\n'
        f"{{% block {blocks[-1]} %}}{{{{ super() }}}}{{% endblock %}}\n"
    )


_CONTROL = re.compile(r"[\x00-\x1f]")


def _toml_string(value: str) -> str:
    escaped = _CONTROL.sub(" ", value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped + '"'


@theme.command("check")
@click.option("--theme", "key", help="The theme to check (default: the active one).")
@click.option(
    "--products",
    default=40,
    show_default=True,
    type=click.IntRange(5, 2000),
    help="Size of the scratch demo catalog.",
)
@with_appcontext
def check_command(key: str | None, products: int) -> None:
    """Render every page, partial and email with a theme on a scratch demo shop; report each
    template error with its file and line (exit status 1 if there is one)."""
    from .check import check_theme

    app = current_app._get_current_object()
    try:
        report = check_theme(app, key or _active().key, products=products, progress=click.echo)
    except ThemeError as error:
        raise click.ClickException(str(error)) from None
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@theme.command("docs")
@click.option(
    "--check", "verify", is_flag=True, help="Only say whether docs/theming.md is up to date."
)
@click.option("--path", type=click.Path(path_type=Path), default=DOCS, show_default=True)
@with_appcontext
def docs_command(verify: bool, path: Path) -> None:
    """Write the template reference of docs/theming.md from the default templates."""
    from .reference import Reference, replace_generated

    document = path.read_text(encoding="utf-8")
    try:
        updated = replace_generated(document, Reference.of(current_app).markdown())
    except ValueError as error:
        raise click.ClickException(f"{display_path(path)}: {error}") from None
    if verify:
        if updated != document:
            click.echo(f"{display_path(path)} is out of date: run `flask --app app theme docs`.")
            sys.exit(1)
        click.echo(f"{display_path(path)} is up to date.")
        return
    if updated == document:
        click.echo(f"{display_path(path)} is up to date.")
        return
    path.write_text(updated, encoding="utf-8")
    click.echo(f"Updated the template reference in {display_path(path)}.")
