"""`flask seed-demo` (being written: this file belongs to the demo-data work)."""

import click


@click.command("seed-demo")
def seed_demo():
    """Fill the database with the demo shop."""
    raise click.ClickException("seed-demo is not written yet")
