"""The service orders' blueprint, what answers an upload that is too large, and the one order
a page may show (404 for anyone who may not see it)."""

from flask import Blueprint, abort, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from alliance.errors import wants_json
from alliance.extensions import db
from alliance.help_requests import queues, workflow
from alliance.help_requests.models import STATE_LABELS, HelpRequest

bp = Blueprint("help_requests", __name__, url_prefix="/requests")
bp.add_app_template_global(queues.row_key, "order_row_key")


# The values of the queue's state filter, as its options list them (filter_options).
STATE_FILTERS = frozenset({"", "open", *(state.value for state in STATE_LABELS)})


@bp.app_template_global("order_filter_key")
def filter_key(filters, community_param, categories: tuple[tuple[str, str], ...]) -> tuple:
    """The key a queue's filter form is kept under: the choices as the form shows them (a state
    or category that is none of the options selects nothing, whatever it says, so it is one
    key, not one per address typed), the community's field and the category rows."""
    state = filters.state if filters.state in STATE_FILTERS else None
    known = filters.category == "" or any(code == filters.category for code, _ in categories)
    category = filters.category if known else None
    return (state, category, bool(filters.overdue), community_param or None, categories)


@bp.app_template_global("order_filter_options")
def filter_options(categories: tuple[tuple[str, str], ...] = ()) -> dict:
    """A queue's filter choices in the reader's language: the states, and the community's
    categories from their (code, stored name) rows (`catalogue.category_rows`)."""
    return {
        "states": [("", _("全部状态")), ("open", _("未办结"))]
        + [(state.value, str(label)) for state, label in STATE_LABELS.items()],
        "categories": [("", _("全部类别"))] + [(code, _(name)) for code, name in categories],
    }


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    db.session.rollback()
    message = _("上传的照片太大了：照片不能超过 5 MB，请压缩或换一张后重新提交。")
    if wants_json():
        return jsonify({"error": {"code": 413, "message": message}}), 413
    return render_template(
        "help_requests/message.html", message=message, back=url_for("help_requests.new")
    ), 413


def visible_order(order_id: int) -> HelpRequest:
    order = queues.load_order(order_id)
    if order is None or not workflow.can_see(current_user, order):
        abort(404)
    return order
