"""Backups of the shop's database while it runs: ``flask --app app backup PATH``.

- SQLite: a copy through SQLite's online backup API, in one step, that is inside one read
  transaction: the copy is the database as it was at one moment, every order whole, while the
  shop keeps serving and writing (in WAL mode, see ``storefront/database.py``, readers and
  writers do not wait for each other). The copy is one self-contained file (not WAL), checked
  with ``PRAGMA quick_check``, written beside PATH and renamed into place, so that PATH is never
  a half-written file.
- PostgreSQL: ``pg_dump --format=custom`` (one snapshot too), restored with ``pg_restore``.
  ``pg_dump`` must be of the server's major version or newer.

Restoring is described in docs/operations.md. The job queue (``JOBS_DB`` or Redis) is not in the
backup and need not be: the emails to send are in the database's outbox, and the scheduled jobs
come back by themselves.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """A backup could not be made; the message says why."""


def backup(database_url: str | URL, path: str | os.PathLike) -> Path:
    """Back up the database of ``database_url`` (an SQLAlchemy URL) to ``path``; return it."""
    url = make_url(database_url)
    path = Path(path).expanduser().resolve()
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder")
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database has nothing to back up")
        return backup_sqlite(Path(url.database), path)
    if backend == "postgresql":
        return backup_postgres(url, path)
    raise BackupError(f"no backup for {backend!r} databases")


def backup_sqlite(database: Path, path: Path) -> Path:
    if not database.is_file():
        raise BackupError(f"no SQLite database at {database}")
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=30)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # pages=-1: all of it in one step, one read transaction
            target.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            (check,) = target.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"the copy fails SQLite's check: {check}")
        finally:
            target.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    os.replace(partial, path)
    return path


def backup_postgres(url: URL, path: Path, *, pg_dump: str = "pg_dump") -> Path:
    executable = shutil.which(pg_dump)
    if executable is None:
        raise BackupError(
            f"{pg_dump} not found: install the PostgreSQL client tools, of the server's major "
            "version or newer"
        )
    partial = path.with_name(f".{path.name}.partial")
    # The password goes through the environment, not the command line (``ps`` shows that).
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False
    )
    command = [executable, "--format=custom", "--file", str(partial), "--dbname", libpq_url]
    try:
        result = subprocess.run(command, env=environ, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip() or result.returncode}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return path


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to PATH while the shop runs (SQLite file, or pg_dump custom format).

    Restore: see docs/operations.md.
    """
    from storefront.extensions import db

    try:
        written = backup(db.engine.url, path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {written} ({written.stat().st_size} bytes)")
