"""/grid/: the grid worker's grid and visits."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.communities.models import Grid
from alliance.extensions import db
from alliance.formkit import save_form
from alliance.grid import services
from alliance.grid.forms import VisitForm

bp = Blueprint("grid", __name__, url_prefix="/grid")


def _visit_form() -> VisitForm:
    form = VisitForm(formdata=None)
    form.visited_on.data = local_today()
    return form


def _page(form: VisitForm, status: int = 200):
    grids = services.grids_of(current_user)
    return render_template(
        "grid/index.html",
        views=services.grid_views(grids, current_user),
        form=form,
        records_visits=True,
    ), status


@bp.get("/")
@roles_required(Role.GRID_WORKER)
def index():
    return _page(_visit_form())


@bp.get("/<int:grid_id>")
@roles_required(Role.GRID_WORKER, Role.SECRETARY)
def detail(grid_id: int):
    """One grid as its worker sees it; the community's secretary sees the same, without the
    visit form (visits are the grid worker's record)."""
    grid = services.grid_for(current_user, grid_id)
    if grid is None:
        abort(404)
    own = grid.worker_id == current_user.id
    return render_template(
        "grid/index.html",
        views=services.grid_views([grid], current_user),
        form=_visit_form() if own else None,
        records_visits=own,
        single=grid,
    )


@bp.post("/<int:grid_id>/visits")
@roles_required(Role.GRID_WORKER)
def visit(grid_id: int):
    grid = db.session.get(Grid, grid_id)
    if grid is None or grid.worker_id != current_user.id:
        abort(404)
    form = VisitForm()
    saved = save_form(
        form,
        lambda: services.record_visit(
            grid, current_user, form.visited_on.data, form.place.data, form.note.data
        ),
        message=_("走访已记录。"),
    )
    if saved is None:
        return _page(form, 422)
    return redirect(url_for("grid.index"), 303)
