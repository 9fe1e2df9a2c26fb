"""Pages of the projects list (项目清单)."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.api_support import int_arg
from alliance.co_building import services as co_building_services
from alliance.communities.models import Community
from alliance.communities.services import community_or_404
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.help_requests import (
    catalogue,
    errors,
)
from alliance.help_requests.access import (
    community_of_page,
    secretary_community,
)
from alliance.help_requests.forms import (
    ProjectForm,
)
from alliance.help_requests.models import (
    HelpRequest,
)
from alliance.inputs import ids_from
from alliance.projects import services as projects_services
from alliance.projects.models import Project

PAGE_SIZE = 20


bp = Blueprint("projects", __name__, url_prefix="/requests")


@bp.get("/projects")
@login_required
def projects():
    community = community_of_page()
    page = _page(projects_services.projects_of([community.id]))
    return render_template(
        "projects/index.html",
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
        "projects/detail.html",
        project=project,
        can_edit=current_user.has_role(Role.SECRETARY)
        and current_user.community_id == project.community_id,
    )


def _project_form(community: Community, project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.category_code.choices = choices(
        [("", _("不限"))] + [(c.code, c.label) for c in catalogue.categories_of(community.id)]
    )
    orders = db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.community_id == community.id)
        .order_by(HelpRequest.id.desc())
        .limit(200)
    ).all()
    form.request_ids.choices = choices([(str(o.id), f"#{o.id} {o.title}") for o in orders])
    rows = [r for r in co_building_services.resources_list(community) if r.source == "resource"]
    form.resource_ids.choices = choices(
        [(str(r.id), f"{r.provider_name}：{r.title}") for r in rows]
    )
    if project is not None and request.method == "GET":
        form.request_ids.data = [str(o.id) for o in project.requests]
        form.resource_ids.data = [str(r.id) for r in project.resources]
    return form


def _save_project(community: Community, form: ProjectForm, project: Project | None):
    def ids(values):
        return ids_from(values or [], 1000)

    return projects_services.save_project(
        community,
        current_user,
        projects_services.ProjectInput(
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
    community = secretary_community()
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
            except errors.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("项目已保存。"), "success")
                return redirect(url_for("projects.project_detail", project_id=saved.id))
        status = 400
    heading = _("编辑项目") if project else _("新建项目")
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=heading,
        note=_("把需求和资源组合成一个项目，记录安排和成效。"),
    ), status


def _page(stmt):
    return db.paginate(stmt, page=int_arg("page", 1), per_page=PAGE_SIZE, error_out=False)
