"""The notification kinds the emergency domain sends. A drill's messages all say 演练: the
`drill` parameter holds the marker ("【演练】" or ""), put in front of every title."""

from flask_babel import lazy_gettext as _l

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
