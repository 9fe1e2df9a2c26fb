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
from alliance.api import tokens as api_tokens
from alliance.api.models import Open311Key
from alliance.api_support import int_arg
from alliance.communities.models import Community, Estate
from alliance.communities.services import can_administer, community_or_404
from alliance.db_types import utcnow
from alliance.errors import wants_json
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.help_requests import services, workflow
from alliance.help_requests.forms import (
    ActionForm,
    CategoryForm,
    KeyForm,
    ProjectForm,
    RequestForm,
    ResourceForm,
    UnitForm,
)
from alliance.help_requests.models import (
    PROVIDER_LABELS,
    STATE_LABELS,
    CoBuildingUnit,
    HelpRequest,
    Project,
    ServiceCategory,
    State,
)
from alliance.help_requests.photos import MAX_PHOTO_BYTES, PhotoError, photo_path
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


def _community() -> Community:
    """The community a page is about: ?community=<id> for street officers, else the user's."""
    wanted = request.args.get("community", type=int)
    if wanted:
        return community_or_404(current_user, wanted)
    if current_user.community_id:
        return community_or_404(current_user, current_user.community_id)
    if current_user.street_office_id:
        community = db.session.scalars(
            select(Community)
            .where(Community.street_office_id == current_user.street_office_id)
            .order_by(Community.id)
            .limit(1)
        ).first()
        if community is not None:
            return community
    abort(404)


def _administered() -> Community:
    community = _community()
    if not can_administer(current_user, community):
        abort(403)
    return community


def _secretary_community() -> Community:
    community = _community()
    if not (current_user.has_role(Role.SECRETARY) and current_user.community_id == community.id):
        abort(403)
    return community


def _visible_order(order_id: int) -> HelpRequest:
    order = services.load_order(order_id)
    if order is None or not workflow.can_see(current_user, order):
        abort(404)
    return order


def _filters(default_state: str = "") -> services.QueueFilters:
    """Filters from the query string; `default_state` when the page is opened without any."""
    return services.QueueFilters(
        state=request.args.get("state", default_state),
        category=request.args.get("category", ""),
        overdue=request.args.get("overdue") == "1",
    )


def _page(stmt):
    return db.paginate(stmt, page=int_arg("page", 1), per_page=PAGE_SIZE, error_out=False)


def _orders_page(stmt):
    """A page of a queue: sorted and cut on the ids alone, then the page's orders loaded."""
    page = _page(stmt.with_only_columns(HelpRequest.id))
    page.items = services.orders_for_list(page.items)
    return page


# --- posting a need -----------------------------------------------------------------------


