"""The demo street office: the story's community (云水明珠社区) and one more to show isolation.

Every step looks things up by natural key before creating them, so seeding twice changes nothing.
"""

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.communities.models import Community, Estate, Grid, StreetOffice
from alliance.demo.context import DemoContext, ensure_user, get_or_create
from alliance.demo.names import demo_phone, person_name
from alliance.extensions import db

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

COMMUNITIES = [
    # code, name, estates, grids per estate
    ("YSMZ", "云水明珠社区", ["云水明珠一期", "云水明珠二期", "明珠花园", "水岸雅居"], 2),
    ("NY", "南苑社区", ["南苑小区", "康乐苑"], 1),
]


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


def people(ctx: DemoContext) -> None:
    for username, display_name, code, roles, phone_index in DEMO_LOGINS:
        community = ctx.communities.get(code) if code else None
        ensure_user(ctx, username, display_name, community, roles, demo_phone(phone_index))
    db.session.flush()


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
