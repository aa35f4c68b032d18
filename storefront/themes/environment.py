"""The Jinja environment every template renders in, defaults and themes alike.

A theme is trusted to change how the shop looks, not how it protects its visitors. So:

- Templates run in Jinja's *immutable sandbox*: no attribute starting with ``_`` (no way from
  ``url_for.__globals__`` to the application), no method that changes a dict, list or set. A
  template can read ``config`` or ``session`` but never change them, so it cannot switch CSRF
  protection off (``config.update(WTF_CSRF_ENABLED=False)`` raises a SecurityError) or touch
  the content security policy, which is a response header set in Python after rendering
  (storefront/security.py).
- Autoescaping is chosen by Flask from the template's name (``.html`` escapes), the same for a
  theme's file as for the default it replaces, and a theme's file may not switch it off: the
  ``{% autoescape %}`` tag and the ``safe`` filter are refused in theme templates at compile
  time (a TemplateSyntaxError with the file and line, which `flask theme check` reports). Without
  ``safe`` a theme cannot print a seller's product description as raw HTML by mistake.
- An escaping template (HTML) may not extend, include or import one that does not escape (a
  ``.txt``): what the text template prints, and what its macros return, would reach the page
  unescaped (Jinja marks a macro's output safe for its caller). Text may use HTML, not the
  reverse.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask.templating import Environment as FlaskEnvironment
from jinja2 import TemplateRuntimeError, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_BLOCK_BEGIN, TOKEN_NAME, TOKEN_PIPE, Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range


class ThemeEnvironment(FlaskEnvironment, ImmutableSandboxedEnvironment):
    """Flask's environment (blueprint-aware loader) with the immutable sandbox's rules."""

    def __init__(self, app, **options):
        options.setdefault("extensions", []).append(ThemeGuard)
        # Flask's __init__ calls jinja2.Environment.__init__ directly, skipping the sandbox's:
        # do what the sandbox's does.
        FlaskEnvironment.__init__(self, app, **options)
        self.globals["range"] = safe_range
        self.binop_table = self.default_binop_table.copy()
        self.unop_table = self.default_unop_table.copy()
        # Folders whose templates are themes' (set by register_themes): the guard applies there.
        self.theme_template_folders: tuple[str, ...] = ()

    def join_path(self, template: str, parent: str) -> str:
        """Called for every extends, include and import, with the name of the template doing it."""
        if self._escapes(parent) and not self._escapes(template):
            raise TemplateRuntimeError(
                f"{parent} escapes what it prints and {template} does not: an HTML template "
                "cannot extend, include or import a text template (its output would not be escaped)"
            )
        return super().join_path(template, parent)

    def _escapes(self, name: str) -> bool:
        return bool(self.autoescape(name) if callable(self.autoescape) else self.autoescape)


class ThemeGuard(Extension):
    """Refuses ``{% autoescape %}`` and the ``safe`` filter in a theme's templates."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        folders = getattr(self.environment, "theme_template_folders", ())
        filename = stream.filename or ""
        if not folders or not filename.startswith(folders):
            yield from stream
            return
        previous: Token | None = None
        for token in stream:
            if token.type == TOKEN_NAME and previous is not None:
                if previous.type == TOKEN_BLOCK_BEGIN and token.value == "autoescape":
                    self._refuse(
                        "a theme cannot change autoescaping ({% autoescape %})", token, stream
                    )
                if previous.type == TOKEN_PIPE and token.value == "safe":
                    self._refuse(
                        "a theme cannot mark a value safe (|safe): values are escaped in themes",
                        token,
                        stream,
                    )
                if (
                    previous.type == TOKEN_NAME
                    and previous.value == "filter"
                    and token.value == "safe"
                ):
                    self._refuse(
                        "a theme cannot mark a block safe ({% filter safe %})", token, stream
                    )
            previous = token
            yield token

    @staticmethod
    def _refuse(message: str, token: Token, stream: TokenStream) -> None:
        raise TemplateSyntaxError(message, token.lineno, stream.name, stream.filename)