def _request_form(community: Community) -> RequestForm:
    form = RequestForm()
    form.category_id.choices = choices(
        [("", _("请选择"))] + [(str(c.id), c.name) for c in services.categories_of(community.id)]
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
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # an id that exists nowhere: the service answers with a clear message


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    community = _community()
    form = _request_form(community)
    is_grid = current_user.has_role(Role.GRID_WORKER)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            photo = None
            upload = form.photo.data
            if upload and getattr(upload, "filename", ""):
                photo = upload.read(MAX_PHOTO_BYTES + 1)
            data = services.RequestInput(
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
                    order = services.submit_request(community, current_user, data)
                except PhotoError as exc:
                    db.session.rollback()
                    form.photo.errors = [exc.message]
                except services.HelpRequestError as exc:
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
    page = _orders_page(services.requester_queue(current_user))
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
    page = _orders_page(services.provider_queue(current_user))
    return render_template(
        "help_requests/list.html",
        page=page,
        now=utcnow(),
        heading=_("我的工单"),
        endpoint="help_requests.orders",
        filters=None,
    )


def _filter_choices(community_id=None):
    categories = services.categories_of(community_id, active_only=False) if community_id else []
    return {
        "states": [("", _("全部状态")), ("open", _("未办结"))]
        + [(s.value, str(label)) for s, label in STATE_LABELS.items()],
        "categories": [("", _("全部类别"))] + [(c.code, c.name) for c in categories],
    }


@bp.get("/queue")
@roles_required(Role.SECRETARY)
def queue():
    community = _secretary_community()
    # What still needs doing; "全部状态" (state=) lists finished orders too.
    filters = _filters(default_state="open")
    now = utcnow()
    page = _orders_page(services.secretary_queue(community.id, filters, now))
    return render_template(
        "help_requests/list.html",
        page=page,
        now=now,
        heading=_("派单"),
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
    page = _orders_page(services.escalation_queue(current_user.street_office_id, filters, now))
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
        units = services.units_of(order.community.street_office_id)
    return render_template(
        "help_requests/detail.html",
        order=order,
        roles=roles,
        actions=[a for a in actions if a != "dispatch"],
        can_dispatch="dispatch" in actions,
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
    order = _visible_order(order_id)
    if workflow.SECRETARY not in workflow.roles_for(current_user, order):
        abort(403)
    if order.state != State.SUBMITTED:
        return _render_detail(
            order,
            error=_("这个工单当前为「%(state)s」，不需要派单。", state=order.state_label),
            status=409,
        )
    candidates = services.rank_providers(order)
    return render_template(
        "help_requests/dispatch.html",
        order=order,
        candidates=candidates,
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
        provider = workflow.Provider(kind, int(raw_id) if raw_id.isdigit() else -1)
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


@bp.post("/<int:order_id>/actions/<action>")
@login_required
def act(order_id: int, action: str):
    order = _visible_order(order_id)
    if action not in workflow.ACTIONS:
        abort(404)
    try:
        workflow.transition(order, action, current_user, **_action_input())
    except workflow.WorkflowError as exc:
        db.session.rollback()
        if wants_json() or request.is_json:
            return jsonify({"error": {"code": exc.status, "message": exc.message}}), exc.status
        return _render_detail(services.load_order(order_id), error=exc.message, status=exc.status)
    db.session.commit()
    if wants_json() or request.is_json:
        return jsonify({"id": order.id, "state": order.state, "version": order.version})
    flash(_("已%(action)s。", action=workflow.action_label(action)), "success")
    return redirect(url_for("help_requests.detail", order_id=order.id))


# --- public transparency ------------------------------------------------------------------


@bp.get("/transparency")
def transparency():
    recent = services.recent_public()
    return render_template(
        "help_requests/transparency.html",
        recent=[
            {
                "category": o.category.name,
                "title": services.public_title(o.title),
                "state": o.state_label,
                "estate": o.estate.name if o.estate else "",
                "community": o.community.name,
                "month": o.submitted_month,
            }
            for o in recent
        ],
        figures=services.monthly_figures(),
    )


# --- the catalogue ------------------------------------------------------------------------


def _category_input(form: CategoryForm) -> services.CategoryInput:
    return services.CategoryInput(
        code=form.code.data or "",
        name=form.name.data,
        description=form.description.data or "",
        group=form.group.data or "",
        keywords=form.keywords.data or "",
        limit_normal_hours=form.limit_normal_hours.data,
        limit_urgent_hours=form.limit_urgent_hours.data,
        limit_emergency_hours=form.limit_emergency_hours.data,
        active=form.active.data,
    )


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def categories():
    community = _community()
    can_edit = current_user.has_role(Role.SECRETARY) and current_user.community_id == community.id
    form = CategoryForm()
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            try:
                services.create_category(community, _category_input(form))
            except services.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已添加服务类别。"), "success")
                return redirect(url_for("help_requests.categories"))
        status = 400
    return render_template(
        "help_requests/categories.html",
        community=community,
        categories=services.categories_of(community.id, active_only=False),
        form=form,
        can_edit=can_edit,
    ), status


@bp.post("/categories/defaults")
@roles_required(Role.SECRETARY)
def categories_defaults():
    community = _secretary_community()
    services.ensure_catalogue(community)
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
                services.update_category(category, _category_input(form))
            except services.HelpRequestError as exc:
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


def _unit_input(form: UnitForm) -> services.UnitInput:
    return services.UnitInput(
        name=form.name.data,
        kind=form.kind.data or "",
        services=form.services.data or "",
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        active=form.active.data,
    )


def _office_id() -> int:
    if current_user.has_role(Role.STREET_OFFICER) and current_user.street_office_id:
        return current_user.street_office_id
    if current_user.has_role(Role.SECRETARY) and current_user.community is not None:
        return current_user.community.street_office_id
    abort(403)


@bp.route("/units", methods=["GET", "POST"])
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def units():
    office_id = _office_id()
    can_edit = current_user.has_role(Role.STREET_OFFICER)
    form = UnitForm()
    status = 200
    if request.method == "POST":
        if not can_edit:
            abort(403)
        if form.validate_on_submit():
            try:
                services.save_unit(office_id, _unit_input(form))
            except services.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已登记共建单位。"), "success")
                return redirect(url_for("help_requests.units"))
        status = 400
    return render_template(
        "help_requests/units.html",
        form=form,
        can_edit=can_edit,
        units=services.units_of(office_id, active_only=False),
    ), status


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required(Role.STREET_OFFICER)
def unit_edit(unit_id: int):
    unit = db.session.get(CoBuildingUnit, unit_id)
    if unit is None or unit.street_office_id != current_user.street_office_id:
        abort(404)
    form = UnitForm(obj=unit)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.save_unit(unit.street_office_id, _unit_input(form), unit)
            except services.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已保存。"), "success")
                return redirect(url_for("help_requests.units"))
        status = 400
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=_("编辑共建单位：%(name)s", name=unit.name),
        note="",
    ), status


# --- resources ----------------------------------------------------------------------------


@bp.get("/resources")
@login_required
def resources():
    community = _community()
    category = request.args.get("category", "")
    rows = services.resources_list(community, category or None)
    categories_ = services.categories_of(community.id, active_only=False)
    return render_template(
        "help_requests/resources.html",
        community=community,
        rows=rows,
        names={c.code: c.name for c in categories_},
        category=category,
        kinds={k.value: str(v) for k, v in PROVIDER_LABELS.items()},
        can_add=can_administer(current_user, community),
        options=_filter_choices(community.id)["categories"],
    )


@bp.route("/resources/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def resource_new():
    community = _administered()
    form = ResourceForm()
    providers = [("", _("请选择"))]
    providers += [
        (f"merchant:{m.id}", _("联盟商户：%(name)s", name=m.name))
        for m in db.session.scalars(
            select(Merchant)
            .where(Merchant.community_id == community.id, Merchant.status == MerchantStatus.ACTIVE)
            .order_by(Merchant.number)
        )
    ]
    if current_user.has_role(Role.STREET_OFFICER):
        providers += [
            (f"unit:{u.id}", _("共建单位：%(name)s", name=u.name))
            for u in services.units_of(community.street_office_id)
        ]
    providers.append(("team", _("志愿服务队")))
    form.provider.choices = choices(providers)
    form.category_code.choices = choices(
        [("", _("请选择"))] + [(c.code, c.name) for c in services.categories_of(community.id)]
    )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_resource(
                    community,
                    current_user,
                    services.ResourceInput(
                        provider=form.provider.data,
                        category_code=form.category_code.data,
                        title=form.title.data,
                        details=form.details.data or "",
                        capacity=form.capacity.data or "",
                        team_name=form.team_name.data or "",
                    ),
                )
            except services.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已登记资源。"), "success")
                return redirect(url_for("help_requests.resources", community=community.id))
        status = 400
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=_("登记资源：%(name)s", name=community.name),
        note=_("联盟商户公示的服务承诺会自动列入资源清单。"),
    ), status


# --- projects -----------------------------------------------------------------------------


@bp.get("/projects")
@login_required
def projects():
    community = _community()
    page = _page(services.projects_of([community.id]))
    return render_template(
        "help_requests/projects.html",
        page=page,
        community=community,
        can_add=current_user.has_role(Role.SECRETARY) and current_user.community_id == community.id,
    )


def _project_or_404(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    community_or_404(current_user, project.community_id)
    return project


@bp.get("/projects/<int:project_id>")
@login_required
def project_detail(project_id: int):
    project = _project_or_404(project_id)
    return render_template(
        "help_requests/project_detail.html",
        project=project,
        can_edit=current_user.has_role(Role.SECRETARY)
        and current_user.community_id == project.community_id,
    )


def _project_form(community: Community, project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.category_code.choices = choices(
        [("", _("不限"))] + [(c.code, c.name) for c in services.categories_of(community.id)]
    )
    orders = db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.community_id == community.id)
        .order_by(HelpRequest.id.desc())
        .limit(200)
    ).all()
    form.request_ids.choices = choices([(str(o.id), f"#{o.id} {o.title}") for o in orders])
    rows = [r for r in services.resources_list(community) if r.source == "resource"]
    form.resource_ids.choices = choices(
        [(str(r.id), f"{r.provider_name}：{r.title}") for r in rows]
    )
    if project is not None and request.method == "GET":
        form.request_ids.data = [str(o.id) for o in project.requests]
        form.resource_ids.data = [str(r.id) for r in project.resources]
    return form


def _save_project(community: Community, form: ProjectForm, project: Project | None):
    def ids(values):
        return [int(v) for v in values or [] if str(v).isdigit()]

    return services.save_project(
        community,
        current_user,
        services.ProjectInput(
            title=form.title.data,
            summary=form.summary.data or "",
            schedule=form.schedule.data or "",
            outcome=form.outcome.data or "",
            status=form.status.data,
            category_code=form.category_code.data or "",
            request_ids=ids(form.request_ids.data),
            resource_ids=ids(form.resource_ids.data),
        ),
        project,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def project_new():
    community = _secretary_community()
    return _project_page(community, None)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def project_edit(project_id: int):
    project = _project_or_404(project_id)
    if project.community_id != current_user.community_id:
        abort(404)
    return _project_page(
        project.community_id and db.session.get(Community, project.community_id), project
    )


def _project_page(community: Community, project: Project | None):
    form = _project_form(community, project)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                saved = _save_project(community, form, project)
            except services.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("项目已保存。"), "success")
                return redirect(url_for("help_requests.project_detail", project_id=saved.id))
        status = 400
    heading = _("编辑项目") if project else _("新建项目")
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=heading,
        note=_("把需求和资源组合成一个项目，记录安排和成效。"),
    ), status


# --- Open311 keys -------------------------------------------------------------------------


@bp.route("/keys", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def keys():
    community = _secretary_community()
    form = KeyForm()
    raw = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _key, raw = api_tokens.issue_key(community, current_user, form.name.data)
            except api_tokens.ApiTokenError as exc:
                rollback_and_report(exc, form)
                status = 400
            else:
                db.session.commit()
                form = KeyForm(formdata=None)
        else:
            status = 400
    rows = db.session.scalars(
        select(Open311Key)
        .where(Open311Key.community_id == community.id)
        .order_by(Open311Key.id.desc())
    ).all()
    response = render_template(
        "help_requests/keys.html", form=form, keys=rows, raw=raw, community=community
    )
    headers = {"Cache-Control": "no-store"} if raw else {}
    return response, status, headers


@bp.post("/keys/<int:key_id>/revoke")
@roles_required(Role.SECRETARY)
def key_revoke(key_id: int):
    key = db.session.get(Open311Key, key_id)
    if key is None or key.community_id != current_user.community_id:
        abort(404)
    api_tokens.revoke_key(key)
    db.session.commit()
    flash(_("密钥已停用。"), "success")
    return redirect(url_for("help_requests.keys"))
