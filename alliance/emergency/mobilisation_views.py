"""Mobilisation on the web: party identity, the roster, task forces and call-ups."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.emergency import mobilisation
from alliance.emergency import roster as party_roster
from alliance.emergency.forms import (
    AddMemberForm,
    AnswerForm,
    CallUpForm,
    CheckInForm,
    PartyForm,
    TaskForceForm,
)
from alliance.emergency.models import CallUp, PartyStatus, TaskForce, TeamKind
from alliance.emergency.web import bp, own_community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report

ROSTER_PAGE = 50


def _error_page(exc: DomainError):
    db.session.rollback()
    return render_template("errors/error.html", code=exc.status, message=str(exc.message)), (
        exc.status
    )


@bp.route("/party", methods=["GET", "POST"])
@login_required
def party():
    if not party_roster.may_declare(current_user):
        abort(403)
    row = party_roster.membership_of(current_user.id)
    form = PartyForm(obj=row)
    form.status.choices = choices(
        [("", _("不是党员（不亮身份）"))] + [(s.value, s.label) for s in PartyStatus]
    )
    if form.validate_on_submit():
        try:
            party_roster.declare_membership(
                current_user,
                status=form.status.data,
                branch=form.branch.data,
                show_on_card=form.show_on_card.data,
            )
        except DomainError as exc:
            rollback_and_report(exc, form, field="status")
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("emergency.party"), 303)
    return render_template("emergency/party.html", form=form), 422 if form.errors else 200


@bp.get("/roster")
@roles_required(Role.SECRETARY, Role.GRID_WORKER)
def roster():
    community = own_community()
    page = db.paginate(
        party_roster.roster_query(community.id), per_page=ROSTER_PAGE, max_per_page=ROSTER_PAGE
    )
    party = party_roster.memberships_for([u.id for u in page.items])
    total, party_count = party_roster.roster_counts(community.id)
    return render_template(
        "emergency/roster.html",
        page=page,
        rows=[(u, party.get(u.id)) for u in page.items],
        total=total,
        party_count=party_count,
    )


def _team_form(*, submitted: bool = True) -> TaskForceForm:
    form = TaskForceForm() if submitted else TaskForceForm(formdata=None)
    form.kind.choices = choices([(k.value, k.label) for k in TeamKind])
    return form


def _render_teams(form, status=200):
    community = own_community()
    return render_template(
        "emergency/teams.html",
        teams=mobilisation.teams_of(community.id),
        form=form if current_user.has_role(Role.SECRETARY) else None,
    ), status


@bp.get("/teams")
@roles_required(Role.SECRETARY, Role.GRID_WORKER)
def teams():
    return _render_teams(_team_form(submitted=False))


@bp.post("/teams")
@roles_required(Role.SECRETARY)
def create_team():
    form = _team_form()
    if not form.validate_on_submit():
        return _render_teams(form, 422)
    try:
        team = mobilisation.create_task_force(
            own_community(),
            name=form.name.data,
            kind=form.kind.data,
            leader=form.leader.data,
            members=(form.members.data or "").splitlines(),
            actor=current_user,
        )
    except DomainError as exc:
        rollback_and_report(exc, form, field="name")
        return _render_teams(form, exc.status)
    db.session.commit()
    flash(_("队伍已组建。"), "success")
    return redirect(url_for("emergency.team", team_id=team.id), 303)


def _team_or_404(team_id: int) -> TaskForce:
    """A team the person commands (leader, secretary, street officer) or, for a grid worker,
    one of their community's; everyone else: 404."""
    team = db.session.get(TaskForce, team_id)
    if team is None:
        abort(404)
    if mobilisation.can_command_team(current_user, team):
        return team
    if current_user.has_role(Role.GRID_WORKER) and current_user.community_id == team.community_id:
        return team
    abort(404)


def _render_team(team, *, member_form=None, call_form=None, status=200):
    commander = mobilisation.can_command_team(current_user, team)
    secretary = (
        current_user.has_role(Role.SECRETARY) and current_user.community_id == team.community_id
    )
    calls = mobilisation.call_ups_of(team)
    return render_template(
        "emergency/team.html",
        team=team,
        members=mobilisation.members_of(team),
        calls=calls,
        open_call=next((c for c in calls if c.is_open), None),
        member_form=(member_form or AddMemberForm(formdata=None)) if secretary else None,
        call_form=(call_form or CallUpForm(formdata=None)) if commander else None,
    ), status


