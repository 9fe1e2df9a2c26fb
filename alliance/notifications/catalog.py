"""The kinds this platform's own domains emit (other domains may register theirs next to them).

Parameters hold names, numbers and codes as they were when the thing happened; the words around
them are translated when the notification is read.
"""

from alliance.i18n import lazy_gettext as _l
from alliance.notifications.kinds import register_kind


def _order_action(values):
    from alliance.help_requests.workflow import action_label

    return {"action": action_label(values.get("action", ""))}


# Applications
register_kind(
    "volunteer.approved",
    label=_l("志愿者申请通过"),
    title=_l("您的志愿者申请已通过，欢迎加入%(community)s志愿者队伍"),
    body=_l("您的志愿者卡已生成，可在“我的卡”中出示。"),
)
register_kind(
    "volunteer.rejected",
    label=_l("志愿者申请未通过"),
    title=_l("您的志愿者申请未通过"),
    body=_l("原因：%(reason)s"),
)
register_kind(
    "member.approved",
    label=_l("联盟成员申请通过"),
    title=_l("“%(name)s”已成为联盟成员（第%(number)s号）"),
)
register_kind(
    "member.rejected",
    label=_l("联盟成员申请未通过"),
    title=_l("“%(name)s”的入盟申请未通过"),
    body=_l("原因：%(reason)s"),
)
register_kind(
    "member.returned",
    label=_l("联盟成员申请退回修改"),
    title=_l("“%(name)s”的入盟申请需要修改"),
    body=_l("说明：%(reason)s"),
)
register_kind(
    "commitment.approved",
    label=_l("承诺审核通过"),
    title=_l("承诺“%(title)s”已审核通过并公示"),
)
register_kind(
    "commitment.rejected",
    label=_l("承诺未通过审核"),
    title=_l("承诺“%(title)s”未通过审核"),
    body=_l("原因：%(reason)s"),
)
register_kind(
    "commitment.reported",
    label=_l("承诺被反映未兑现"),
    title=_l("有居民反映承诺“%(title)s”未兑现"),
    body=_l("请尽快核实并处理。"),
)

# Cards
register_kind(
    "card.issued",
    label=_l("联盟卡发放"),
    title=_l("您的联盟卡已发放，卡号 %(number)s"),
    body=_l("打开“我的卡”即可出示。"),
)
register_kind(
    "card.reissued",
    label=_l("联盟卡补办"),
    title=_l("您的联盟卡已补办，新卡号 %(number)s，旧卡已停用"),
)
register_kind(
    "card.lost",
    label=_l("联盟卡挂失"),
    title=_l("您的联盟卡 %(number)s 已挂失停用"),
    body=_l("如非本人操作，请联系社区。"),
    urgent=True,
)

# Points
register_kind(
    "points.awarded",
    label=_l("获得积分"),
    title=_l("您获得 %(points)s 积分：%(reason)s"),
)
register_kind(
    "points.spent",
    label=_l("使用积分"),
    title=_l("您使用 %(points)s 积分兑换了“%(item)s”"),
)
register_kind(
    "points.expiring",
    label=_l("积分即将过期"),
    title=_l("您有 %(points)s 积分将于 %(date)s 过期"),
    body=_l("请在过期前兑换使用。"),
)

# Service orders
register_kind(
    "order.submitted",
    label=_l("新需求待派单"),
    title=_l("新需求：%(title)s"),
)
register_kind(
    "order.dispatched",
    label=_l("工单派给我"),
    title=_l("工单“%(title)s”已派给您，请及时接单"),
    urgent=True,
)
register_kind(
    "order.accepted",
    label=_l("工单已接单"),
    title=_l("您的需求“%(title)s”已有人接单"),
)
register_kind(
    "order.finished",
    label=_l("工单办结待评价"),
    title=_l("您的需求“%(title)s”已办结，请评价"),
)
register_kind(
    "order.returned",
    label=_l("工单退回"),
    title=_l("工单“%(title)s”被退回"),
    body="%(note)s",
)
register_kind(
    "order.escalated",
    label=_l("工单上报街道"),
    title=_l("工单“%(title)s”已上报街道"),
    body="%(note)s",
    urgent=True,
)
register_kind(
    "order.step",
    label=_l("工单进展"),
    title=_l("工单“%(title)s”：%(action)s"),
    body="%(note)s",
    params=_order_action,
)
register_kind(
    "order.overdue",
    label=_l("工单超时"),
    title=_l("有 %(count)s 张工单已超过办理时限"),
    body=_l("请在派单台查看。"),
)

# Activities
register_kind(
    "activity.signup_confirmed",
    label=_l("活动报名成功"),
    title=_l("您已报名“%(activity)s”，时间 %(when)s"),
)
register_kind(
    "activity.slot_changed",
    label=_l("活动安排变更"),
    title=_l("“%(activity)s”的安排有变更，请查看"),
    urgent=True,
)
register_kind(
    "activity.cancelled",
    label=_l("活动取消"),
    title=_l("“%(activity)s”已取消"),
    urgent=True,
)

# Broadcasts: the secretary's own words, shown as written.
register_kind("broadcast.notice", label=_l("社区通知"), title="%(title)s", body="%(body)s")
register_kind(
    "broadcast.emergency",
    label=_l("紧急预警"),
    title="%(title)s",
    body="%(body)s",
    urgent=True,
    emergency=True,
)
