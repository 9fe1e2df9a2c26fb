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


def _page(form: VisitForm, status: int = 200):
    grids = services.grids_of(current_user)
    return render_template("grid/index.html", views=services.grid_views(grids), form=form), status


@bp.get("/")
@roles_required(Role.GRID_WORKER)
def index():
    form = VisitForm(formdata=None)
    form.visited_on.data = local_today()
    return _page(form)


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
