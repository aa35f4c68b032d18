"""``flask shop …``: what a new shop needs before it can sell, without the demo data.

The migrations create what the code relies on (reason codes, topics, carriers); what belongs to
one shop, its own seller (the retailer, 1P) and the first operator account of the back office,
cannot be guessed: these commands create them through the same services as the back office.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from storefront.marketplace.errors import DomainError


@click.group("shop")
def shop_command() -> None:
    """Set up a new shop (the retailer's seller, the first operator)."""


@shop_command.command("create-retailer")
@click.option("--code", required=True, help="a short code: letters, digits, '-' or '_'")
@click.option("--name", required=True, help="the name shoppers see as seller of the 1P offers")
@click.option("--legal-name", default="", help="the company's legal name")
@click.option("--city", default="")
@with_appcontext
def create_retailer(code: str, name: str, legal_name: str, city: str) -> None:
    """Create the retailer's own seller (there is one; it sells the 1P offers)."""
    from storefront.extensions import db
    from storefront.marketplace import sellers

    try:
        seller = sellers.create_seller(
            db.session, code, name, is_operator=True, legal_name=legal_name, city=city
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"retailer seller {seller.code} created (id {seller.id})")


@shop_command.command("create-operator")
@click.argument("email")
@click.option("--name", default="")
@click.option("--staff-role", "staff_role", type=click.Choice(["ADMIN", "CATALOG", "SUPPORT", "FINANCE"]),
              default="ADMIN", show_default=True, help="what the account may do in the back office")
@click.password_option(help="asked for when not given (typed twice, hidden)")
@with_appcontext
def create_operator(email: str, name: str, password: str, staff_role: str) -> None:
    """Create a back-office (operator) account; its address counts as confirmed."""
    from storefront.extensions import db
    from storefront.marketplace import accounts
    from storefront.marketplace.models import Role

    try:
        user = accounts.create_user(
            db.session, email, password, name=name, role=Role.OPERATOR, operator_role=staff_role
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"operator {user.email} created")
