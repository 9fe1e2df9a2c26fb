"""Demo flood-season registers of 云水明珠社区: 60 hazard points with the finished July round
(run during the July response: 60 checked, 7 found, 5 closed after re-checks), 40 households needing help first across the
four estates, 2 shelters, 2 stores with the reports' items, the members' part (a shelter, a meal point and 3 agreement
reserves: offers_demo), and the July response's visits,
transfers and issues.

The present-day registers go through the services; the July response is over, so its visits,
transfers and issues are written as rows with their July dates (the services only record them
while a response runs). Idempotent: nothing is added once the community has hazard points."""

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from alliance.accounts.models import User
from alliance.clock import LOCAL_TZ
from alliance.communities.models import Estate, Grid
from alliance.demo.context import DemoContext
from alliance.emergency import hazards, households, offers_demo, shelters, supplies
from alliance.emergency.hazard_models import HazardCheck, HazardKind
from alliance.emergency.household_models import CATEGORY_LABELS, HouseholdVisit
from alliance.emergency.models import EmergencyResponse
from alliance.emergency.shelter_models import Transfer
from alliance.extensions import db

POINTS = 60
FOUND = 7
CLOSED = 5
HOUSEHOLDS = 40
PLACES = ("沿河步道", "北侧排水沟", "地下车库入口", "老旧楼道", "围墙", "山塘坝体")
# The four estates side by side (south-west, south-east, north-west, north-east), a little
# irregular as real estates are: [[latitude, longitude], ...] as Estate.outline keeps them.
OUTLINES = (
    [
        [29.0795, 119.6395],
        [29.0796, 119.6436],
        [29.0849, 119.6434],
        [29.0851, 119.6410],
        [29.0843, 119.6394],
    ],
    [[29.0796, 119.6441], [29.0794, 119.6481], [29.0848, 119.6483], [29.0850, 119.6440]],
    [
        [29.0856, 119.6396],
        [29.0855, 119.6434],
        [29.0911, 119.6435],
        [29.0913, 119.6405],
        [29.0904, 119.6394],
    ],
    [[29.0856, 119.6440], [29.0857, 119.6479], [29.0905, 119.6482], [29.0912, 119.6441]],
)
# South-west corner of each estate's box, where its points start.
CORNERS = ((29.0797, 119.6397), (29.0797, 119.6443), (29.0858, 119.6397), (29.0858, 119.6443))
SHELTER_AT = ((29.0852, 119.6437), (29.0926, 119.6421))
STORE_AT = ((29.0851, 119.6489), (29.0914, 119.6416))
STOCK = (
    ("sandbag", 2000, 500),
    ("woven_bag", 3000, 800),
    ("life_jacket", 120, 50),
    ("boat", 2, 1),
    ("generator", 3, 1),
    ("gravel", 20, 5),
    ("stakes", 6, 2),
    ("torch", 60, 20),
    ("raincoat", 80, 30),
)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2026, 7, day), time(hour, minute), LOCAL_TZ)


def _people(n: int) -> list[User]:
    names = [f"vol{i:03d}" for i in range(1, n + 1)]
    rows = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    return [rows[name] for name in names if name in rows]


