"""Demo volunteers: 600 approved volunteers in 云水明珠社区 (the `volunteer` login is one of them)
and a few applications waiting for the secretary. Bulk inserts keep this well under a second.
"""

import secrets
from datetime import UTC, date, time, timedelta

from sqlalchemy import insert, select

from alliance import clock
from alliance.accounts.models import Role, User, UserRole
from alliance.communities.models import Estate
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext, ensure_user
from alliance.demo.names import demo_phone, person_name
from alliance.extensions import db
from alliance.volunteers.models import VolunteerApplication, VolunteerProfile

VOLUNTEERS = 600
SKILLS = [
    "医护急救",
    "陪同就医",
    "法律咨询",
    "水电维修",
    "辅导作业",
    "驾驶",
    "理发",
    "文艺演出",
    "摄影",
    "心理疏导",
    "电脑手机教学",
    "烹饪",
    "防汛巡查",
]
AVAILABILITY = ["周末全天", "工作日晚上", "每天上午", "周六上午", "随叫随到"]
PENDING = [("vol_applicant1", "谢晓云"), ("vol_applicant2", "邹明轩"), ("vol_applicant3", "石佳怡")]


def _username(i: int) -> str:
    return f"vol{i:03d}"


def _joined(k: int):
    """The k-th volunteer's day: the team grew from June to November 2026, about 3.5 a day."""
    day = date(2026, 6, 5) + timedelta(days=(k * 168) // 600)
    return clock.local_at(day, time(9 + k % 9)).astimezone(UTC)


def volunteers(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    estates = list(
        db.session.scalars(
            select(Estate.id).where(Estate.community_id == community.id).order_by(Estate.id)
        )
    )
    wanted = {_username(i): i for i in range(1, VOLUNTEERS)}  # plus the `volunteer` login
    have = set(db.session.scalars(select(User.username).where(User.username.in_(list(wanted)))))
    now = utcnow()
    new_rows = [
        dict(
            username=name,
            display_name=person_name(2000 + i),
            phone=demo_phone(1000 + i),
            password_hash=ctx.password_hash,
            login_token=secrets.token_urlsafe(24),
            community_id=community.id,
            street_office_id=community.street_office_id,
            locale="zh_CN",
            active=True,
            failed_logins=0,
            created_at=now,
        )
        for name, i in wanted.items()
        if name not in have
    ]
    if new_rows:
        db.session.execute(insert(User), new_rows)
    people = dict(
        db.session.execute(
            select(User.id, User.username).where(User.username.in_(list(wanted)))
        ).all()
    )
    people[ctx.users["volunteer"].id] = "volunteer"
    user_ids = list(people)

    granted = set(
        db.session.execute(
            select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(user_ids))
        ).all()
    )
    grants = [
        dict(user_id=uid, role=str(role), created_at=now)
        for uid in user_ids
        for role in (Role.VOLUNTEER, Role.RESIDENT)
        if (uid, str(role)) not in granted
    ]
    if grants:
        db.session.execute(insert(UserRole), grants)

    with_profile = set(
        db.session.scalars(
            select(VolunteerProfile.user_id).where(VolunteerProfile.user_id.in_(user_ids))
        )
    )
    users = {
        u.id: u
        for u in db.session.execute(
            select(User.id, User.display_name, User.phone).where(User.id.in_(user_ids))
        ).all()
    }
    profiles = []
    for k, uid in enumerate(sorted(user_ids)):
        if uid in with_profile:
            continue
        row = users[uid]
        profiles.append(
            dict(
                user_id=uid,
                community_id=community.id,
                name=row.display_name,
                phone=row.phone,
                estate_id=estates[k % len(estates)] if estates else None,
                building=f"{k % 12 + 1}号楼{k % 3 + 1}单元",
                skills=SKILLS[k % len(SKILLS)],
                availability=AVAILABILITY[k % len(AVAILABILITY)],
                status="active",
                status_reason="",
                joined_at=min(now, _joined(k)),
            )
        )
    if profiles:
        db.session.execute(insert(VolunteerProfile), profiles)

    for j, (username, display) in enumerate(PENDING):
        user = ensure_user(ctx, username, display, community, (Role.RESIDENT,), demo_phone(350 + j))
        db.session.flush()
        exists = db.session.scalars(
            select(VolunteerApplication.id).where(VolunteerApplication.user_id == user.id)
        ).first()
        if exists is None:
            db.session.add(
                VolunteerApplication(
                    community_id=community.id,
                    user_id=user.id,
                    name=display,
                    phone=demo_phone(350 + j),
                    estate_id=estates[j % len(estates)] if estates else None,
                    building=f"{j + 2}号楼",
                    skills=SKILLS[j],
                    availability=AVAILABILITY[j],
                )
            )
    db.session.flush()
