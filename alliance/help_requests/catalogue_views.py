"""The service catalogue's pages: a community's categories, adding and editing one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.help_requests import catalogue, errors
from alliance.help_requests.access import community_of_page, secretary_community
from alliance.help_requests.forms import CategoryForm
from alliance.help_requests.models import ServiceCategory
from alliance.help_requests.web import bp

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
