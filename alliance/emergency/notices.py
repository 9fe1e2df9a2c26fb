"""The notification kinds the emergency domain sends. A drill's messages all say 演练: the
`drill` parameter holds the marker ("【演练】" or ""), put in front of every title."""

from alliance.i18n import lazy_gettext as _l
from alliance.notifications.kinds import register_kind


def _drill_marker(values):
    return {"marker": str(_l("【演练】")) if values.get("drill") else ""}


CALL_UP = register_kind(
    "emergency.call_up",
    label=_l("集结令"),
    title=_l("%(marker)s集结令：%(team)s请到%(place)s集合"),
    body=_l("%(marker)s任务：%(task)s。请在收件箱中回复“到”或“不能到”。"),
    urgent=True,
    emergency=True,
    params=_drill_marker,
)
STAND_DOWN = register_kind(
    "emergency.stand_down",
    label=_l("突击队解散"),
    title=_l("%(marker)s%(team)s任务结束，可以解散"),
    urgent=True,
    emergency=True,
    params=_drill_marker,
)
HAZARD_NOTICE = register_kind(
    "emergency.hazard_notice",
    label=_l("整改通知书"),
    title=_l("整改通知书%(number)s：%(point)s，请在%(deadline)s前完成整改"),
)
HAZARD_OVERDUE = register_kind(
    "emergency.hazard_overdue",
    label=_l("整改逾期"),
    title=_l("整改通知书%(number)s（%(point)s）已过整改期限%(deadline)s，还没有销号"),
    urgent=True,
)
LOW_STOCK = register_kind(
    "emergency.low_stock",
    label=_l("物资低于储备下限"),
    title=_l("%(item)s只剩 %(total)s%(unit)s，低于储备下限 %(minimum)s%(unit)s"),
)
PLEDGE_CALLED = register_kind(
    "emergency.pledge_called",
    label=_l("协议储备被调用"),
    title=_l("社区调用协议储备：%(goods)s %(quantity)s%(unit)s，请尽快送达"),
    urgent=True,
    emergency=True,
)


def _space_kind(values):
    from alliance.emergency.shelter_models import SHELTER_KIND_LABELS

    label = SHELTER_KIND_LABELS.get(values.get("kind"))
    return {"kind_label": str(label) if label is not None else ""}


SPACE_OFFERED = register_kind(
    "emergency.space_offered",
    label=_l("商户提供应急场所"),
    title=_l("%(merchant)s提供%(kind_label)s，请确认"),
    params=_space_kind,
)
SPACE_ACCEPTED = register_kind(
    "emergency.space_accepted",
    label=_l("应急场所已接受"),
    title=_l("社区已接受您提供的%(kind_label)s：%(name)s"),
    params=_space_kind,
)
SPACE_DECLINED = register_kind(
    "emergency.space_declined",
    label=_l("应急场所未接受"),
    title=_l("社区暂不接受您提供的%(kind_label)s：%(reason)s"),
    params=_space_kind,
)
