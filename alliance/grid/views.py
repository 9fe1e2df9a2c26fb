"""/grid/: the grid worker's grid, visits and register of non-member businesses."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.communities.models import Grid
from alliance.extensions import db
from alliance.formkit import choices, save_form
from alliance.grid import services
from alliance.grid.forms import BusinessForm, PlaceShopForm, VisitForm
from alliance.inputs import parse_id

bp = Blueprint("grid", __name__, url_prefix="/grid")


def _visit_form() -> VisitForm:
    form = VisitForm(formdata=None)
    form.visited_on.data = local_today()
    return form


def _page(form: VisitForm | None = None, business_form: BusinessForm | None = None, status=200):
    grids = services.grids_of(current_user)
    return render_template(
        "grid/index.html",
        views=services.grid_views(grids, current_user),
        form=form or _visit_form(),
        business_form=business_form or BusinessForm(formdata=None),
        records_visits=True,
    ), status


@bp.get("/")
@roles_required(Role.GRID_WORKER)
def index():
    return _page()


def _place_form(grid: Grid, *, submitted: bool = False) -> PlaceShopForm:
    form = PlaceShopForm() if submitted else PlaceShopForm(formdata=None)
    form.merchant_id.choices = choices(
        [("", _("请选择"))] + [(str(m.id), m.name) for m in services.shops_to_place(grid)]
    )
    return form


@bp.get("/<int:grid_id>")
@roles_required(Role.GRID_WORKER, Role.SECRETARY)
def detail(grid_id: int):
    """One grid as its worker sees it; the community's secretary sees the same, without the
    visit and register forms (the grid worker's record) but with the form that puts a member
    shop into the grid."""
    grid = services.grid_for(current_user, grid_id)
    if grid is None:
        abort(404)
    own = grid.worker_id == current_user.id
    return render_template(
        "grid/index.html",
        views=services.grid_views([grid], current_user),
        form=_visit_form() if own else None,
        business_form=BusinessForm(formdata=None) if own else None,
        place_form=_place_form(grid) if not own else None,
        records_visits=own,
        single=grid,
    )


def _own_grid_or_404(grid_id: int) -> Grid:
    grid = db.session.get(Grid, grid_id)
    if grid is None or grid.worker_id != current_user.id:
        abort(404)
    return grid


@bp.post("/<int:grid_id>/visits")
@roles_required(Role.GRID_WORKER)
def visit(grid_id: int):
    grid = _own_grid_or_404(grid_id)
    form = VisitForm()
    saved = save_form(
        form,
        lambda: services.record_visit(
            grid, current_user, form.visited_on.data, form.place.data, form.note.data
        ),
        message=_("走访已记录。"),
    )
    if saved is None:
        return _page(form=form, status=422)
    return redirect(url_for("grid.index"), 303)


def _business_input(form: BusinessForm) -> services.BusinessInput:
    return services.BusinessInput(
        name=form.name.data or "",
        kind=form.kind.data or "",
        address=form.address.data or "",
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
    )


@bp.post("/<int:grid_id>/businesses")
@roles_required(Role.GRID_WORKER)
def add_business(grid_id: int):
    """The grid worker registers a business of the grid that is not an alliance member."""
    grid = _own_grid_or_404(grid_id)
    form = BusinessForm()
    saved = save_form(
        form,
        lambda: services.add_business(grid, current_user, _business_input(form)),
        message=_("商户已登记。"),
    )
    if saved is None:
        return _page(business_form=form, status=422)
    return redirect(url_for("grid.index", _anchor=f"grid-{grid.id}"), 303)


@bp.route("/businesses/<int:business_id>", methods=["GET", "POST"])
@roles_required(Role.GRID_WORKER)
def edit_business(business_id: int):
    business = services.own_business(current_user, business_id)
    if business is None or not business.active:
        abort(404)
    form = BusinessForm(obj=business)
    saved = save_form(
        form,
        lambda: services.edit_business(business, current_user, _business_input(form)),
        message=_("商户信息已保存。"),
    )
    if saved is not None:
        return redirect(url_for("grid.index"), 303)
    return render_template("grid/business.html", business=business, form=form)


@bp.post("/businesses/<int:business_id>/retire")
@roles_required(Role.GRID_WORKER)
def retire_business(business_id: int):
    """Off the grid's list (closed or moved away); the orders that name it keep it."""
    business = services.own_business(current_user, business_id)
    if business is None or not business.active:
        abort(404)
    services.retire_business(business, current_user)
    db.session.commit()
    return redirect(url_for("grid.index"), 303)


@bp.post("/<int:grid_id>/shops")
@roles_required(Role.SECRETARY)
def place_shop(grid_id: int):
    """The secretary puts a member shop into this grid (an estate of several grids)."""
    grid = services.grid_for(current_user, grid_id)
    if grid is None:
        abort(404)
    form = _place_form(grid, submitted=True)
    saved = save_form(
        form,
        lambda: services.place_shop(grid, current_user, _int(form.merchant_id.data)),
        message=_("商户已划入本网格。"),
    )
    if saved is None:
        return render_template(
            "grid/index.html",
            views=services.grid_views([grid], current_user),
            form=None,
            business_form=None,
            place_form=form,
            records_visits=False,
            single=grid,
        ), 422
    return redirect(url_for("grid.detail", grid_id=grid.id), 303)


def _int(value) -> int | None:
    return parse_id(value) if value else None
