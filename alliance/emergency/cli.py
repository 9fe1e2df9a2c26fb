"""`flask emergency start|level|end CODE …`: the switch for operators and automation.

CODE is a community code or a street office code. `--by USERNAME` names the secretary or
street officer who ordered it (the history and the audit log then show that person); without
it the history says the command line did it.
"""

import click
from sqlalchemy import select

from alliance.accounts.models import User
from alliance.audit.services import acting_as
from alliance.emergency import services
from alliance.emergency.models import LEVELS, Kind
from alliance.errors import DomainError
from alliance.extensions import db


def _target(code: str) -> services.Target:
    target = services.find_target(code)
    if target is None:
        raise click.UsageError(f"no community or street office with code {code}")
    return target


def _actor(username: str | None) -> User | None:
    if not username:
        return None
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise click.UsageError(f"no user {username}")
    return user


def _run(action, actor: User | None):
    try:
        with acting_as(actor):
            result = action()
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    return result


def _running(target: services.Target):
    response = services.running_for(target)
    if response is None:
        raise click.ClickException("no emergency response is running there")
    return response


@click.group("emergency")
def emergency():
    """Start, change and end emergency responses (应急响应)."""


level_option = click.option(
    "--level",
    required=True,
    type=click.Choice(LEVELS, case_sensitive=False),
    help="IV (lowest) … I (highest)",
)
by_option = click.option("--by", "username", default=None, help="who ordered it (username)")


@emergency.command("start")
@click.argument("code")
@level_option
@click.option("--kind", required=True, type=click.Choice([k.value for k in Kind]))
@click.option("--reason", required=True)
@click.option("--drill", is_flag=True, help="a drill (演练): every message says so")
@by_option
def start(code, level, kind, reason, drill, username):
    """Start a response for community or street office CODE."""
    target = _target(code)
    actor = _actor(username)
    response = _run(
        lambda: services.start_response(
            target,
            kind=kind,
            level=level,
            reason=reason,
            drill=drill,
            actor=actor,
            source="cli" if actor is None else "web",
        ),
        actor,
    )
    click.echo(
        f"Started response {response.id}: level {response.level} {response.kind}"
        f"{' (drill)' if response.drill else ''} for {code}."
    )


@emergency.command("level")
@click.argument("code")
@level_option
@click.option("--reason", required=True)
@by_option
def level(code, level, reason, username):
    """Raise or lower the running response of CODE."""
    target = _target(code)
    actor = _actor(username)
    response = _running(target)
    change = _run(
        lambda: services.change_level(
            response,
            level=level,
            reason=reason,
            actor=actor,
            source="cli" if actor is None else "web",
        ),
        actor,
    )
    click.echo(
        f"Response {response.id}: {change.from_level} -> {change.to_level} ({change.action})."
    )


@emergency.command("end")
@click.argument("code")
@click.option("--summary", required=True)
@by_option
def end(code, summary, username):
    """End the running response of CODE (a summary is required)."""
    target = _target(code)
    actor = _actor(username)
    response = _running(target)
    _run(
        lambda: services.end_response(
            response, summary=summary, actor=actor, source="cli" if actor is None else "web"
        ),
        actor,
    )
    click.echo(f"Ended response {response.id}.")


@click.group("alerts")
def alerts_group():
    """Import official CAP 1.2 warnings (预警) and relay them."""


@alerts_group.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--community", "code", required=True, help="community code")
@by_option
def import_alert(file, code, username):
    """Check FILE against CAP 1.2 and relay it to everyone of the community."""
    from alliance.emergency import alerts
    from alliance.emergency.cap import MAX_BYTES

    target = _target(code)
    if target.community is None:
        raise click.UsageError(f"{code} is not a community code")
    actor = _actor(username)
    data = file.read(MAX_BYTES + 1)
    alert = _run(lambda: alerts.import_cap(target.community, data, actor=actor), actor)
    click.echo(
        f"Imported alert {alert.id} ({alert.imported_identifier}); relayed to {code}"
        f"{' as a drill' if alert.drill else ''}."
    )


@emergency.command("hazards-overdue")
def hazards_overdue():
    """Tell the person responsible, the re-checker and the secretaries of every overdue
    rectification notice, once a day (the worker's beat runs it daily at 08:00)."""
    from alliance.emergency.hazard_reminders import run_daily

    told = run_daily()
    click.echo(f"Told {told} people about overdue rectification notices.")
