"""Pages of the service orders: post a need, the queues, the public transparency page.
One order's page and its actions are in order_views, the catalogue in catalogue_views (the same
blueprint, from web)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.api_support import int_arg
from alliance.communities.models import Community, Estate
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.help_requests import catalogue, errors, figures, intake, queues
from alliance.help_requests.access import community_of_page, secretary_community
from alliance.help_requests.forms import RequestForm
from alliance.help_requests.models import HelpRequest
from alliance.help_requests.photos import MAX_PHOTO_BYTES, PhotoError
from alliance.help_requests.web import bp
from alliance.inputs import id_arg, parse_id
from alliance.merchants.models import Merchant, MerchantStatus

PAGE_SIZE = queues.LINES_AT_ONCE  # a page's lines are one statement

# --- helpers -------------------------------------------------------------------------------


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
    """A page of a queue built per request: its select of orders cut to their ids."""
    return _queue_page(stmt.with_only_columns(HelpRequest.id))


def _queue_page(ids, params=None):
    """A page of a select of order ids (with its bind parameters): sorted and cut on the ids
    alone, their total in the same statement, then the page's lines in a second.

    Two statements on purpose: joined with the lines in one (the ids sorted and cut in a
    subquery), PostgreSQL planned the joins over the community's whole history first, 44 ms
    against 8 ms for the two on the large district (bench/RESULTS.md, sixth session)."""
    page = db.paginate_rows(ids, params, page=int_arg("page", 1), per_page=PAGE_SIZE)
    page.items = queues.orders_for_list([row.id for row in page.items])
    return page


# --- posting a need -----------------------------------------------------------------------


def _request_form(community: Community, is_grid: bool = False) -> RequestForm:
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
    businesses = []
    if is_grid:
        from alliance.grid.services import businesses_of_worker  # the grid domain sits above

        businesses = businesses_of_worker(current_user)
    form.business_id.choices = choices(
        [("", _("不是网格内登记的商户"))] + [(str(b.id), b.name) for b in businesses]
    )
    if request.method == "GET" and request.args.get("business"):
        form.business_id.data = request.args.get("business")
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
    is_grid = current_user.has_role(Role.GRID_WORKER)
    form = _request_form(community, is_grid)
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
                business_id=_int_or_none(form.business_id.data) if is_grid else None,
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
@roles_required(Role.MERCHANT_STAFF, Role.VOLUNTEER, Role.GRID_WORKER)
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


@bp.get("/queue")
@roles_required(Role.SECRETARY, Role.GRID_WORKER)
def queue():
    # What still needs doing; "全部状态" (state=) lists finished orders too.
    filters = _filters(default_state="open")
    now = utcnow()
    from alliance.emergency.services import banner_for

    if current_user.has_role(Role.SECRETARY):
        community = secretary_community()
        heading, worker_id = _("派单"), None
    else:  # a grid worker: the orders of their grid's households and shops
        community = community_of_page()
        if community.id != current_user.community_id:
            abort(404)
        heading, worker_id = _("我的网格的工单"), current_user.id
    # The community is the person's own: its running response is the one their banner shows
    # (asked with the login, no statement of its own in normal times).
    emergency = banner_for(current_user) is not None
    page = _queue_page(
        *queues.secretary_queue(
            community.id, filters, now, emergency=emergency, worker_id=worker_id
        )
    )
    return render_template(
        "help_requests/list.html",
        page=page,
        now=now,
        heading=heading,
        endpoint="help_requests.queue",
        filters=filters,
        categories=catalogue.category_rows(community.id),
        community=community,
    )


@bp.get("/escalations")
@roles_required(Role.STREET_OFFICER)
def escalations():
    if not current_user.street_office_id:
        abort(403)
    filters = _filters()
    now = utcnow()
    wanted = id_arg("community", status=404)
    if wanted is None:
        page = _orders_page(queues.escalation_queue(current_user.street_office_id, filters, now))
        return render_template(
            "help_requests/list.html",
            page=page,
            now=now,
            heading=_("上报事项"),
            endpoint="help_requests.escalations",
            filters=filters,
            show_community=True,
        )
    # ?community=<id>: one community of the office, all its orders (the workbench's line of a
    # community's overdue orders lands here with overdue=1); the officer may open each of them.
    community = db.session.get(Community, wanted)
    if community is None or community.street_office_id != current_user.street_office_id:
        abort(404)
    page = _queue_page(*queues.secretary_queue(community.id, filters, now))
    return render_template(
        "help_requests/list.html",
        page=page,
        now=now,
        heading=_("超时工单") if filters.overdue else _("工单"),
        endpoint="help_requests.escalations",
        filters=filters,
        categories=catalogue.category_rows(community.id),
        community=community,
        community_param=community.id,
    )


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


# The rest of the blueprint's pages (imported here so that they are registered with it).
from alliance.help_requests import catalogue_views as _catalogue_views  # noqa: E402,F401,I001
from alliance.help_requests import order_views as _order_views  # noqa: E402,F401
