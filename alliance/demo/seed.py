"""The demo street office: the story's community (云水明珠社区) and one more to show isolation.

Every step looks things up by natural key before creating them, so seeding twice changes nothing.
Later domains add their own steps with @demo_step; they run in registration order.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from alliance.accounts.models import Role, User, UserRole
from alliance.communities.models import Community, Estate, Grid, StreetOffice
from alliance.demo.names import demo_phone, person_name
from alliance.extensions import db


@dataclass
class DemoContext:
    password_hash: str
    street_office: StreetOffice | None = None
    communities: dict[str, Community] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


_steps: list[Callable[[DemoContext], None]] = []


def demo_step(fn: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
    _steps.append(fn)
    return fn


# username, display name, community code, roles, phone index
DEMO_LOGINS = [
    ("secretary", "赵书记", "YSMZ", (Role.SECRETARY, Role.RESIDENT), 1),
    ("street", "钱主任", None, (Role.STREET_OFFICER,), 2),
    ("grid", "孙网格", "YSMZ", (Role.GRID_WORKER, Role.RESIDENT), 3),
    ("merchant", "李店长", "YSMZ", (Role.MERCHANT_STAFF, Role.RESIDENT), 4),
    ("volunteer", "周志愿", "YSMZ", (Role.VOLUNTEER, Role.RESIDENT), 5),
    ("resident", "吴居民", "YSMZ", (Role.RESIDENT,), 6),
    ("secretary_b", "郑书记", "NY", (Role.SECRETARY, Role.RESIDENT), 7),
    ("resident_b", "冯居民", "NY", (Role.RESIDENT,), 8),
]

# Logins that later demo steps create (username, display name, community code, role labels).
EXTRA_LOGINS: list[tuple[str, str, str, str]] = []

COMMUNITIES = [
    # code, name, estates, grids per estate
    ("YSMZ", "云水明珠社区", ["云水明珠一期", "云水明珠二期", "明珠花园", "水岸雅居"], 2),
    ("NY", "南苑社区", ["南苑小区", "康乐苑"], 1),
]


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


@demo_step
def places(ctx: DemoContext) -> None:
    ctx.street_office = get_or_create(StreetOffice, {"name": "坞城街道"}, code="WC")
    for code, name, estates, _grids in COMMUNITIES:
        community = get_or_create(
            Community,
            {"name": name, "street_office_id": ctx.street_office.id, "district": "小店区"},
            code=code,
        )
        ctx.communities[code] = community
        for estate_name in estates:
            get_or_create(Estate, community_id=community.id, name=estate_name)


@demo_step
def people(ctx: DemoContext) -> None:
    for username, display_name, code, roles, phone_index in DEMO_LOGINS:
        community = ctx.communities.get(code) if code else None
        ensure_user(ctx, username, display_name, community, roles, demo_phone(phone_index))
    db.session.flush()


@demo_step
def grids(ctx: DemoContext) -> None:
    """Every estate has its grids, and every grid one grid worker (`grid` runs the first)."""
    n = 0
    for code, _name, estate_names, per_estate in COMMUNITIES:
        community = ctx.communities[code]
        estates = {
            e.name: e
            for e in db.session.scalars(select(Estate).where(Estate.community_id == community.id))
        }
        for estate_name in estate_names:
            for k in range(1, per_estate + 1):
                n += 1
                grid = get_or_create(
                    Grid,
                    {"estate_id": estates[estate_name].id},
                    community_id=community.id,
                    name=f"{estate_name}第{k}网格",
                )
                if grid.worker_id is None:
                    if code == "YSMZ" and n == 1:
                        worker = ctx.users["grid"]
                    else:
                        worker = ensure_user(
                            ctx,
                            f"grid{n}",
                            person_name(900 + n),
                            community,
                            (Role.GRID_WORKER, Role.RESIDENT),
                            demo_phone(100 + n),
                        )
                        db.session.flush()
                    grid.worker_id = worker.id
    db.session.flush()


def seed_demo(password: str) -> DemoContext:
    ctx = DemoContext(password_hash=generate_password_hash(password))
    for step in _steps:
        step(ctx)
    return ctx


def database_is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


# Domain steps register themselves on import, in this order: each needs the ones before it.
for _domain in (
    "merchants",
    "commitments",
    "volunteers",
    "help_requests",
    "cards",
    "points",
    "committee",
):
    importlib.import_module(f"alliance.{_domain}.demo")
