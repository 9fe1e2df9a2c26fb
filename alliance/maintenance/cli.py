"""`flask --app alliance backup PATH` and `flask --app alliance restore PATH`."""

import time
from pathlib import Path

import click

from alliance.extensions import db
from alliance.maintenance import services


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(path: Path):
    """Write a consistent backup of the configured database to PATH (safe while serving)."""
    url = db.engine.url
    started = time.perf_counter()
    try:
        services.backup(url, path)
    except services.MaintenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    size = path.stat().st_size
    click.echo(
        f"Backed up the {url.get_backend_name()} database to {path} "
        f"({size:,} bytes, {time.perf_counter() - started:.1f}s)."
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool):
    """Replace everything in the configured database with the backup at PATH."""
    url = db.engine.url
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string()
    if not yes:
        click.confirm(f"Replace every row in {where} with {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps the old contents open
    started = time.perf_counter()
    try:
        services.restore(path, url)
    except services.MaintenanceError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.engine.dispose()
    click.echo(f"Restored {where} from {path} ({time.perf_counter() - started:.1f}s).")
