"""Warnings (预警): official CAP 1.2 alerts imported and relayed, warnings the secretary writes
and a second person approves, the relay through the broadcast mechanism, and the recipients'
acknowledgements (回执), where "需要帮助" opens an urgent order.

The relay writes one broadcast row (audience: everyone of the community, inbox and SMS, an
emergency broadcast that ignores the quiet hours); the worker fans it out after the commit, so
the request never holds 12,000 recipients. A drill's messages all say 演练 (CAP status
Exercise), and a drill is never relayed as a real warning.
"""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask import current_app, has_request_context, request
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from alliance.accounts.models import Role, User
from alliance.audit.services import acting_as
from alliance.communities.models import Community, Estate, Grid
from alliance.db_types import utcnow
from alliance.emergency import cap
from alliance.emergency.alert_models import AckAnswer, AlertAck, AlertState, EmergencyAlert
from alliance.emergency.services import EmergencyError, running_in_community
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications import broadcasts
from alliance.volunteers.models import VolunteerProfile

DRILL_MARK = "【演练】"
TITLE_MAX = broadcasts.TITLE_MAX
SENDER_DOMAIN = "gongfu-alliance"


def sender_of(community: Community) -> str:
    return f"{community.code.lower()}@{SENDER_DOMAIN}"


def identifier_of(alert: EmergencyAlert, community: Community) -> str:
    return f"{SENDER_DOMAIN}.{community.code}.{alert.id}"


def _for_this_community(alert: cap.CapAlert, community: Community) -> bool:
    """An area names the community, its street office or its district, or a geocode is the
    community's code."""
    names = {community.name, community.street_office.name}
    if community.district:
        names.add(community.district)
    for info in alert.infos:
        for area in info.areas:
            if any(name and name in area.desc for name in names):
                return True
            if any(value == community.code for _name, value in area.geocodes):
                return True
    return False


def import_cap(
    community: Community, data: bytes, *, actor: User | None, now: datetime | None = None
) -> EmergencyAlert:
    """Check an official CAP 1.2 alert and relay it; refused with the reason, nothing relayed."""
    now = now or utcnow()
    try:
        alert = cap.parse_alert(data)
    except cap.CapError as exc:
        raise EmergencyError(exc.message, code=exc.code, field="file") from exc
    if alert.status not in ("Actual", "Exercise"):
        raise EmergencyError(
            _l(
                "这份 CAP 文件的状态是 %(status)s，不是正式预警或演练，不转发。",
                status=alert.status,
            ),
            code="not_actual",
            field="file",
        )
    if alert.msg_type not in ("Alert", "Update"):
        raise EmergencyError(
            _l("这份 CAP 文件是 %(type)s，不是需要转发的预警。", type=alert.msg_type),
            code="not_alert",
            field="file",
        )
    info = alert.infos[0]
    if info.expires is not None and info.expires <= now:
        raise EmergencyError(_l("这份预警已经过期，不再转发。"), code="expired", field="file")
    if not _for_this_community(alert, community):
        raise EmergencyError(
            _l("这份预警的区域不包括%(name)s，不转发。", name=community.name),
            code="other_area",
            field="file",
        )
    if db.session.scalars(
        select(EmergencyAlert.id).where(
            EmergencyAlert.community_id == community.id,
            EmergencyAlert.imported_identifier == alert.identifier[:200],
        )
    ).first():
        raise EmergencyError(_l("这份预警已经导入过了。"), code="duplicate", field="file")
    row = EmergencyAlert(
        community_id=community.id,
        community=community,
        source="cap",
        drill=alert.status == "Exercise",
        references=alert.references_text[:400],
        imported_identifier=alert.identifier[:200],
        category=info.categories[0],
        event=info.event[:100],
        urgency=info.urgency,
        severity=info.severity,
        certainty=info.certainty,
        headline=(info.headline or info.event)[:160],
        description=info.description[:4000],
        instruction=info.instruction[:4000],
        area_desc="；".join(a.desc for a in info.areas)[:400] or community.name,
        expires_at=info.expires,
        author_id=actor.id if actor else None,
    )
    with acting_as(actor):
        db.session.add(row)
        db.session.flush()
        _relay(row, actor)
    return row


