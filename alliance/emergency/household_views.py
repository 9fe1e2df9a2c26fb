"""The households register on the web: details only for the people allowed, counts for the
street office, door-knocking for the people responsible."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.db_types import utcnow
from alliance.emergency import households, services
from alliance.emergency.household_forms import HouseholdForm, VisitForm
from alliance.emergency.household_models import Household, HouseholdVisit
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.inputs import parse_id
from alliance.validators import mask_phone

SEES = (Role.SECRETARY, Role.GRID_WORKER, Role.VOLUNTEER, Role.MERCHANT_STAFF)


def _running():
    community = current_user.community
    if community is None:
        return None
    return services.running_in_community(community.id, community.street_office_id)


def _render_index(form=None, status=200):
    if current_user.has_role(Role.STREET_OFFICER) and not current_user.community_id:
        return render_template(
            "emergency/households/counts.html",
            counts=households.counts_by_community(current_user.street_office_id),
        ), status
    rows = households.households_for(current_user)
    response = _running()
    secretary = current_user.has_role(Role.SECRETARY)
    if form is None and secretary:
        form = HouseholdForm(formdata=None)
    if form is not None:
        form.offer(own_community())
    progress = None
    if response is not None and current_user.has_role(Role.SECRETARY, Role.GRID_WORKER):
        progress = households.progress_by_grid(current_user.community_id, response.id)
    return render_template(
        "emergency/households/index.html",
        households=rows,
        visits=households.latest_visits([h.id for h in rows], response.id) if response else {},
        response=response,
        progress=progress,
        unanswered=households.unacknowledged(rows, current_user.community_id)
        if current_user.community_id
        else set(),
        now=utcnow(),
        masked=mask_phone,
        form=form,
        overview=bool(current_user.community_id)
        and current_user.has_role(Role.SECRETARY, Role.GRID_WORKER),
    ), status


@bp.get("/households")
@roles_required(*SEES, Role.STREET_OFFICER)
def households_index():
    return _render_index()


@bp.post("/households")
@roles_required(Role.SECRETARY)
def create_household():
    community = own_community()
    form = HouseholdForm()
    form.offer(community)
    if not form.validate_on_submit():
        return _render_index(form, 422)
    try:
        household = households.create_household(
            community,
            households.HouseholdInput(
                head_name=form.head_name.data,
                categories=tuple(form.categories.data or ()),
                estate_id=parse_id(form.estate_id.data),
                grid_id=parse_id(form.grid_id.data),
                building=form.building.data,
                unit_no=form.unit_no.data,
                room=form.room.data,
                members=form.members.data,
                need_help_moving=form.need_help_moving.data,
                contact_phone=form.contact_phone.data,
                needs=tuple(form.needs.data or ()),
                responsible=form.responsible.data,
                deputy=form.deputy.data or "",
            ),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form)
        return _render_index(form, exc.status)
    db.session.commit()
    flash(_("已登记。"), "success")
    return redirect(url_for("emergency.household", household_id=household.id), 303)


@bp.get("/households/door-knocking")
@roles_required(Role.SECRETARY, Role.GRID_WORKER)
def door_knocking():
    """敲门行动 by person responsible: the secretary's whole community, a grid worker's grids."""
    if not current_user.community_id:
        abort(404)
    response = _running()
    now = utcnow()
    return render_template(
        "emergency/households/door_knocking.html",
        response=response,
        groups=households.knocking_overview(
            households.overview_scope(current_user), response.id if response else None, now
        ),
        now=now,
    )


def _household_or_404(household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    if household is None or not households.may_see(current_user, household):
        abort(404)
    return household


def _render_household(household, form=None, status=200):
    response = _running()
    visits = db.session.scalars(
        select(HouseholdVisit)
        .where(HouseholdVisit.household_id == household.id)
        .options(joinedload(HouseholdVisit.visitor))
        .order_by(HouseholdVisit.id.desc())
    ).all()
    may_visit = response is not None and households.is_named(current_user, household)
    return render_template(
        "emergency/households/detail.html",
        household=household,
        visits=visits,
        response=response,
        form=(form or VisitForm(formdata=None)) if may_visit else None,
    ), status


@bp.get("/households/<int:household_id>")
@roles_required(*SEES)
def household(household_id: int):
    return _render_household(_household_or_404(household_id))


@bp.post("/households/<int:household_id>/visits")
@roles_required(*SEES)
def visit_household(household_id: int):
    found = _household_or_404(household_id)
    if not households.is_named(current_user, found):
        # Say why, in words: the secretary and the grid worker see the household but only its
        # named people knock on its door.
        return render_template(
            "errors/error.html",
            code=403,
            message=_("只有这户的包保责任人或副责任人可以记录敲门走访。"),
        ), 403
    form = VisitForm()
    if not form.validate_on_submit():
        return _render_household(found, form, 422)
    try:
        visit = households.record_visit(
            found, result=form.result.data, reason=form.reason.data, actor=current_user
        )
    except DomainError as exc:
        if exc.field is None:
            db.session.rollback()
            return render_template(
                "errors/error.html", code=exc.status, message=str(exc.message)
            ), exc.status
        rollback_and_report(exc, form)
        return _render_household(db.session.get(Household, household_id), form, exc.status)
    label = visit.result_label
    db.session.commit()
    flash(_("已记录：%(result)s", result=label), "success")
    return redirect(url_for("emergency.households_index"), 303)
