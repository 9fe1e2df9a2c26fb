"""Command-line tools: `flask --app alliance <command>`. They call the same services as the views."""

import click
from flask import Flask, current_app
from sqlalchemy import select

from alliance.extensions import db


def register_commands(app: Flask) -> None:
    """Every command, named here: no domain hangs a group on its blueprint."""
    from alliance.api.cli import api_token
    from alliance.emergency.cli import alerts_group, emergency
    from alliance.maintenance.cli import backup_command, restore_command
    from alliance.points.cli import points

    for command in (
        create_admin,
        seed_demo_command,
        demo_logins,
        backup_command,
        restore_command,
        api_token,
        points,
        emergency,
        alerts_group,
    ):
        app.cli.add_command(command)


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--name", "display_name", prompt="Display name")
@click.option("--role", type=click.Choice(["secretary", "street_officer"]), prompt=True)
@click.option("--community", "community_code", help="Community code (for a secretary).")
@click.option(
    "--street-office", "street_office_code", help="Street office code (for a street officer)."
)
@click.option("--phone", default=None)
@click.password_option()
def create_admin(username, display_name, role, community_code, street_office_code, phone, password):
    """Make the first street officer or community secretary."""
    from alliance.accounts import services
    from alliance.accounts.models import Role
    from alliance.communities.models import Community, StreetOffice
    from alliance.validators import normalize_phone, password_problem

    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    if phone and normalize_phone(phone) is None:
        raise click.BadParameter("not a mainland China mobile number", param_hint="--phone")
    community = street_office = None
    if role == "secretary":
        if not community_code:
            raise click.UsageError("a secretary needs --community CODE")
        community = db.session.scalars(
            select(Community).where(Community.code == community_code)
        ).first()
        if community is None:
            raise click.UsageError(f"no community with code {community_code}")
        roles = (Role.SECRETARY, Role.RESIDENT)
    else:
        if not street_office_code:
            raise click.UsageError("a street officer needs --street-office CODE")
        street_office = db.session.scalars(
            select(StreetOffice).where(StreetOffice.code == street_office_code)
        ).first()
        if street_office is None:
            raise click.UsageError(f"no street office with code {street_office_code}")
        roles = (Role.STREET_OFFICER,)
    try:
        user = services.create_user(
            username=username,
            display_name=display_name,
            password=password,
            phone=normalize_phone(phone) if phone else None,
            community=community,
            street_office_id=street_office.id if street_office else None,
            roles=roles,
        )
    except services.AccountError as exc:
        raise click.UsageError(f"cannot create user: {exc}") from exc
    db.session.commit()
    click.echo(f"Created {role} {user.username} (id {user.id}).")


@click.command("seed-demo")
@click.option(
    "--password", default=None, help="Password for every demo login (default: DEMO_PASSWORD)."
)
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no users yet.")
def seed_demo_command(password, if_empty):
    """Build the demo street office and communities (idempotent)."""
    import time

    from alliance.demo.seed import database_is_empty, seed_demo

    if if_empty and not database_is_empty():
        click.echo("Database already has data; demo not loaded again.")
        return
    started = time.perf_counter()
    seed_demo(password or current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo(f"Demo community ready in {time.perf_counter() - started:.1f}s.")


@click.command("demo-logins")
def demo_logins():
    """Print the demo logins."""
    from alliance.demo.seed import demo_logins as logins

    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo logins (password: {password}):")
    for username, display_name, code, roles in logins():
        click.echo(f"  {username:<12} {display_name}  {code or '坞城街道'}  {roles}")
