"""Where a template went wrong: the file and line of an error raised while compiling or rendering.

Jinja rewrites the traceback of an error raised during rendering so that template code appears
as frames of the template's own file and line; the innermost such frame is where it happened.
A syntax error carries its file and line itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateSyntaxError


@dataclass(frozen=True)
class Location:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def locate(error: BaseException) -> Location | None:
    """The template file and line of ``error``, or None when no template was involved."""
    if isinstance(error, TemplateSyntaxError) and error.filename:
        return Location(error.filename, error.lineno)
    found = None
    tb = error.__traceback__
    while tb is not None:
        # Frames Jinja made up for template code (jinja2.debug.fake_traceback).
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = Location(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def describe(error: BaseException) -> str:
    """One line: what went wrong, without the location."""
    if isinstance(error, TemplateSyntaxError):
        return error.message or "syntax error"
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def display_path(path: str | os.PathLike) -> str:
    """``path`` relative to the working directory when it is inside it (shorter, clickable)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
