"""Demo star levels: long-serving volunteers whose patrol hours from before the platform were
back-filled (补录) from the paper ledger, so the demo shows 一星 to 三星, the recognition list
and 补录 rows in the export. Back-filled history earns no points (the points rule came with
the platform): hours are permanent, points are not. Idempotent."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, select

from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.clock import LOCAL_TZ, local_today
from alliance.commitments.models import Commitment, Offer
from alliance.db_types import utcnow
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.stars.models import StarAward
from alliance.stars.services import record_progress
from alliance.volunteers.models import VolunteerProfile

TITLE = "平安巡逻（纸质台账补录）"
REASON = "平台上线前的志愿服务，据社区纸质台账补录"
SLOTS = 165  # every other day, 4 hours each, ending 45 days ago
SLOT_HOURS = 4
# How many of the slots each long-serving volunteer served: 三星, 二星 ×2, 一星 ×3.
ATTENDANCE = (165, 80, 78, 27, 26, 26)
LEVEL_OFFER = "三星以上志愿者染烫7折"
ME = 25  # the `volunteer` login: 100 h here (一星), 11 more in the demo's activities


def _start(k: int) -> datetime:
    day = local_today() - timedelta(days=45 + 2 * k)
    return datetime.combine(day, time(8), LOCAL_TZ).astimezone(UTC)


def star_levels(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    if db.session.scalar(
        select(Activity.id).where(Activity.community_id == community.id, Activity.title == TITLE)
    ):
        return
    secretary = ctx.users["secretary"]
    me = ctx.users["volunteer"].id
    people = [
        uid
        for uid in db.session.scalars(
            select(VolunteerProfile.user_id)
            .where(VolunteerProfile.community_id == community.id)
            .order_by(VolunteerProfile.id)
            .limit(40)
        )
        if uid != me
    ][-len(ATTENDANCE) :]
    activity = Activity(
        community_id=community.id,
        title=TITLE,
        category="civic",
        place="云水明珠社区各小区",
        description="夜间及清晨治安巡逻、消防通道检查，发现隐患报网格员。",
        insured=True,
        insurance_policy="中国人寿 志愿者团体意外伤害保险 保单号 P2025-YSMZ-0086",
        created_by_id=secretary.id,
        created_at=_start(SLOTS),
    )
    db.session.add(activity)
    db.session.flush()
    slots = []
    for k in range(SLOTS):
        start = _start(k)
        slot = ActivitySlot(
            activity_id=activity.id,
            community_id=community.id,
            starts_at=start,
            ends_at=start + timedelta(hours=SLOT_HOURS),
            capacity=12,
            taken=0,
            local_day=start.astimezone(LOCAL_TZ).date(),
        )
        db.session.add(slot)
        slots.append(slot)
    db.session.flush()
    entered = utcnow() - timedelta(days=40)
    rows = []
    for uid, count in [*zip(people, ATTENDANCE, strict=True), (me, ME)]:
        for slot in slots[:count]:
            slot.taken += 1
            rows.append(
                dict(
                    slot_id=slot.id,
                    activity_id=activity.id,
                    community_id=community.id,
                    user_id=uid,
                    status="signed_up",
                    check_in_at=slot.starts_at,
                    check_out_at=slot.ends_at,
                    minutes=SLOT_HOURS * 60,
                    confirmed_at=entered,
                    confirmed_by_id=secretary.id,
                    points=0,
                    backfilled_at=entered,
                    backfilled_by_id=secretary.id,
                    backfill_reason=REASON,
                    created_at=entered,
                )
            )
    db.session.execute(insert(Signup), rows)
    db.session.flush()
    for uid in [*people, me]:
        record_progress(uid, community.id, entered)
    # Honoured at the last committee meeting: the two highest; the rest wait for the next one.
    for award in db.session.scalars(select(StarAward).where(StarAward.user_id.in_(people[:2]))):
        award.recognised_at, award.recognised_by_id = entered + timedelta(days=10), secretary.id
    db.session.execute(
        VolunteerProfile.__table__.update()
        .where(VolunteerProfile.user_id.in_([me, people[0]]))
        .values(show_star_on_card=True)
    )
    _level_offer(community.id)
    db.session.flush()


def _level_offer(community_id: int) -> None:
    """ "三星以上志愿者 7折": the hair salon's (member 13) volunteer offer asks for 三星."""
    offer = db.session.scalars(
        select(Offer)
        .join(Commitment, Commitment.id == Offer.commitment_id)
        .where(Commitment.community_id == community_id, Commitment.title == LEVEL_OFFER)
    ).first()
    if offer is not None:
        offer.min_star_level = 3
