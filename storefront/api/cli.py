"""``flask api``: API clients from the command line (the portal and back-office pages come later)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from storefront.extensions import db
from storefront.marketplace import api_clients, sellers
from storefront.marketplace.errors import DomainError


@click.group("api", help="The marketplace API's OAuth 2.0 clients.")
def api_command():
    pass


@api_command.command("create-client")
@click.option("--seller", "seller_code", help="The code of the seller the client acts for.")
@click.option("--operator", is_flag=True, help="A client of the operator (every seller's data).")
@click.option("--name", required=True, help="What the client is, e.g. 'ERP'.")
@click.option("--scopes", required=True, help="Space- or comma-separated, e.g. 'orders:read orders:write'.")
@with_appcontext
def create_client(seller_code, operator, name, scopes):
    """Make a client and print its id and secret: the secret is shown this once."""
    if bool(seller_code) == bool(operator):
        raise click.UsageError("give either --seller CODE or --operator")
    try:
        seller = sellers.get_seller(db.session, code=seller_code) if seller_code else None
        made = api_clients.create_client(db.session, name, seller=seller, scopes=scopes)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"client_id: {made.client.client_id}")
    click.echo(f"client_secret: {made.client_secret}")
    click.echo("Keep the secret now: it is stored hashed and cannot be shown again.")


@api_command.command("revoke-client")
@click.argument("client_id")
@with_appcontext
def revoke_client(client_id):
    """No new token for this client, and the tokens it holds are refused."""
    try:
        api_clients.revoke_client(db.session, client_id)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"revoked {client_id}")


@api_command.command("list-clients")
@with_appcontext
def list_clients():
    for client in api_clients.list_clients(db.session):
        owner = client.seller.code if client.seller else "operator"
        state = "revoked" if client.revoked_at else "active"
        used = client.last_used_at.isoformat() if client.last_used_at else "never"
        click.echo(f"{client.client_id}\t{owner}\t{state}\t{client.name}\t{client.scopes}\tlast used {used}")
