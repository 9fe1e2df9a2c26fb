"""The menu, by role. Domains add their entries here so the layout carries no logic.

Every page shows the menu, and building it (two dozen labels and URLs) cost a fifth of a
signed-in page's time. It depends on nothing but the language, the URL root, whether one is
signed in, one's roles and community, and the unread count, so each worker builds it once per
such combination and keeps it.
"""

from flask import current_app, request, url_for
from flask_babel import gettext as _

from alliance.accounts.models import Role
from alliance.i18n import request_locale_name

# Combinations kept per worker; past it the memory starts over.
LIMIT = 5_000


def menu_for(user) -> tuple[tuple[str, str], ...]:
    return _kept("menu", user, _build_menu)


def main_tasks_for(user) -> tuple[tuple[str, str], ...]:
    """The large text mode's menu: the full menu cut down to the person's main tasks."""
    return _kept("main-tasks", user, _build_main_tasks)


def menu_current(items, path: str) -> str | None:
    """The path when it is one of the menu's entries (it is then marked current), else None:
    the layout keeps the rendered menu per menu and this, not per page."""
    return path if any(href == path for _label, href in items) else None


def _kept(kind: str, user, build) -> tuple[tuple[str, str], ...]:
    unread = None
    if user.is_authenticated:
        unread = user.inbox_unread
        if unread is None:  # the user was not loaded by the login loader
            from alliance.notifications.services import unread_count

            unread = unread_count(user.id)
        who = (user.roles, user.community_id, unread)
    else:
        who = (None,)
    key = (kind, request_locale_name(), request.script_root, *who)
    kept = current_app.extensions.setdefault("alliance_menus", {})
    found = kept.get(key)
    if found is None:
        found = tuple(build(user, unread))
        if len(kept) >= LIMIT:
            kept.clear()
        kept[key] = found
    return found


def _build_menu(user, unread: int | None) -> list[tuple[str, str]]:
    items = [(_("首页"), url_for("main.index")), (_("承诺公示"), url_for("commitments.index"))]
    items.insert(1, (_("联盟商户"), url_for("merchants.index")))
    items.append((_("委员会决议"), url_for("committee.decisions_index")))
    if not user.is_authenticated:
        return items
    items.extend(_membership_items(user))
    items.extend(_card_items(user))
    items.extend(_order_items(user, unread))
    items.extend(_points_items(user))
    if user.has_role(Role.MERCHANT_STAFF):
        items.append((_("我的承诺"), url_for("commitments.mine")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        items.append((_("承诺审核"), url_for("commitments.review")))
        items.append((_("承诺问题反映"), url_for("commitments.reports")))
    if user.community_id:
        items.append((_("协调委员会"), url_for("committee.index")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER, Role.GRID_WORKER):
        items.append((_("应急指挥"), url_for("emergency.index")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        items.append((_("数据看板"), url_for("dashboard.index")))
        items.append((_("月度工作报表"), url_for("reports.monthly_index")))
        items.append((_("社区管理"), url_for("communities.index")))
    elif user.community_id:
        items.append((_("我的社区"), url_for("communities.detail", community_id=user.community_id)))
    items.append((_("我的账号"), url_for("accounts.me")))
    return items


def _membership_items(user) -> list[tuple[str, str]]:
    """Merchants and volunteers: my shop, my volunteer profile, the secretaries' queues."""
    items = []
    if user.has_role(Role.MERCHANT_STAFF):
        items.append((_("我的店铺"), url_for("merchants.mine")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        items.append((_("入盟审核"), url_for("merchants.review_queue")))
        items.append((_("联盟商户管理"), url_for("merchants.manage")))
        items.append((_("志愿者审核"), url_for("volunteers.queue")))
        items.append((_("志愿者名册"), url_for("volunteers.index")))
    elif user.community_id:
        items.append((_("志愿者"), url_for("volunteers.me")))
    return items


def _card_items(user) -> list[tuple[str, str]]:
    """Cards: the holder's card, the counter, the secretaries' card admin and report."""
    items = []
    if user.has_role(Role.VOLUNTEER, Role.MERCHANT_STAFF):
        items.append((_("我的卡"), url_for("cards.mine")))
    if user.has_role(Role.MERCHANT_STAFF):
        items.append((_("扫码核销"), url_for("counter.scan")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        items.append((_("卡片管理"), url_for("cards.index")))
        items.append((_("核销统计"), url_for("cards.report")))
    return items


def _order_items(user, unread: int) -> list[tuple[str, str]]:
    """Service orders: post a need, my requests, the queues, and the inbox with its unread count."""
    items = [
        (_("提需求"), url_for("help_requests.new")),
        (_("我的需求"), url_for("help_requests.mine")),
    ]
    if user.has_role(Role.MERCHANT_STAFF, Role.VOLUNTEER):
        items.append((_("我的工单"), url_for("help_requests.orders")))
    if user.has_role(Role.SECRETARY):
        items.append((_("派单"), url_for("help_requests.queue")))
    if user.has_role(Role.GRID_WORKER):
        items.append((_("我的网格"), url_for("grid.index")))
    if user.has_role(Role.STREET_OFFICER):
        items.append((_("上报"), url_for("help_requests.escalations")))
    items.append((_("三项清单"), url_for("co_building.resources")))
    label = _("收件箱（%(n)d 条未读）", n=unread) if unread else _("收件箱")
    items.append((label, url_for("notifications.index")))
    if user.has_role(Role.SECRETARY):
        items.append((_("群发通知"), url_for("notifications.broadcast")))
        items.append((_("发送记录"), url_for("notifications.outbox")))
    return items


def _points_items(user) -> list[tuple[str, str]]:
    """Volunteer activities and points: activities, my points, leaderboard, admin pages."""
    items = [(_("志愿活动"), url_for("activities.index"))]
    if user.has_role(Role.VOLUNTEER):
        items.append((_("我的积分"), url_for("points.mine")))
    items.append((_("志愿排行榜"), url_for("activities.leaderboard")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER, Role.GRID_WORKER):
        items.append((_("活动管理"), url_for("activities.manage")))
    if user.has_role(Role.SECRETARY):
        items.append((_("积分管理"), url_for("points.admin")))
    if user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        items.append((_("星级表彰"), url_for("stars.recognition")))
        items.append((_("服务记录导出"), url_for("stars.records")))
    if user.has_role(Role.MERCHANT_STAFF):
        items.append((_("积分兑换项目"), url_for("points.items")))
    return items


def _build_main_tasks(user, unread: int | None) -> list[tuple[str, str]]:
    from alliance.elder.services import main_task_endpoints

    keep = {url_for(endpoint) for endpoint in main_task_endpoints(user)}
    return [(label, href) for label, href in _build_menu(user, unread) if href in keep]
