"""`flask --app alliance points expire`: write expire entries for points past their date."""

from datetime import date

import click

from alliance import clock
from alliance.extensions import db
from alliance.points import expiry


@click.group("points")
def points():
    """Points (积分) maintenance."""


@points.command("expire")
@click.option(
    "--today",
    "today_text",
    default=None,
    help="Run as of this day (YYYY-MM-DD, Asia/Shanghai); default: today.",
)
def expire(today_text):
    """Expire points whose last day has passed. Safe to run again: nothing is written twice."""
    try:
        today = date.fromisoformat(today_text) if today_text else clock.local_today()
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--today") from exc
    written = expiry.expire_due(today)
    db.session.commit()
    click.echo(f"{written} expire entries written (as of {today.isoformat()}).")