@dataclass
class AlertInput:
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    estate_ids: tuple[int, ...]
    grid_ids: tuple[int, ...]
    expires_at: datetime | None
    drill: bool


def write_alert(
    community: Community, data: AlertInput, *, actor: User, now: datetime | None = None
) -> EmergencyAlert:
    """The secretary's own warning; it waits for a second person's approval."""
    now = now or utcnow()
    if not (actor.has_role(Role.SECRETARY) and actor.community_id == community.id):
        raise EmergencyError(_l("只有本社区书记可以编写预警。"), status=403)
    for value, allowed, field in (
        (data.urgency, cap.URGENCY, "urgency"),
        (data.severity, cap.SEVERITY, "severity"),
        (data.certainty, cap.CERTAINTY, "certainty"),
    ):
        if value not in allowed:
            raise EmergencyError(_l("请选择一项。"), field=field)
    event, headline = (data.event or "").strip(), (data.headline or "").strip()
    if not event or len(event) > 100:
        raise EmergencyError(_l("请填写事件（最多 100 字）。"), field="event")
    if not headline or len(headline) > TITLE_MAX - len(DRILL_MARK):
        raise EmergencyError(
            _l("请填写标题（最多 %(n)d 字）。", n=TITLE_MAX - len(DRILL_MARK)), field="headline"
        )
    if data.expires_at is None or data.expires_at <= now:
        raise EmergencyError(_l("失效时间要在现在之后。"), field="expires_at")
    response = running_in_community(community.id, community.street_office_id)
    if response is not None and response.drill and not data.drill:
        raise EmergencyError(
            _l("现在是演练响应：预警只能作为演练发布（所有消息标明“演练”）。"),
            code="drill_as_real",
            field="drill",
        )
    estates = list(
        db.session.scalars(
            select(Estate).where(
                Estate.community_id == community.id, Estate.id.in_(data.estate_ids)
            )
        )
    )
    grids = list(
        db.session.scalars(
            select(Grid).where(Grid.community_id == community.id, Grid.id.in_(data.grid_ids))
        )
    )
    if len(estates) != len(set(data.estate_ids)) or len(grids) != len(set(data.grid_ids)):
        raise EmergencyError(_l("请选择本社区的小区和网格。"), field="estate_ids")
    if not (estates or grids):
        raise EmergencyError(_l("请选择预警的区域：小区或网格。"), field="estate_ids")
    area = "、".join([e.name for e in estates] + [g.name for g in grids])
    row = EmergencyAlert(
        community_id=community.id,
        community=community,
        source="written",
        drill=bool(data.drill),
        category="Met",
        event=event,
        urgency=data.urgency,
        severity=data.severity,
        certainty=data.certainty,
        headline=headline,
        description=(data.description or "").strip()[:4000],
        instruction=(data.instruction or "").strip()[:4000],
        area_desc=f"{community.name}：{area}"[:400],
        expires_at=data.expires_at,
        author_id=actor.id,
    )
    with acting_as(actor):
        db.session.add(row)
        db.session.flush()
    return row


def can_approve(user: User, alert: EmergencyAlert) -> bool:
    if user.id == alert.author_id:
        return False
    if user.has_role(Role.SECRETARY) and user.community_id == alert.community_id:
        return True
    community = alert.community
    return bool(
        user.has_role(Role.STREET_OFFICER)
        and user.street_office_id
        and community.street_office_id == user.street_office_id
    )


def approve(alert: EmergencyAlert, *, actor: User, now: datetime | None = None) -> EmergencyAlert:
    """The second person (secretary or street officer, never the author) approves: relayed."""
    if actor.id == alert.author_id:
        raise EmergencyError(
            _l("预警要由编写人以外的第二个人审核。"), code="same_person", status=403
        )
    if not can_approve(actor, alert):
        raise EmergencyError(_l("您不能审核这条预警。"), status=403)
    if alert.relayed:
        raise EmergencyError(_l("这条预警已经发布了。"), code="already_relayed", status=409)
    if alert.expires_at is not None and alert.expires_at <= (now or utcnow()):
        raise EmergencyError(_l("这份预警已经过期，不再转发。"), code="expired", status=409)
    response = running_in_community(alert.community_id, alert.community.street_office_id)
    if response is not None and response.drill and not alert.drill:
        raise EmergencyError(
            _l("现在是演练响应：预警只能作为演练发布（所有消息标明“演练”）。"),
            code="drill_as_real",
            status=409,
        )
    with acting_as(actor):
        alert.approved_by_id = actor.id
        _relay(alert, actor)
    return alert


