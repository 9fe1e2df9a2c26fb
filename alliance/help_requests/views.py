"""Pages of the service orders: post a need, the queues, an order's life, the three lists."""

import os

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.api_support import int_arg
from alliance.co_building import services as co_building_services
from alliance.co_building.models import PROVIDER_LABELS
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.errors import wants_json
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.help_requests import (
    catalogue,
    errors,
    figures,
    intake,
    matching,
    queues,
    workflow,
)
from alliance.help_requests.access import (
    community_of_page,
    secretary_community,
)
from alliance.help_requests.forms import (
    ActionForm,
    CategoryForm,
    RequestForm,
)
from alliance.help_requests.models import (
    STATE_LABELS,
    HelpRequest,
    ServiceCategory,
    State,
)
from alliance.help_requests.photos import MAX_PHOTO_BYTES, PhotoError, photo_path
from alliance.inputs import parse_id
from alliance.merchants.models import Merchant, MerchantStatus

bp = Blueprint("help_requests", __name__, url_prefix="/requests")

PAGE_SIZE = 20


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    db.session.rollback()
    message = _("上传的照片太大了：照片不能超过 5 MB，请压缩或换一张后重新提交。")
    if wants_json():
        return jsonify({"error": {"code": 413, "message": message}}), 413
    return render_template(
        "help_requests/message.html", message=message, back=url_for("help_requests.new")
    ), 413


# --- helpers -------------------------------------------------------------------------------


def _visible_order(order_id: int) -> HelpRequest:
    order = queues.load_order(order_id)
    if order is None or not workflow.can_see(current_user, order):
        abort(404)
    return order


def _filters(default_state: str = "") -> queues.QueueFilters:
    """Filters from the query string; `default_state` when the page is opened without any."""
    return queues.QueueFilters(
        state=request.args.get("state", default_state),
        category=request.args.get("category", ""),
        overdue=request.args.get("overdue") == "1",
    )


def _page(stmt):
    return db.paginate(stmt, page=int_arg("page", 1), per_page=PAGE_SIZE, error_out=False)


def _orders_page(stmt):
    """A page of a queue: sorted and cut on the ids alone, then the page's orders loaded."""
    page = _page(stmt.with_only_columns(HelpRequest.id))
    page.items = queues.orders_for_list(page.items)
    return page


# --- posting a need -----------------------------------------------------------------------


def _request_form(community: Community) -> RequestForm:
    form = RequestForm()
    form.category_id.choices = choices(
        [("", _("请选择"))] + [(str(c.id), c.label) for c in catalogue.categories_of(community.id)]
    )
    estates = db.session.scalars(
        select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
    ).all()
    form.estate_id.choices = choices(
        [("", _("不在小区内"))] + [(str(e.id), e.name) for e in estates]
    )
    shops = db.session.scalars(
        select(Merchant)
        .where(Merchant.community_id == community.id, Merchant.status == MerchantStatus.ACTIVE)
        .order_by(Merchant.number)
    ).all()
    form.shop_id.choices = choices([("", _("不是商户门店"))] + [(str(m.id), m.name) for m in shops])
    return form


def _int_or_none(value):
    if value in (None, ""):
        return None
    # An id that exists nowhere (-1) when it is no id: the service answers with a clear message.
    found = parse_id(value)
    return -1 if found is None else found


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    community = community_of_page()
    form = _request_form(community)
    is_grid = current_user.has_role(Role.GRID_WORKER)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            photo = None
            upload = form.photo.data
            if upload and getattr(upload, "filename", ""):
                photo = upload.read(MAX_PHOTO_BYTES + 1)
            data = intake.RequestInput(
                category_id=_int_or_none(form.category_id.data),
                title=form.title.data,
                description=form.description.data or "",
                estate_id=_int_or_none(form.estate_id.data),
                building=form.building.data or "",
                shop_id=_int_or_none(form.shop_id.data),
                urgency=form.urgency.data,
                contact_method=form.contact_method.data,
                contact_phone=form.contact_phone.data or "",
                contact_name=current_user.display_name,
                on_behalf_name=(form.on_behalf_name.data or "") if is_grid else "",
                on_behalf_phone=(form.on_behalf_phone.data or "") if is_grid else "",
                photo=photo,
            )
            if not is_grid and (form.on_behalf_name.data or form.on_behalf_phone.data):
                flash(_("只有网格员可以代居民提交需求。"), "danger")
            else:
                try:
                    order = intake.submit_request(community, current_user, data)
                except PhotoError as exc:
                    db.session.rollback()
                    form.photo.errors = [str(exc.message)]
                except errors.HelpRequestError as exc:
                    rollback_and_report(exc, form)
                else:
                    db.session.commit()
                    flash(_("需求已提交，社区会尽快派单。"), "success")
                    return redirect(url_for("help_requests.detail", order_id=order.id))
        status = 400
    return render_template(
        "help_requests/new.html", form=form, community=community, is_grid=is_grid
    ), status


# --- queues -------------------------------------------------------------------------------


@bp.get("/mine")
@login_required
def mine():
    page = _orders_page(queues.requester_queue(current_user))
    return render_template(
        "help_requests/list.html",
        page=page,
        now=utcnow(),
        heading=_("我的需求"),
        endpoint="help_requests.mine",
        filters=None,
    )