@bp.get("/teams/<int:team_id>")
@login_required
def team(team_id: int):
    return _render_team(_team_or_404(team_id))


@bp.post("/teams/<int:team_id>/members")
@roles_required(Role.SECRETARY)
def add_member(team_id: int):
    team = _team_or_404(team_id)
    form = AddMemberForm()
    if form.validate_on_submit():
        try:
            mobilisation.add_member(team, form.person.data, current_user)
        except DomainError as exc:
            rollback_and_report(exc, form, field="person")
        else:
            db.session.commit()
            flash(_("已加入队伍。"), "success")
            return redirect(url_for("emergency.team", team_id=team.id), 303)
    return _render_team(db.session.get(TaskForce, team_id), member_form=form, status=422)


@bp.post("/teams/<int:team_id>/call-up")
@login_required
def call_up(team_id: int):
    team = _team_or_404(team_id)
    if not mobilisation.can_command_team(current_user, team):
        abort(403)
    form = CallUpForm()
    if form.validate_on_submit():
        try:
            call = mobilisation.call_up(
                team,
                assembly_point=form.assembly_point.data,
                task=form.task.data,
                actor=current_user,
            )
        except DomainError as exc:
            if exc.field is None:
                return _error_page(exc)
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("集结令已发出。"), "success")
            return redirect(url_for("emergency.call_up_detail", call_id=call.id), 303)
    return _render_team(db.session.get(TaskForce, team_id), call_form=form, status=422)


def _call_or_404(call_id: int) -> tuple[CallUp, bool, object]:
    """(call-up, whether the person commands it, their own answer row or None)."""
    call = db.session.get(CallUp, call_id)
    if call is None:
        abort(404)
    commander = mobilisation.can_command_team(current_user, call.task_force)
    own = mobilisation.answer_of(call, current_user.id)
    if not commander and own is None:
        abort(404)
    return call, commander, own


def _render_call(call, commander, own, *, answer_form=None, check_form=None, status=200):
    return render_template(
        "emergency/call_up.html",
        call=call,
        team=call.task_force,
        board=mobilisation.board(call) if commander else None,
        own=own,
        answer_form=(answer_form or AnswerForm(formdata=None)) if own and call.is_open else None,
        check_form=(check_form or CheckInForm(formdata=None))
        if commander and call.is_open
        else None,
        commander=commander,
    ), status


@bp.get("/callups/<int:call_id>")
@login_required
def call_up_detail(call_id: int):
    return _render_call(*_call_or_404(call_id))


@bp.post("/callups/<int:call_id>/answer")
@login_required
def answer(call_id: int):
    call, commander, own = _call_or_404(call_id)
    if own is None:
        abort(403)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            mobilisation.answer(
                call, current_user, coming=bool(form.coming.data), reason=form.reason.data
            )
        except DomainError as exc:
            if exc.field is None:
                return _error_page(exc)
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("已回复。"), "success")
            return redirect(url_for("emergency.call_up_detail", call_id=call.id), 303)
    call, commander, own = _call_or_404(call_id)
    return _render_call(call, commander, own, answer_form=form, status=422)


@bp.post("/callups/<int:call_id>/check-in")
@login_required
def check_in(call_id: int):
    call, commander, own = _call_or_404(call_id)
    if not commander:
        abort(403)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            row = mobilisation.check_in(call, form.card.data, current_user)
        except DomainError as exc:
            if exc.field is None:
                return _error_page(exc)
            rollback_and_report(exc, form)
        else:
            name = row.user.display_name
            db.session.commit()
            flash(_("%(name)s已报到。", name=name), "success")
            return redirect(url_for("emergency.call_up_detail", call_id=call.id), 303)
    call, commander, own = _call_or_404(call_id)
    return _render_call(call, commander, own, check_form=form, status=422)


@bp.post("/callups/<int:call_id>/stand-down")
@login_required
def stand_down(call_id: int):
    call, commander, _own = _call_or_404(call_id)
    if not commander:
        abort(403)
    try:
        mobilisation.stand_down(call, current_user)
    except DomainError as exc:
        return _error_page(exc)
    db.session.commit()
    flash(_("队伍已解散。"), "success")
    return redirect(url_for("emergency.call_up_detail", call_id=call.id), 303)