def flood_registers(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    if db.session.scalars(
        select(hazards.HazardPoint.id).where(hazards.HazardPoint.community_id == community.id)
    ).first():
        return
    secretary = ctx.users["secretary"]
    people = [ctx.users["volunteer"], *_people(30)]
    estates = list(
        db.session.scalars(
            select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
        )
    )
    grids = list(
        db.session.scalars(select(Grid).where(Grid.community_id == community.id).order_by(Grid.id))
    )
    july = db.session.scalars(
        select(EmergencyResponse)
        .where(EmergencyResponse.community_id == community.id)
        .order_by(EmergencyResponse.started_at)
    ).first()
    for estate, outline in zip(estates, OUTLINES, strict=False):
        estate.outline = estate.outline or outline
    _hazards(community, secretary, people, estates, grids)
    registered = _households(community, secretary, people, estates, grids)
    _shelters_and_transfers(community, secretary, registered, july)
    _supplies(community, secretary, july)
    if july is not None:
        _visits(community, registered, july)
    offers_demo.members_part(community, secretary)
    db.session.flush()


def _hazards(community, secretary, people, estates, grids) -> None:
    kinds = [k.value for k in HazardKind if k != HazardKind.OTHER]
    for n in range(POINTS):
        estate = estates[n % len(estates)]
        grid = next((g for g in grids if g.estate_id == estate.id), None)
        hazards.create_point(
            community,
            hazards.PointInput(
                kind=kinds[n % len(kinds)],
                name=f"{estate.name}{PLACES[n % len(PLACES)]}{n // len(estates) + 1}号",
                estate_id=estate.id,
                grid_id=grid.id if grid else None,
                latitude=round(CORNERS[n % 4][0] + 0.0004 + (n // 4 % 5) * 0.0009, 6),
                longitude=round(CORNERS[n % 4][1] + 0.0004 + (n // 20) * 0.0012, 6),
                responsible=people[n % len(people)].username,
                check_every_days=3 if n % 4 == 0 else 7,
            ),
            actor=secretary,
        )
    found = hazards.start_round(
        community, name="2026年7月汛前排查", inspector="volunteer", actor=secretary
    )
    found.started_at = _at(12, 7)
    checks = db.session.scalars(
        select(HazardCheck).where(HazardCheck.round_id == found.id).order_by(HazardCheck.id)
    ).all()
    notices = []
    for n, check in enumerate(checks):
        inspector = db.session.get(User, check.inspector_id)
        notice = hazards.record_check(
            check,
            result="found" if n % 9 == 4 and len(notices) < FOUND else "ok",
            note="排水不畅，雨后积水" if n % 2 else "墙体出现裂缝",
            actor=inspector,
        )
        check.checked_at = _at(12 + n % 2, 8 + n % 8)
        if notice is not None:
            notices.append(notice)
    for k, notice in enumerate(notices):
        fixer = people[(k + 3) % len(people)]
        hazards.set_notice(
            notice,
            hazards.NoticeInput(
                measure="清淤疏通，加设警示标志" if k % 2 else "加固墙体，设置围挡",
                money="社区防汛经费",
                responsible=fixer.username,
                rechecker="grid",
                deadline=date(2026, 7, 15) if k < CLOSED + 1 else date(2026, 12, 31),
            ),
            actor=secretary,
        )
        notice.issued_at = _at(13, 17)
        if k < CLOSED:
            hazards.report_fixed(notice, note="已按通知整改完毕", actor=fixer)
            hazards.recheck(notice, passed=True, note="复查通过", actor=_grid_worker(community))
            notice.fixed_at, notice.rechecked_at = _at(14, 9), _at(14, 15)
            notice.closed_at = notice.rechecked_at


def _grid_worker(community) -> User:
    return db.session.scalars(select(User).where(User.username == "grid")).one()


def _households(community, secretary, people, estates, grids) -> list:
    categories = list(CATEGORY_LABELS)
    rows = []
    for n in range(HOUSEHOLDS):
        estate = estates[n % len(estates)]
        grid = next((g for g in grids if g.estate_id == estate.id), None)
        chosen = (categories[n % 7],) + (("ill",) if n % 5 == 0 and n % 7 != 6 else ())
        k = n // len(estates)  # the k-th household of its estate: its own door
        surname = "王李张刘陈杨赵黄周吴郑孙"[n % 12]
        if "pregnant" in chosen:
            head = f"{surname}女士"
        elif "left_behind" in chosen:
            head = f"{surname}奶奶"  # the grandmother who looks after the child
        else:
            head = f"{surname}{'奶奶' if n % 2 else '爷爷'}"
        rows.append(
            households.create_household(
                community,
                households.HouseholdInput(
                    head_name=head,
                    estate_id=estate.id,
                    grid_id=grid.id if grid else None,
                    categories=chosen,
                    building=str(k + 1),
                    unit_no=str(k % 3 + 1),
                    room=f"{k % 6 + 1}0{k % 2 + 1}",
                    members=1 + n % 3,
                    need_help_moving=1,
                    contact_phone=f"139{n:08d}",
                    needs=("wheelchair",) if n % 6 == 0 else (("oxygen",) if n % 9 == 0 else ()),
                    latitude=round(29.0805 + (n % 8) * 0.0011, 6),
                    longitude=round(119.6405 + (n // 8) * 0.0014, 6),
                    responsible=people[n % 10].username,
                    deputy=people[10 + n % 10].username,
                ),
                actor=secretary,
            )
        )
    return rows


def _shelters_and_transfers(community, secretary, registered, july) -> None:
    hall = shelters.create_shelter(
        community,
        name="社区文化礼堂",
        place="云水路 18 号",
        capacity=80,
        contact_phone="13900001111",
        offers="床位、餐食、常用药品",
        actor=secretary,
    )
    gym = shelters.create_shelter(
        community,
        name="明珠小学体育馆",
        place="明珠路 6 号",
        capacity=150,
        contact_phone="13900002222",
        offers="床位、餐食",
        actor=secretary,
    )
    for shelter, (lat, lng) in zip((hall, gym), SHELTER_AT, strict=True):
        shelter.latitude, shelter.longitude = Decimal(str(lat)), Decimal(str(lng))
    if july is None:
        return
    for n, household in enumerate(registered[:6]):
        db.session.add(
            Transfer(
                community_id=community.id,
                shelter_id=hall.id,
                response_id=july.id,
                household_id=household.id,
                people=2,
                from_place=household.place,
                moved_at=_at(12, 8 + n),
                moved_by_id=household.responsible_id,
                checked_in_at=_at(12, 8 + n, 30),
                returned_at=_at(14, 19),
            )
        )


def _supplies(community, secretary, july) -> None:
    east = supplies.create_store(
        community, name="社区东门防汛仓库", place="云水路 18 号", actor=secretary
    )
    north = supplies.create_store(
        community, name="明珠花园物资点", place="明珠花园北门", actor=secretary
    )
    for store, (lat, lng) in zip((east, north), STORE_AT, strict=True):
        store.latitude, store.longitude = Decimal(str(lat)), Decimal(str(lng))
    for kind, count, minimum in STOCK:
        item = supplies.create_item(community, kind=kind, name="", minimum=minimum, actor=secretary)
        # Stocked before the season (June), so the ledger reads in order: in, then out in July.
        stocked = supplies.move(east, item, kind="receive", count=count, actor=secretary)
        stocked.at = datetime.combine(date(2026, 6, 1), time(9), LOCAL_TZ)
        if kind in ("sandbag", "woven_bag", "life_jacket", "torch"):
            stocked = supplies.move(north, item, kind="receive", count=count // 4, actor=secretary)
            stocked.at = datetime.combine(date(2026, 6, 1), time(10), LOCAL_TZ)
        if july is not None and kind in ("sandbag", "woven_bag", "life_jacket"):
            row = supplies.move(
                east,
                item,
                kind="issue",
                count=count // 10,
                recipient="云水明珠党员突击队",
                actor=secretary,
            )
            row.response_id, row.at = july.id, _at(12, 7, 30)


def _visits(community, registered, july) -> None:
    for n, household in enumerate(registered):
        if n < 6:
            result = "moved"
        elif n in (6, 7):
            result = "no_answer"
        elif n == 8:
            result = "refused"
        else:
            result = "safe"
        db.session.add(
            HouseholdVisit(
                household_id=household.id,
                community_id=community.id,
                response_id=july.id,
                visitor_id=household.responsible_id,
                result=result,
                reason="不愿离开老房子，已请家属劝说" if result == "refused" else "",
                visited_at=_at(12, 7 + n % 5, (n * 7) % 60),
                follow_up_due=_at(12, 9 + n % 5, (n * 7) % 60) if result == "no_answer" else None,
            )
        )
