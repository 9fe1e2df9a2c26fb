"""Pages of the co-building units (共建单位) and the resources list (资源清单)."""

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
from alliance.co_building import services as co_building_services
from alliance.co_building.models import PROVIDER_LABELS, CoBuildingUnit
from alliance.communities.services import can_administer
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.help_requests import (
    catalogue,
    errors,
)
from alliance.help_requests.access import (
    administered_community,
    community_of_page,
)
from alliance.help_requests.forms import (
    ResourceForm,
    UnitForm,
)
from alliance.merchants.models import Merchant, MerchantStatus

bp = Blueprint("co_building", __name__, url_prefix="/requests")


def _unit_input(form: UnitForm) -> co_building_services.UnitInput:
    return co_building_services.UnitInput(
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
                co_building_services.save_unit(office_id, _unit_input(form))
            except errors.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已登记共建单位。"), "success")
                return redirect(url_for("co_building.units"))
        status = 400
    return render_template(
        "co_building/units.html",
        form=form,
        can_edit=can_edit,
        units=co_building_services.units_of(office_id, active_only=False),
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
                co_building_services.save_unit(unit.street_office_id, _unit_input(form), unit)
            except errors.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已保存。"), "success")
                return redirect(url_for("co_building.units"))
        status = 400
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=_("编辑共建单位：%(name)s", name=unit.name),
        note="",
    ), status


@bp.get("/resources")
@login_required
def resources():
    community = community_of_page()
    category = request.args.get("category", "")
    rows = co_building_services.resources_list(community, category or None)
    categories_ = catalogue.categories_of(community.id, active_only=False)
    return render_template(
        "co_building/resources.html",
        community=community,
        rows=rows,
        names={c.code: c.label for c in categories_},
        category=category,
        kinds={k.value: str(v) for k, v in PROVIDER_LABELS.items()},
        can_add=can_administer(current_user, community),
        options=[("", _("全部类别"))]
        + [(c.code, c.label) for c in catalogue.categories_of(community.id, active_only=False)],
    )


@bp.route("/resources/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY, Role.STREET_OFFICER)
def resource_new():
    community = administered_community()
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
            for u in co_building_services.units_of(community.street_office_id)
        ]
    providers.append(("team", _("志愿服务队")))
    form.provider.choices = choices(providers)
    form.category_code.choices = choices(
        [("", _("请选择"))] + [(c.code, c.label) for c in catalogue.categories_of(community.id)]
    )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                co_building_services.create_resource(
                    community,
                    current_user,
                    co_building_services.ResourceInput(
                        provider=form.provider.data,
                        category_code=form.category_code.data,
                        title=form.title.data,
                        details=form.details.data or "",
                        capacity=form.capacity.data or "",
                        team_name=form.team_name.data or "",
                    ),
                )
            except errors.HelpRequestError as exc:
                rollback_and_report(exc, form)
            else:
                db.session.commit()
                flash(_("已登记资源。"), "success")
                return redirect(url_for("co_building.resources", community=community.id))
        status = 400
    return render_template(
        "help_requests/form_page.html",
        form=form,
        heading=_("登记资源：%(name)s", name=community.name),
        note=_("联盟商户公示的服务承诺会自动列入资源清单。"),
    ), status
