"""`flask seed-demo`: every domain's demo steps, in the order of `alliance.hooks.DOMAINS`."""

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from alliance import hooks
from alliance.accounts.models import User
from alliance.communities.demo import DEMO_LOGINS
from alliance.demo.audit_trail import audit_trail
from alliance.demo.context import DemoContext
from alliance.extensions import db


def seed_demo(password: str) -> DemoContext:
    ctx = DemoContext(password_hash=generate_password_hash(password))
    for domain in hooks.all_hooks():
        for step in domain.demo_steps:
            step(ctx)
    audit_trail(ctx)  # last: the lines of what every domain's steps did
    return ctx


def demo_logins() -> list[tuple[str, str, str | None, str]]:
    """(username, display name, community code, roles) of every demo login."""
    logins = [
        (username, name, code, ", ".join(roles)) for username, name, code, roles, _ in DEMO_LOGINS
    ]
    for domain in hooks.all_hooks():
        logins.extend(domain.demo_logins)
    return logins


def database_is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None
