"""`flask --app alliance api-token create USERNAME`: a cashier token from the command line."""

import click
from sqlalchemy import select

from alliance.accounts.models import User
from alliance.api import tokens
from alliance.api.models import ApiToken
from alliance.extensions import db
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant


@click.group("api-token")
def api_token():
    """Cashier API tokens (shown once, stored hashed)."""


@api_token.command("create")
@click.argument("username")
@click.option(
    "--merchant",
    "merchant_id",
    type=int,
    default=None,
    help="Member id (default: the first member the user works for).",
)
@click.option("--name", default="CLI", help="A name to recognise the token by.")
def create(username, merchant_id, name):
    """Make a token for USERNAME, a member's staff; prints it once."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise click.UsageError(f"no user {username}")
    merchants = merchant_staff.merchants_of(user)
    merchant = (
        db.session.get(Merchant, merchant_id)
        if merchant_id
        else (merchants[0] if merchants else None)
    )
    if merchant is None or merchant.id not in {m.id for m in merchants}:
        raise click.UsageError(f"{username} does not work for that member")
    try:
        _token, raw = tokens.create_token(user, merchant, name)
    except tokens.ApiTokenError as exc:
        raise click.UsageError(str(exc.message)) from exc
    db.session.commit()
    click.echo(raw)


@api_token.command("revoke")
@click.argument("prefix")
def revoke(prefix):
    """Stop a token, given the first characters shown in the settings page."""
    found = db.session.scalars(
        select(ApiToken).where(ApiToken.prefix == prefix[:10], ApiToken.revoked_at.is_(None))
    ).all()
    if len(found) != 1:
        raise click.UsageError("no single active token with that prefix")
    tokens.revoke_token(found[0])
    db.session.commit()
    click.echo("revoked")