@bp.get("/orders")
@roles_required(Role.MERCHANT_STAFF, Role.VOLUNTEER)
def orders():
    page = _orders_page(queues.provider_queue(current_user))
    return render_template(
        "help_requests/list.html",
        page=page,
        now=utcnow(),
        heading=_("我的工单"),
        endpoint="help_requests.orders",
        filters=None,
    )


def _filter_choices(community_id=None):
    categories = catalogue.categories_of(community_id, active_only=False) if community_id else []
    return {
        "states": [("", _("全部状态")), ("open", _("未办结"))]
        + [(s.value, str(label)) for s, label in STATE_LABELS.items()],
        "categories": [("", _("全部类别"))] + [(c.code, c.label) for c in categories],
    }


@bp.get("/queue")
@roles_required(Role.SECRETARY, Role.GRID_WORKER)
def queue():
    # What still needs doing; "全部状态" (state=) lists finished orders too.
    filters = _filters(default_state="open")
    now = utcnow()
    from alliance.emergency.services import is_running_in

    if current_user.has_role(Role.SECRETARY):
        community = secretary_community()
        stmt = queues.secretary_queue(
            community.id, filters, now, emergency=is_running_in(community)
        )
        heading = _("派单")
    else:  # a grid worker: the orders of their grid's households and shops
        community = community_of_page()
        if community.id != current_user.community_id:
            abort(404)
        stmt = queues.secretary_queue(
            community.id, filters, now, emergency=is_running_in(community)
        ).where(queues.in_grids_of(current_user.id))
        heading = _("我的网格的工单")
    page = _orders_page(stmt)
    return render_template(
        "help_requests/list.html",
        page=page,
        now=now,
        heading=heading,
        endpoint="help_requests.queue",
        filters=filters,
        options=_filter_choices(community.id),
        community=community,
    )


@bp.get("/escalations")
@roles_required(Role.STREET_OFFICER)
def escalations():
    if not current_user.street_office_id:
        abort(403)
    filters = _filters()
    now = utcnow()
    page = _orders_page(queues.escalation_queue(current_user.street_office_id, filters, now))
    return render_template(
        "help_requests/list.html",
        page=page,
        now=now,
        heading=_("上报事项"),
        endpoint="help_requests.escalations",
        filters=filters,
        options=_filter_choices(),
        show_community=True,
    )


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
    return _render_detail(_visible_order(order_id))


@bp.post("/<int:order_id>/summary")
@roles_required(Role.SECRETARY)
def summary(order_id: int):
    """The secretary writes (approves) what the public transparency page says of the order."""
    order = _visible_order(order_id)
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
    order = _visible_order(order_id)
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
    """The candidates for an order, ranked with their reasons; search by name or skill, paged.
    A submitted order is dispatched from here; a dispatched one not yet accepted, reassigned."""
    order = _visible_order(order_id)
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
    order = _visible_order(order_id)
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


# --- public transparency ------------------------------------------------------------------


@bp.get("/transparency")
def transparency():
    recent = figures.recent_public()
    return render_template(
        "help_requests/transparency.html",
        recent=[
            {
                "category": o.category.label,
                "summary": figures.public_summary(o),
                "state": o.state_label,
                "estate": o.estate.name if o.estate else "",
                "community": o.community.name,
                "month": o.submitted_month,
            }
            for o in recent
        ],
        figures=figures.monthly_figures(),
    )


# --- the catalogue ------------------------------------------------------------------------


def _category_input(form: CategoryForm) -> catalogue.CategoryInput:
    return catalogue.CategoryInput(
        code=form.code.data or "",
        name=form.name.data,
        description=form.description.data or "",
        group=form.group.data or "",
        keywords=form.keywords.data or "",
        match_skills=form.match_skills.data or "",
        match_services=form.match_services.data or "",
        limit_normal_hours=form.limit_normal_hours.data,
        limit_urgent_hours=form.limit_urgent_hours.data,
        limit_emergency_hours=form.limit_emergency_hours.data,
        active=form.active.data,
    )


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def categories():
    community = community_of_page()
    can_edit = current_user.has_role(Role.SECRETARY) and current_user.community_id == community.id
    form = CategoryForm()
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            try:
                catalogue.create_category(community, _category_input(form))
            except errors.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已添加服务类别。"), "success")
                return redirect(url_for("help_requests.categories"))
        status = 400
    return render_template(
        "help_requests/categories.html",
        community=community,
        categories=catalogue.categories_of(community.id, active_only=False),
        form=form,
        can_edit=can_edit,
    ), status


@bp.post("/categories/defaults")
@roles_required(Role.SECRETARY)
def categories_defaults():
    community = secretary_community()
    catalogue.ensure_catalogue(community)
    db.session.commit()
    flash(_("已补齐标准服务类别。"), "success")
    return redirect(url_for("help_requests.categories"))


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def category_edit(category_id: int):
    category = db.session.get(ServiceCategory, category_id)
    if category is None or category.community_id != current_user.community_id:
        abort(404)
    form = CategoryForm(obj=category)
    status = 200
    if request.method == "POST":
        form.code.data = category.code
        if form.validate_on_submit():
            try:
                catalogue.update_category(category, _category_input(form))
            except errors.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已保存。"), "success")
                return redirect(url_for("help_requests.categories"))
        status = 400
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=_("编辑服务类别：%(name)s", name=category.name),
        note=_("编码 %(code)s 不可修改。", code=category.code),
    ), status


# --- co-building units --------------------------------------------------------------------


# --- resources ----------------------------------------------------------------------------


# --- projects -----------------------------------------------------------------------------


# --- Open311 keys -------------------------------------------------------------------------
