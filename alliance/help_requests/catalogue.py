"""The service catalogue (服务目录): categories per community, each with its response time limits."""

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from alliance.communities.models import Community
from alliance.database import read_rows
from alliance.extensions import db
from alliance.help_requests.errors import HelpRequestError
from alliance.help_requests.models import (
    ServiceCategory,
)
from alliance.i18n import lazy_gettext as _l

# code, name, group, keywords, (normal, urgent, emergency) hours
DEFAULT_CATALOGUE = [
    ("legal", _l("法律援助"), _l("法律"), "法律,咨询,纠纷,合同", (72, 24, 4)),
    ("tax", _l("财税服务"), _l("企业"), "税务,财务,记账,发票", (72, 24, 8)),
    ("health", _l("健康医疗"), _l("民生"), "义诊,中医,药品,体检", (48, 12, 2)),
    ("elderly", _l("养老助老"), _l("民生"), "老人,独居,助餐,陪护", (48, 12, 2)),
    ("repair", _l("维修服务"), _l("民生"), "水电,维修,漏水,停电", (48, 12, 2)),
    ("environment", _l("环境与垃圾"), _l("环境"), "垃圾,药渣,清运,卫生", (72, 24, 4)),
    ("employment", _l("就业创业"), _l("企业"), "招聘,就业,培训,创业", (120, 48, 24)),
    ("enterprise", _l("企业互助"), _l("企业"), "互助,合作,供货", (120, 48, 24)),
    ("volunteer", _l("志愿服务"), _l("志愿"), "志愿者,帮忙,陪伴", (72, 24, 4)),
    ("emergency", _l("应急求助"), _l("应急"), "防汛,转移,停水,险情", (4, 2, 1)),
]


# Dispatch (派单): which volunteers' skills and which members' published services fit a
# category, the best fit first; the secretary edits them per community (category form).
DEFAULT_MATCH = {
    "legal": ("法律咨询", "法律,咨询,调解"),
    "tax": ("财务,会计", "税务,财务,记账,会计"),
    "health": ("医护急救,陪同就医,心理疏导", "义诊,中医,药,体检,医疗"),
    "elderly": ("陪同就医,医护急救,烹饪,心理疏导,驾驶", "助老,养老,陪护,助餐,送餐,上门"),
    "repair": ("水电维修", "维修,上门,水电,家电"),
    "environment": ("防汛巡查", "清运,保洁,回收"),
    "employment": ("电脑手机教学", "招聘,培训,就业"),
    "enterprise": ("", "互助,供货,合作"),
    "volunteer": ("陪同就医,辅导作业,电脑手机教学,文艺演出,理发,摄影", "志愿,公益,义务"),
    "emergency": ("防汛巡查,医护急救,驾驶", "应急,防汛,物资"),
}

# A member's published service commitments show in the resources list under this category.
MERCHANT_CATEGORY_TO_SERVICE = {
    "finance": "tax",
    "pharmacy": "health",
    "living": "repair",
    "catering": "elderly",
    "bakery": "elderly",
    "retail": "enterprise",
    "cinema": "volunteer",
    "other": "enterprise",
}


def ensure_catalogue(community: Community) -> list[ServiceCategory]:
    """Give a community the ten standard categories it lacks (by code); returns them all."""
    existing = {
        c.code: c
        for c in db.session.scalars(
            select(ServiceCategory).where(ServiceCategory.community_id == community.id)
        )
    }
    for position, (code, name, group, keywords, limits) in enumerate(DEFAULT_CATALOGUE):
        if code in existing:
            continue
        existing[code] = ServiceCategory(
            community_id=community.id,
            code=code,
            name=str(name),
            group=str(group),
            keywords=keywords,
            description=str(name),
            position=position,
            limit_normal_hours=limits[0],
            limit_urgent_hours=limits[1],
            limit_emergency_hours=limits[2],
            match_skills=DEFAULT_MATCH.get(code, ("", ""))[0],
            match_services=DEFAULT_MATCH.get(code, ("", ""))[1],
        )
        db.session.add(existing[code])
    db.session.flush()
    return sorted(existing.values(), key=lambda c: (c.position, c.id))


