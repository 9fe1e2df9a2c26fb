"""The audit log read as sentences: "赵书记 批准了 志愿者申请 #12（陈阿姨）", in local time.

An entry stores the row's type, id and changed columns; the sentence names the kind of record
in words, the verb from the change (a status or state moving to "approved" reads 批准了), and
the record's name, looked up once per kind of record on the page (never once per entry).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select

from alliance.accounts.models import User
from alliance.activities.models import Activity
from alliance.audit.models import AuditEntry
from alliance.cards.models import Card
from alliance.clock import local_start
from alliance.commitments.models import Commitment
from alliance.emergency.hazard_models import HazardPoint
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantApplication
from alliance.projects.models import Project
from alliance.volunteers.models import VolunteerApplication, VolunteerProfile

KINDS = {
    "User": _l("账号"),
    "UserRole": _l("角色"),
    "Community": _l("社区"),
    "Estate": _l("小区"),
    "Grid": _l("网格"),
    "Merchant": _l("联盟商户"),
    "MerchantApplication": _l("入盟申请"),
    "MerchantStaff": _l("商户店员"),
    "Agreement": _l("合作协议"),
    "Commitment": _l("承诺"),
    "Offer": _l("优惠"),
    "BrokenCommitmentReport": _l("承诺问题反映"),
    "VolunteerApplication": _l("志愿者申请"),
    "VolunteerProfile": _l("志愿者"),
    "Card": _l("卡片"),
    "HelpRequest": _l("工单"),
    "ServiceCategory": _l("服务类别"),
    "Project": _l("项目"),
    "Resource": _l("资源"),
    "Activity": _l("志愿活动"),
    "ActivitySlot": _l("活动场次"),
    "Signup": _l("活动报名"),
    "LedgerEntry": _l("积分记录"),
    "PointsRule": _l("积分规则"),
    "ExchangeItem": _l("兑换项目"),
    "Decision": _l("委员会决议"),
    "Meeting": _l("委员会会议"),
    "MonthlyReport": _l("月度工作报表"),
    "HazardPoint": _l("隐患点"),
    "AgendaItem": _l("会议议题"),
    "AlertAck": _l("预警确认"),
    "ApiToken": _l("接口令牌"),
    "Attendance": _l("会议出席"),
    "Broadcast": _l("群发通知"),
    "CallUp": _l("集结号令"),
    "CallUpAnswer": _l("集结响应"),
    "CardSequence": _l("卡号序列"),
    "Checkout": _l("收银核验"),
    "CoBuildingUnit": _l("共建单位"),
    "CommitteeMember": _l("委员会成员"),
    "DutyAssignment": _l("值班安排"),
    "DutyShift": _l("值班班次"),
    "EmergencyAlert": _l("预警信息"),
    "EmergencyPost": _l("责任区和先锋岗"),
    "EmergencyResponse": _l("应急响应"),
    "Exchange": _l("积分兑换"),
    "FulfilmentNote": _l("承诺履行记录"),
    "GridVisit": _l("网格走访"),
    "GridBusiness": _l("网格商户"),
    "HazardCheck": _l("隐患排查"),
    "HazardCheckPhoto": _l("排查照片"),
    "Household": _l("重点人群户"),
    "HouseholdVisit": _l("入户走访"),
    "InspectionRound": _l("排查轮次"),
    "MeetingSeries": _l("例会安排"),
    "MerchantStatusChange": _l("商户状态变更"),
    "MinutesEdit": _l("会议纪要修改"),
    "Open311Key": _l("Open311 接口密钥"),
    "PartyMembership": _l("党员信息"),
    "PasswordReset": _l("密码重置"),
    "Pledge": _l("协议储备"),
    "PointsAccount": _l("积分账户"),
    "PostArea": _l("责任区范围"),
    "Proposal": _l("议事提案"),
    "RectificationNotice": _l("整改通知"),
    "Redemption": _l("核销记录"),
    "ResponseChange": _l("响应调整"),
    "RuleVersion": _l("积分规则版本"),
    "ServiceDetail": _l("服务承诺详情"),
    "ServiceRecord": _l("志愿服务记录证明"),
    "Shelter": _l("避险安置点"),
    "SpaceOffer": _l("场地提供"),
    "StarAward": _l("星级表彰"),
    "Stock": _l("物资库存"),
    "StockMove": _l("物资出入库"),
    "StreetOffice": _l("街道"),
    "SupplyItem": _l("应急物资"),
    "SupplyStore": _l("物资仓库"),
    "TaskForce": _l("突击队"),
    "TaskForceMember": _l("突击队员"),
    "Transfer": _l("转移安置"),
    "VolunteerStatusChange": _l("志愿者状态变更"),
}

# A status or state moving to one of these reads as its own verb.
VERBS = {
    "approved": _l("批准了"),
    "rejected": _l("驳回了"),
    "published": _l("公示了"),
    "withdrawn": _l("撤回了"),
    "changes_requested": _l("退回修改了"),
    "suspended": _l("暂停了"),
    "active": _l("恢复了"),
    "left": _l("办理退出了"),
    "lost": _l("挂失了"),
    "revoked": _l("注销了"),
    "dispatched": _l("派出了"),
    "escalated": _l("上报了"),
    "closed": _l("关闭了"),
    "cancelled": _l("撤销了"),
    "handled": _l("处理了"),
    "done": _l("办结了"),
}
ACTIONS = {
    "create": _l("新建了"),
    "update": _l("修改了"),
    "delete": _l("删除了"),
    "void": _l("作废了"),
}

# The column that names a record of each kind (looked up in one query per kind on a page).
NAMES = {
    "VolunteerApplication": (VolunteerApplication, VolunteerApplication.name),
    "VolunteerProfile": (VolunteerProfile, VolunteerProfile.name),
    "MerchantApplication": (MerchantApplication, MerchantApplication.name),
    "Merchant": (Merchant, Merchant.name),
    "Commitment": (Commitment, Commitment.title),
    "HelpRequest": (HelpRequest, HelpRequest.title),
    "Activity": (Activity, Activity.title),
    "Project": (Project, Project.title),
    "Card": (Card, Card.number),
    "User": (User, User.display_name),
    "HazardPoint": (HazardPoint, HazardPoint.name),
}
NAME_KEYS = ("name", "title", "display_name", "number")


@dataclass
class Line:
    entry: AuditEntry
    actor: str
    verb: str
    kind: str
    name: str

    @property
    def sentence(self) -> str:
        target = f"{self.kind} #{self.entry.object_id}" if self.entry.object_id else self.kind
        named = f"（{self.name}）" if self.name else ""
        return f"{self.actor} {self.verb} {target}{named}"


@dataclass
class Filters:
    actor_id: int | None = None
    kind: str = ""
    since: date | None = None
    until: date | None = None  # inclusive


def filtered(community_id: int, filters: Filters) -> Select:
    stmt = select(AuditEntry).where(AuditEntry.community_id == community_id)
    if filters.actor_id:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.kind:
        stmt = stmt.where(AuditEntry.object_type == filters.kind)
    if filters.since:
        stmt = stmt.where(AuditEntry.created_at >= local_start(filters.since))
    if filters.until:
        stmt = stmt.where(AuditEntry.created_at < local_start(filters.until + timedelta(days=1)))
    return stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def _verb(entry: AuditEntry) -> str:
    if entry.action == "update" and entry.after:
        for key in ("status", "state"):
            value = entry.after.get(key)
            if isinstance(value, str) and value in VERBS:
                return str(VERBS[value])
    return str(ACTIONS.get(entry.action, entry.action))


def _names(entries: list[AuditEntry]) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_type in NAMES and e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    found = {}
    for kind, ids in wanted.items():
        model, column = NAMES[kind]
        for object_id, name in db.session.execute(
            select(model.id, column).where(model.id.in_(ids))
        ):
            found[(kind, object_id)] = name or ""
    return found


def lines(entries: list[AuditEntry]) -> list[Line]:
    """Sentences for a page of entries: one query for the people, one per kind of record."""
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    actors = (
        dict(
            db.session.execute(
                select(User.id, User.display_name).where(User.id.in_(actor_ids))
            ).all()
        )
        if actor_ids
        else {}
    )
    names = _names(entries)
    result = []
    for e in entries:
        name = names.get((e.object_type, e.object_id), "")
        if not name:
            snapshot = e.after or e.before or {}
            name = next((str(snapshot[k]) for k in NAME_KEYS if snapshot.get(k)), "")
        result.append(
            Line(
                entry=e,
                actor=actors.get(e.actor_id, "") or str(_l("系统")),
                verb=_verb(e),
                kind=str(KINDS.get(e.object_type, e.object_type)),
                name=name,
            )
        )
    return result


def filter_choices(community_id: int) -> tuple[list[tuple[int, str]], list[tuple[str, str]]]:
    """The people who appear in the community's log and the kinds of record, for the filters."""
    people = db.session.execute(
        select(User.id, User.display_name)
        .where(
            User.id.in_(
                select(AuditEntry.actor_id)
                .where(AuditEntry.community_id == community_id)
                .distinct()
            )
        )
        .order_by(User.display_name)
    ).all()
    kinds = db.session.scalars(
        select(AuditEntry.object_type)
        .where(AuditEntry.community_id == community_id)
        .distinct()
        .order_by(AuditEntry.object_type)
    ).all()
    return (
        [(pid, name) for pid, name in people],
        [(k, str(KINDS.get(k, k))) for k in kinds],
    )
