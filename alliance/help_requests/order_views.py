"""One service order's pages: the order, its public summary, its photo, dispatching, and the
actions that move it (the ones that cannot be undone ask again first)."""

import os

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.co_building import services as co_building_services
from alliance.co_building.models import PROVIDER_LABELS
from alliance.db_types import utcnow
from alliance.errors import wants_json
from alliance.extensions import db
from alliance.help_requests import errors, figures, matching, queues, workflow
from alliance.help_requests.forms import ActionForm
from alliance.help_requests.models import HelpRequest, State
from alliance.help_requests.photos import photo_path
from alliance.help_requests.web import bp, visible_order
from alliance.inputs import parse_id

# --- one order ----------------------------------------------------------------------------


def _render_detail(order: HelpRequest, *, error: str | None = None, status: int = 200):
    roles = workflow.roles_for(current_user, order)
    actions = workflow.available_actions(current_user, order, roles)
    units = []
    if "assign_unit" in actions:
        units = co_building_services.units_of(order.community.street_office_id)
    return render_template(
        "help_requests/detail.html",
        order=order,
        roles=roles,
        actions=[a for a in actions if a not in ("dispatch", "reassign")],
        can_dispatch="dispatch" in actions,
        can_reassign="reassign" in actions,
        can_summarise=workflow.SECRETARY in roles,
        labels={a: workflow.action_label(a) for a in workflow.ACTION_LABELS},
        units=units,
        form=ActionForm(formdata=None),
        now=utcnow(),
        error=error,
    ), status


@bp.get("/<int:order_id>")
@login_required
def detail(order_id: int):
    return _render_detail(visible_order(order_id))


@bp.post("/<int:order_id>/summary")
@roles_required(Role.SECRETARY)
def summary(order_id: int):
    """The secretary writes (approves) what the public transparency page says of the order."""
    order = visible_order(order_id)
    if workflow.SECRETARY not in workflow.roles_for(current_user, order):
        abort(403)
    try:
        figures.set_public_summary(order, request.form.get("summary", ""))
    except errors.HelpRequestError as exc:
        db.session.rollback()
        return _render_detail(queues.load_order(order_id), error=str(exc.message), status=422)
    db.session.commit()
    flash(_("公开摘要已保存。") if order.public_summary else _("已不公开摘要。"), "success")
    return redirect(url_for("help_requests.detail", order_id=order.id)), 303


@bp.get("/<int:order_id>/photo")
@login_required
def photo(order_id: int):
    order = visible_order(order_id)
    path = photo_path(order.photo_name or "")
    if path is None:
        abort(404)
    mimetype = "image/png" if path.endswith(".png") else "image/jpeg"
    response = send_file(os.path.abspath(path), mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<int:order_id>/dispatch")
@roles_required(Role.SECRETARY)
def dispatch(order_id: int):
    """The candidates for an order, ranked with their reasons; search by name, skill, phone or card number, paged.
    A submitted order is dispatched from here; a dispatched one not yet accepted, reassigned."""
    order = visible_order(order_id)
    if workflow.SECRETARY not in workflow.roles_for(current_user, order):
        abort(403)
    if order.state not in (State.SUBMITTED, State.DISPATCHED):
        return _render_detail(
            order,
            error=_("这个工单当前为「%(state)s」，不需要派单。", state=order.state_label),
            status=409,
        )
    ranking = matching.ranking(
        order, query=request.args.get("q", ""), page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "help_requests/dispatch.html",
        order=order,
        ranking=ranking,
        action="dispatch" if order.state == State.SUBMITTED else "reassign",
        current_key=workflow.provider_key(order),
        kinds={k.value: str(v) for k, v in PROVIDER_LABELS.items()},
    )


def _action_input() -> dict:
    source = request.get_json(silent=True) if request.is_json else request.form
    source = source if isinstance(source, dict) or hasattr(source, "get") else {}
    raw_version = source.get("version")
    try:
        version = int(raw_version) if raw_version not in (None, "") else None
    except (TypeError, ValueError):
        version = -1
    provider = None
    kind, _sep, raw_id = str(source.get("provider") or "").partition(":")
    if kind:
        provider = workflow.Provider(kind, parse_id(raw_id) or -1)
    rating = source.get("rating")
    try:
        rating = int(rating) if rating not in (None, "") else None
    except (TypeError, ValueError):
        rating = 0
    return {
        "note": str(source.get("note") or ""),
        "expected_version": version,
        "provider": provider,
        "rating": rating,
    }


# One tap must not do what cannot be undone: these ask again on a page of their own (no script).
CONFIRMED_ACTIONS = ("dispatch", "reassign", "recall", "cancel")


def _confirm_action(order, action: str):
    fields = {
        name: request.form.get(name, "")
        for name in ("version", "provider", "note")
        if request.form.get(name) is not None
    }
    if action in ("dispatch", "reassign"):
        name = workflow.provider_name(order, _action_input()["provider"])
        if name is None:
            return _render_detail(
                queues.load_order(order.id), error=_("请选择接单方。"), status=422
            )
        title = _("确认派单") if action == "dispatch" else _("确认改派")
        lines = [
            _(
                "把工单 #%(id)d「%(title)s」派给 %(name)s？",
                id=order.id,
                title=order.title,
                name=name,
            ),
            _("对方会马上收到通知；接单前还可以改派或撤回。")
            if action == "dispatch"
            else _("原接单方 %(old)s 会收到通知，这一单不再由它办理。", old=order.provider_name),
        ]
        button = _("确认派给 %(name)s", name=name)
    elif action == "recall":
        title = _("确认撤回派单")
        lines = [
            _("撤回工单 #%(id)d「%(title)s」？", id=order.id, title=order.title),
            _("原接单方 %(old)s 会收到通知；工单回到待派单。", old=order.provider_name),
        ]
        button = _("确认撤回")
    else:
        title = _("确认撤销")
        lines = [
            _("撤销工单 #%(id)d「%(title)s」？", id=order.id, title=order.title),
            _("撤销后工单结束，不能恢复；接单方会收到通知。"),
        ]
        button = _("确认撤销工单")
    return render_template(
        "confirm.html",
        title=title,
        lines=lines,
        action=url_for("help_requests.act", order_id=order.id, action=action),
        fields=fields,
        button=button,
        back=url_for("help_requests.detail", order_id=order.id),
    )


@bp.post("/<int:order_id>/actions/<action>")
@login_required
def act(order_id: int, action: str):
    order = visible_order(order_id)
    if action not in workflow.ACTIONS:
        abort(404)
    json_call = wants_json() or request.is_json
    if (
        action in CONFIRMED_ACTIONS
        and not json_call
        and request.form.get("confirm") != "1"
        and action in workflow.available_actions(current_user, order)
    ):
        return _confirm_action(order, action)
    try:
        workflow.transition(order, action, current_user, **_action_input())
    except workflow.WorkflowError as exc:
        db.session.rollback()
        if wants_json() or request.is_json:
            return jsonify({"error": {"code": exc.status, "message": str(exc.message)}}), exc.status
        return _render_detail(
            queues.load_order(order_id), error=str(exc.message), status=exc.status
        )
    db.session.commit()
    if wants_json() or request.is_json:
        return jsonify({"id": order.id, "state": order.state, "version": order.version})
    flash(_("已%(action)s。", action=workflow.action_label(action)), "success")
    return redirect(url_for("help_requests.detail", order_id=order.id))