def title_of(alert: EmergencyAlert) -> str:
    title = alert.headline[: TITLE_MAX - len(DRILL_MARK)]
    return f"{DRILL_MARK}{title}" if alert.drill else title


def _site() -> str:
    root = current_app.config.get("SITE_URL") or (request.url_root if has_request_context() else "")
    return root.rstrip("/")


def sms_body(alert: EmergencyAlert) -> str:
    """What the inbox and the SMS say under the title: what to do, and where to answer."""
    link = f"{_site()}/emergency/alerts/{alert.id}"
    words = alert.instruction or alert.description or alert.event
    reply = str(_l("请回执（收到/我安全/需要帮助）：%(link)s", link=link))
    sign = len(broadcasts.outbox.signature_of(alert.community_id))
    room = broadcasts.SMS_MAX - sign - len(title_of(alert)) - len(reply) - 4
    prefix = "演练：" if alert.drill else ""
    return f"{prefix}{words[: max(room - len(prefix), 0)]} {reply}".strip()


def _relay(alert: EmergencyAlert, actor: User | None) -> None:
    """One broadcast to everyone of the community by inbox and SMS; the worker fans it out."""
    if alert.relayed:
        raise EmergencyError(_l("这条预警已经发布了。"), code="already_relayed", status=409)
    if alert.drill and DRILL_MARK not in title_of(alert):  # never a drill without its mark
        raise EmergencyError(_l("演练预警必须标明“演练”。"), code="drill_as_real", status=409)
    # The broadcast belongs to the alert's community (a street officer who approves has none);
    # without a person (the CLI) nobody is its author.
    sender = SimpleNamespace(id=actor.id if actor else None, community_id=alert.community_id)
    try:
        broadcast = broadcasts.create_broadcast(
            sender,
            broadcasts.BroadcastInput(
                audience="all",
                audience_id=None,
                title=title_of(alert),
                body=sms_body(alert)[: broadcasts.BODY_MAX],
                inbox=True,
                sms=True,
                emergency=True,
            ),
        )
    except broadcasts.BroadcastError as exc:
        raise EmergencyError(exc.message, code="relay_refused", status=exc.status) from exc
    alert.broadcast_id = broadcast.id
    alert.state = AlertState.RELAYED
    alert.sent_at = utcnow()
    db.session.flush()


def outgoing(alert: EmergencyAlert) -> cap.OutgoingAlert:
    community = alert.community
    return cap.OutgoingAlert(
        identifier=identifier_of(alert, community),
        sender=sender_of(community),
        sent=alert.sent_at or alert.created_at,
        status="Exercise" if alert.drill else "Actual",
        references=alert.references,
        category=alert.category,
        event=alert.event,
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        headline=title_of(alert),
        description=alert.description,
        instruction=alert.instruction,
        expires=alert.expires_at,
        area_desc=alert.area_desc,
        geocode=("community", community.code),
        sender_name=community.name,
        note="演练" if alert.drill else "",
    )


def acknowledge(alert: EmergencyAlert, user: User, answer: str) -> AlertAck:
    """收到 / 我安全 / 需要帮助; a later answer replaces an earlier one. 需要帮助 opens an
    urgent 应急求助 order once (due within the hour while a response runs)."""
    if not alert.relayed or user.community_id != alert.community_id:
        raise EmergencyError(_l("找不到这条预警。"), status=404)
    if answer not in set(AckAnswer):
        raise EmergencyError(_l("请选择回执。"), field="answer")
    row = db.session.scalars(
        select(AlertAck).where(AlertAck.alert_id == alert.id, AlertAck.user_id == user.id)
    ).first()
    if row is None:
        row = AlertAck(alert_id=alert.id, community_id=alert.community_id, user_id=user.id)
        db.session.add(row)
    row.answer = answer
    row.answered_at = utcnow()
    if answer == AckAnswer.HELP and row.help_request_id is None:
        row.help_request_id = _urgent_order(alert, user).id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a double tap: the first answer stands
        raise EmergencyError(_l("已经回执过了，请刷新页面。"), status=409) from exc
    return row


