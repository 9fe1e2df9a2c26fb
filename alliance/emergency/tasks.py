"""What each role must do now while a response runs: the home page and /emergency/ list it."""

from flask import url_for
from flask_babel import gettext as _

from alliance.accounts.models import Role
from alliance.emergency import services

CONSOLE_ROLES = (Role.SECRETARY, Role.STREET_OFFICER, Role.GRID_WORKER)


def tasks_for(user) -> list[tuple[str, str]]:
    """What this person must do now, by role (the home page and /emergency/ show it)."""
    tasks = []
    if user.has_role(*CONSOLE_ROLES):
        tasks.append((_("应急指挥"), url_for("emergency.index")))
    if user.has_role(Role.SECRETARY):
        tasks.append((_("派单：应急求助排在最前"), url_for("help_requests.queue")))
        tasks.append((_("群发通知"), url_for("notifications.broadcast")))
    if user.has_role(Role.STREET_OFFICER):
        tasks.append((_("上报"), url_for("help_requests.escalations")))
    if user.has_role(Role.GRID_WORKER):
        tasks.append((_("代居民求助"), url_for("help_requests.new")))
    if user.has_role(Role.VOLUNTEER, Role.MERCHANT_STAFF):
        tasks.append((_("我的卡：集合点报到时出示"), url_for("cards.mine")))
        tasks.append((_("亮明党员身份"), url_for("emergency.party")))
    if user.community_id and not user.has_role(Role.SECRETARY):
        tasks.append((_("我需要帮助"), url_for("help_requests.new")))
    tasks.append((_("收件箱：预警和集结令"), url_for("notifications.index")))
    return tasks


def home_tasks(user) -> list[tuple[str, str]]:
    """The home page's "what to do now" while a response covers the person; [] otherwise."""
    if not user.is_authenticated or services.banner_for(user) is None:
        return []
    return tasks_for(user)
