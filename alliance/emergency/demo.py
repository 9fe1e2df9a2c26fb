"""Demo emergency organisation of 云水明珠社区: 40 party members among the volunteers (亮身份),
two task forces, six responsibility zones and pioneer posts over the four estates, a week of
duty shifts from today (one night shift still without a leader, to show the flag), and the
July flood-season Ⅳ级 response, ended, with its two call-ups, the turn-outs and the relayed
warning with its answers.

The present-day parts go through the services. The July history is written with its own dates,
and its call-ups and warning are written as rows: sent through the services today they would
text hundreds of people at seeding time. Nothing is running after seeding. Idempotent: nothing
is added once the commando team exists."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from alliance.accounts.models import User
from alliance.audit.services import acting_as
from alliance.clock import LOCAL_TZ, local_today
from alliance.communities.models import Estate, Grid
from alliance.demo.context import DemoContext
from alliance.emergency import duty, mobilisation, posts, roster, services
from alliance.emergency.alert_models import AckAnswer, AlertAck, AlertState, EmergencyAlert
from alliance.emergency.models import AnswerState, CallUp, CallUpAnswer, ResponseChange, TaskForce
from alliance.extensions import db

BRANCH = "中共云水明珠社区支部委员会"
COMMANDO = "云水明珠党员突击队"
TEAM = "明珠志愿服务队"
PARTY_MEMBERS = 40


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL_TZ)


def _volunteers(n: int) -> list[User]:
    names = [f"vol{i:03d}" for i in range(1, n)]
    rows = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    return [rows[name] for name in names if name in rows]


def emergency(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    if db.session.scalars(
        select(TaskForce.id).where(
            TaskForce.community_id == community.id, TaskForce.name == COMMANDO
        )
    ).first():
        return
    secretary = ctx.users["secretary"]
    volunteer = ctx.users["volunteer"]
    people = [volunteer, *_volunteers(PARTY_MEMBERS)]
    for k, person in enumerate(people[:PARTY_MEMBERS]):
        status = "member" if k % 10 < 8 else ("probationary" if k % 10 == 8 else "activist")
        roster.declare_membership(person, status=status, branch=BRANCH, show_on_card=k % 3 != 2)
    commando = mobilisation.create_task_force(
        community,
        name=COMMANDO,
        kind="commando",
        leader="volunteer",
        members=[p.username for p in people[1:20]],
        actor=secretary,
    )
    team = mobilisation.create_task_force(
        community,
        name=TEAM,
        kind="volunteer",
        leader=people[20].username,
        members=[p.username for p in people[21:36]],
        actor=secretary,
    )
    _posts(community, people, secretary)
    _duty(community, ctx, people, secretary)
    _july(community, ctx, commando, team, secretary)


def _posts(community, people, secretary) -> None:
    estates = list(
        db.session.scalars(
            select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
        )
    )
    grids = list(db.session.scalars(select(Grid).where(Grid.community_id == community.id)))
    hazards = {
        0: "一期3号楼地下车库入口\n沿河步道低洼处",
        1: "二期地下配电房",
        2: "明珠花园北侧排水沟",
        3: "水岸雅居临河围墙",
    }
    for k, estate in enumerate(estates):
        posts.create_post(
            community,
            posts.PostInput(
                kind="zone",
                name=f"{estate.name}责任区",
                hazard_points=hazards.get(k, ""),
                responsible=people[k + 1].username,
                estate_ids=(estate.id,),
                grid_ids=tuple(g.id for g in grids if g.estate_id == estate.id),
            ),
            actor=secretary,
        )
    posts.create_post(
        community,
        posts.PostInput(
            kind="post",
            name="防汛物资先锋岗",
            place="社区党群服务中心一楼仓库",
            duty="沙袋、编织袋、救生衣的发放和登记",
            responsible=people[5].username,
        ),
        actor=secretary,
    )
    posts.create_post(
        community,
        posts.PostInput(
            kind="post",
            name="沿河巡查先锋岗",
            place="沿河步道",
            duty="雨前排查、雨中除险、雨后巡查",
            responsible=people[6].username,
        ),
        actor=secretary,
    )


def _duty(community, ctx, people, secretary) -> None:
    today = local_today()
    leaders = [ctx.users["secretary"], ctx.users["grid"], people[0], people[1]]
    for d in range(7):
        day = today + timedelta(days=d)
        for k, hour in enumerate((8, 20)):
            n = d * 2 + k
            leader = "" if (d, k) == (2, 1) else leaders[n % len(leaders)].username
            on_duty = (people[(n * 2) % 36 + 2].username, people[(n * 2) % 36 + 3].username)
            duty.create_shift(
                community,
                duty.ShiftInput(
                    starts_at=_at(day, hour),
                    hours=12,
                    place="社区党群服务中心值班室",
                    leader=leader,
                    people=on_duty,
                ),
                actor=secretary,
            )


def _july(community, ctx, commando, team, secretary) -> None:
    """The flood-season response of 12–14 July: started, two call-ups, a warning, ended."""
    started, ended = _at(date(2026, 7, 12), 6, 30), _at(date(2026, 7, 14), 18)
    response = services.start_response(
        services.Target(community=community),
        kind="flood",
        level="IV",
        reason="区气象台发布暴雨橙色预警，河道水位持续上涨",
        drill=False,
        actor=secretary,
    )
    services.end_response(
        response,
        summary="出动党员和志愿者 34 人次，转移低洼处群众 12 人，发现隐患 7 处、整改销号 5 处，无人员伤亡。",
        actor=secretary,
    )
    response.started_at, response.ended_at = started, ended
    for change in db.session.scalars(
        select(ResponseChange).where(ResponseChange.response_id == response.id)
    ):
        change.created_at = started if change.action == "start" else ended
    with acting_as(secretary):
        for group, place, task, hour, absent in (
            (
                commando,
                "社区广场东门",
                "转移一期低洼处独居老人，巡查沿河步道",
                7,
                {4: "在外地出差"},
            ),
            (team, "明珠花园北门", "清理北侧排水沟，值守地下车库入口", 9, {3: "家中老人需要照顾"}),
        ):
            _call_up(community, response, group, place, task, _at(date(2026, 7, 12), hour), absent)
        _warning(community, response, started)
    db.session.flush()


def _call_up(community, response, group, place, task, called_at, absent) -> None:
    call = CallUp(
        task_force_id=group.id,
        community_id=community.id,
        response_id=response.id,
        drill=False,
        assembly_point=place,
        task=task,
        called_at=called_at,
        stood_down_at=called_at + timedelta(hours=10),
    )
    db.session.add(call)
    db.session.flush()
    members = [user for user, _membership in mobilisation.members_of(group)]
    for k, user in enumerate(members):
        reason = absent.get(k)
        arrived = None if reason else called_at + timedelta(minutes=15 + k)
        db.session.add(
            CallUpAnswer(
                call_up_id=call.id,
                community_id=community.id,
                user_id=user.id,
                state=AnswerState.CANNOT if reason else AnswerState.ARRIVED,
                reason=reason or "",
                answered_at=called_at + timedelta(minutes=3 + k),
                arrived_at=arrived,
            )
        )


def _warning(community, response, started) -> None:
    alert = EmergencyAlert(
        community_id=community.id,
        source="cap",
        state=AlertState.RELAYED,
        drill=False,
        references="qxt@example.gov.cn,CN-DEMO-METEO-20260712-0630,2026-07-12T06:00:00+08:00",
        imported_identifier="CN-DEMO-METEO-20260712-0630",
        category="Met",
        event="暴雨",
        urgency="Immediate",
        severity="Severe",
        certainty="Likely",
        headline="区气象台发布暴雨橙色预警",
        description="预计未来6小时降雨量将达80毫米以上，河道水位持续上涨。",
        instruction="低洼地带居民请及时转移到社区党群服务中心，地下车库车辆请移出。",
        area_desc=f"坞城街道{community.name}",
        expires_at=started + timedelta(hours=36),
        created_at=started,
        sent_at=started,
    )
    db.session.add(alert)
    db.session.flush()
    residents = db.session.scalars(
        select(User.id).where(User.community_id == community.id).order_by(User.id).limit(120)
    ).all()
    answers = (AckAnswer.RECEIVED, AckAnswer.SAFE, AckAnswer.SAFE)
    for k, uid in enumerate(residents):
        db.session.add(
            AlertAck(
                alert_id=alert.id,
                community_id=community.id,
                user_id=uid,
                answer=answers[k % len(answers)],
                answered_at=started + timedelta(minutes=10 + k),
            )
        )