def _urgent_order(alert: EmergencyAlert, user: User):
    from alliance.help_requests import catalogue, intake
    from alliance.help_requests.models import ContactMethod, Urgency

    community = alert.community
    category = next(c for c in catalogue.ensure_catalogue(community) if c.code == "emergency")
    estate_id = db.session.scalar(
        select(VolunteerProfile.estate_id).where(VolunteerProfile.user_id == user.id)
    )
    data = intake.RequestInput(
        category_id=category.id,
        title=str(_l("预警回执：需要帮助"))[:80],
        description=str(
            _l(
                "%(name)s在预警“%(headline)s”的回执中选择了“需要帮助”。",
                name=user.display_name,
                headline=alert.headline,
            )
        ),
        urgency=Urgency.EMERGENCY,
        estate_id=estate_id,
        address_text="" if estate_id else str(_l("地址待核实（预警回执）")),
        contact_method=ContactMethod.PHONE if user.phone else ContactMethod.VISIT,
        contact_phone=user.phone or "",
    )
    return intake.submit_request(community, user, data, source="alert")


@dataclass(frozen=True)
class AckRow:
    estate: str
    grids: str
    recipients: int
    received: int
    safe: int
    help: int

    @property
    def not_yet(self) -> int:
        return self.recipients - self.received - self.safe - self.help


def ack_summary(alert: EmergencyAlert) -> list[AckRow]:
    """Acknowledged / not yet / needs help by estate (and its grids): two statements."""
    estate = VolunteerProfile.estate_id
    rows = db.session.execute(
        select(
            estate,
            func.count(User.id),
            func.count(case((AlertAck.answer == AckAnswer.RECEIVED, 1))),
            func.count(case((AlertAck.answer == AckAnswer.SAFE, 1))),
            func.count(case((AlertAck.answer == AckAnswer.HELP, 1))),
        )
        .select_from(User)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(AlertAck, (AlertAck.user_id == User.id) & (AlertAck.alert_id == alert.id))
        .where(User.community_id == alert.community_id, User.active)
        .group_by(estate)
    ).all()
    names = {
        e.id: (e.name, [])
        for e in db.session.scalars(select(Estate).where(Estate.community_id == alert.community_id))
    }
    for grid in db.session.scalars(select(Grid).where(Grid.community_id == alert.community_id)):
        if grid.estate_id in names:
            names[grid.estate_id][1].append(grid.name)
    out = []
    for estate_id, n, received, safe, helped in rows:
        name, grids = names.get(estate_id, (str(_l("未登记小区")), []))
        out.append(AckRow(name, "、".join(grids), n, received, safe, helped))
    return sorted(out, key=lambda r: (r.estate == str(_l("未登记小区")), r.estate))


def relayed_query():
    return (
        select(EmergencyAlert)
        .where(EmergencyAlert.state == AlertState.RELAYED)
        .order_by(EmergencyAlert.sent_at.desc(), EmergencyAlert.id.desc())
    )


def alerts_of(community_id: int, limit: int = 20) -> list[EmergencyAlert]:
    return list(
        db.session.scalars(
            select(EmergencyAlert)
            .where(EmergencyAlert.community_id == community_id)
            .order_by(EmergencyAlert.created_at.desc(), EmergencyAlert.id.desc())
            .limit(limit)
        )
    )


def current_for(community_id: int, now: datetime | None = None) -> list[EmergencyAlert]:
    """Relayed warnings not yet expired: what residents see on /emergency/."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            relayed_query().where(
                EmergencyAlert.community_id == community_id,
                (EmergencyAlert.expires_at.is_(None)) | (EmergencyAlert.expires_at > now),
            )
        )
    )


def loudspeaker_text(alert: EmergencyAlert) -> str:
    """What the grid workers read out through the loudspeaker, twice."""
    mark = "演练！" if alert.drill else ""
    parts = [
        f"{mark}{alert.community.name}提醒：{alert.headline}。",
        alert.instruction or alert.description,
    ]
    text = "".join(p for p in parts if p)
    return f"{text} {text}"