def match_terms(text: str | None) -> list[str]:
    """ "陪同就医，医护急救、 驾驶" → ["陪同就医", "医护急救", "驾驶"]: any comma or 、, trimmed."""
    raw = (text or "").replace("，", ",").replace("、", ",").replace(";", ",").replace("；", ",")
    return [t.strip() for t in raw.split(",") if t.strip()]


def categories_of(community_id: int, *, active_only=True) -> list[ServiceCategory]:
    stmt = select(ServiceCategory).where(ServiceCategory.community_id == community_id)
    if active_only:
        stmt = stmt.where(ServiceCategory.active)
    return list(db.session.scalars(stmt.order_by(ServiceCategory.position, ServiceCategory.id)))


# Built once: every queue's filter lists the community's categories.
_CODES_AND_NAMES = (
    select(ServiceCategory.code, ServiceCategory.name)
    .where(ServiceCategory.community_id == bindparam("community_id"))
    .order_by(ServiceCategory.position, ServiceCategory.id)
)


def category_rows(community_id: int) -> tuple[tuple[str, str], ...]:
    """(code, stored name) of every category of the community, retired ones too (finished
    orders keep theirs): a queue's filter form is kept under them and translates on a miss."""
    return tuple(map(tuple, read_rows(_CODES_AND_NAMES, {"community_id": community_id}).all()))


@dataclass
class CategoryInput:
    code: str
    name: str
    description: str = ""
    group: str = ""
    keywords: str = ""
    match_skills: str = ""
    match_services: str = ""
    limit_normal_hours: int = 72
    limit_urgent_hours: int = 24
    limit_emergency_hours: int = 4
    active: bool = True


def _check_category(data: CategoryInput) -> None:
    if not data.name.strip():
        raise HelpRequestError(_l("请填写类别名称。"), field="name")
    for hours, name in (
        (data.limit_normal_hours, "limit_normal_hours"),
        (data.limit_urgent_hours, "limit_urgent_hours"),
        (data.limit_emergency_hours, "limit_emergency_hours"),
    ):
        if hours is None or not 1 <= int(hours) <= 24 * 60:
            raise HelpRequestError(_l("时限须在 1 到 1440 小时之间。"), field=name)
    if not (data.limit_emergency_hours <= data.limit_urgent_hours <= data.limit_normal_hours):
        raise HelpRequestError(
            _l("越紧急时限应越短：特急 ≤ 紧急 ≤ 一般。"), field="limit_urgent_hours"
        )


def create_category(community: Community, data: CategoryInput) -> ServiceCategory:
    code = (data.code or "").strip().lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or len(code) > 32:
        raise HelpRequestError(_l("编码只能用字母、数字、- 和 _，最多 32 位。"), field="code")
    _check_category(data)
    taken = db.session.scalar(
        select(ServiceCategory.id).where(
            ServiceCategory.community_id == community.id, ServiceCategory.code == code
        )
    )
    if taken:
        raise HelpRequestError(_l("这个编码已经有了。"), field="code")
    position = (
        db.session.scalar(
            select(func.count(ServiceCategory.id)).where(
                ServiceCategory.community_id == community.id
            )
        )
        or 0
    )
    category = ServiceCategory(community_id=community.id, code=code, position=position)
    _apply_category(category, data)
    db.session.add(category)
    db.session.flush()
    return category


def _apply_category(category: ServiceCategory, data: CategoryInput) -> None:
    category.name = data.name.strip()
    category.description = (data.description or "").strip()
    category.group = (data.group or "").strip()
    category.keywords = (data.keywords or "").strip()
    category.match_skills = ",".join(match_terms(data.match_skills))
    category.match_services = ",".join(match_terms(data.match_services))
    category.limit_normal_hours = int(data.limit_normal_hours)
    category.limit_urgent_hours = int(data.limit_urgent_hours)
    category.limit_emergency_hours = int(data.limit_emergency_hours)
    category.active = bool(data.active)


def update_category(category: ServiceCategory, data: CategoryInput) -> None:
    """The code never changes: Open311 clients keep it."""
    _check_category(data)
    _apply_category(category, data)
    db.session.flush()
