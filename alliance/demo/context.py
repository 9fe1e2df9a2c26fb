"""The demo's shared state and the look-up-or-create helpers every domain's demo steps use."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from alliance.accounts.models import User, UserRole
from alliance.communities.models import Community, StreetOffice
from alliance.db_types import utcnow
from alliance.extensions import db


@dataclass
class DemoContext:
    password_hash: str
    street_office: StreetOffice | None = None
    communities: dict[str, Community] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # Rows made from this moment on are this run's: the steps that date the story back touch
    # only those, so seeding twice changes nothing.
    started_at: datetime = field(default_factory=utcnow)


def get_or_create(model, defaults: dict | None = None, **keys):
    obj = db.session.scalars(select(model).filter_by(**keys)).first()
    if obj is None:
        obj = model(**keys, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def ensure_user(
    ctx: DemoContext,
    username: str,
    display_name: str,
    community: Community | None,
    roles,
    phone: str | None,
) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(
            username=username,
            display_name=display_name,
            phone=phone,
            password_hash=ctx.password_hash,
            community_id=community.id if community else None,
            street_office_id=ctx.street_office.id,
        )
        user.role_grants = [UserRole(role=str(r)) for r in roles]
        db.session.add(user)
    ctx.users[username] = user
    return user
