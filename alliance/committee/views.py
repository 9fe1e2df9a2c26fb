"""The committee on the web: its members, the liaison officer a member names, proposals, rule
changes, and the public decisions. Meetings are in meeting_views.py (same blueprint, web.py)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.committee.forms import (
    LiaisonForm,
    MemberForm,
    ProposalForm,
    RuleChangeForm,
    StateForm,
)
from alliance.committee.models import CommitteeMember, Decision, DecisionState
from alliance.committee.services import CommitteeError, decisions, members
from alliance.committee.web import bp, is_secretary_of, own_community, person_named
from alliance.communities.models import Community
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant
from alliance.points import rule_versions, scoring


def _member_form(community: Community, formdata=None) -> MemberForm:
    form = MemberForm(formdata=formdata) if formdata is not None else MemberForm()
    shops = db.session.scalars(
        select(Merchant).where(Merchant.community_id == community.id).order_by(Merchant.number)
    ).all()
    form.merchant_id.choices = choices(
        [("", _("不代表商户"))] + [(str(m.id), f"{m.number} {m.name}") for m in shops]
    )
    return form


def _render_index(community, form=None, status=200):
    secretary = is_secretary_of(community.id)
    return render_template(
        "committee/index.html",
        community=community,
        rows=members.committee_of(community.id),
        can_manage=secretary,
        form=(form or _member_form(community, formdata=None)) if secretary else None,
        is_liaison=bool(members.liaison_posts(current_user.id)),
    ), status


@bp.get("/")
@login_required
def index():
    return _render_index(own_community())


@bp.post("/members")
@roles_required(Role.SECRETARY)
def add_member():
    community = own_community()
    form = _member_form(community)
    if form.validate_on_submit():
        merchant = (
            db.session.get(Merchant, int(form.merchant_id.data))
            if (form.merchant_id.data or "").isdigit()
            else None
        )
        try:
            members.add_member(
                community,
                user=person_named([community.id], form.person.data, "person"),
                role=form.role.data,
                term_start=form.term_start.day,
                term_end=form.term_end.day,
                merchant=merchant,
            )
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="person")
        else:
            db.session.commit()
            flash(_("已加入委员会。"), "success")
            return redirect(url_for(".index"), 303)
    return _render_index(community, form, 422)


@bp.post("/members/<int:member_id>/end")
@roles_required(Role.SECRETARY)
def end_member(member_id: int):
    member = db.get_or_404(CommitteeMember, member_id)
    if member.community_id != current_user.community_id:
        abort(404)
    try:
        members.end_term(member, local_today())
    except CommitteeError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("任期已结束。"), "success")
    return redirect(url_for(".index"), 303)


# --- the member names its liaison officer ------------------------------------------------


def _owned_merchant(merchant_id: int) -> Merchant:
    merchant = db.session.get(Merchant, merchant_id)
    link = merchant_staff.staff_link(current_user, merchant) if merchant else None
    if link is None:
        abort(404)
    if not link.is_owner:
        abort(403)
    return merchant


@bp.route("/liaison/<int:merchant_id>", methods=["GET", "POST"])
@login_required
def liaison(merchant_id: int):
    merchant = _owned_merchant(merchant_id)
    form = LiaisonForm()
    if request.method == "GET":
        form.term_start.set_day(local_today())
    if form.validate_on_submit():
        try:
            members.name_liaison(
                merchant,
                person_named([merchant.community_id], form.person.data, "person"),
                term_start=form.term_start.day,
            )
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="person")
        else:
            db.session.commit()
            flash(_("已指定本店的联络员。"), "success")
            return redirect(url_for(".liaison", merchant_id=merchant.id), 303)
    return render_template(
        "committee/liaison.html",
        merchant=merchant,
        current=members.liaison_of(merchant.id),
        form=form,
    ), 422 if form.errors else 200


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def propose():
    """A liaison officer proposes an item for the next meeting."""
    if not members.liaison_posts(current_user.id):
        abort(403)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            decisions.propose_item(current_user, form.title.data, form.note.data)
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="title")
        else:
            db.session.commit()
            flash(_("议题已提交，将列入下次会议议程。"), "success")
            return redirect(url_for(".index"), 303)
    return render_template("committee/propose.html", form=form), 422 if form.errors else 200


# --- rule changes ------------------------------------------------------------------------

RULE_FIELDS = (*rule_versions.FIELDS, "expiry_months")


@bp.route("/rules/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def propose_rule():
    community = own_community()
    form = RuleChangeForm()
    if request.method == "GET":
        current = scoring.rule_at(community.id, local_today())
        for name in RULE_FIELDS:
            value = getattr(current, name, None)
            if value is None and name in rule_versions.FIELDS:
                value = {"award_max": 50, "points_per_yuan": 10, "exchange_item_max": 1000}[name]
            getattr(form, name).data = "" if value is None else str(value)
        for code in rule_versions.CATEGORIES:
            rates = getattr(current, "category_rates", None) or {}
            getattr(form, f"rate_{code}").data = str(rates.get(code, ""))
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in RULE_FIELDS}
        values["category_rates"] = {
            code: getattr(form, f"rate_{code}").data for code in rule_versions.CATEGORIES
        }
        try:
            rule_versions.propose(
                community.id,
                values,
                effective_from=form.effective_from.day,
                summary=form.summary.data,
                actor_id=current_user.id,
            )
        except DomainError as exc:
            rollback_and_report(exc, form, field="summary")
        else:
            db.session.commit()
            flash(_("规则修改已提交，将列入下次会议议程，决议通过后生效。"), "success")
            return redirect(url_for("points.rules"), 303)
    return render_template("committee/rule_new.html", form=form), 422 if form.errors else 200


# --- public decisions --------------------------------------------------------------------


def _public_community() -> Community | None:
    code = (request.args.get("community") or "").strip()
    if code:
        found = db.session.scalars(select(Community).where(Community.code == code[:16])).first()
        if found is None:
            abort(404)
        return found
    if current_user.is_authenticated and current_user.community_id:
        return db.session.get(Community, current_user.community_id)
    return None


@bp.get("/decisions")
def decisions_index():
    community = _public_community()
    if community is None:
        return render_template(
            "committee/decisions.html",
            community=None,
            communities=db.session.scalars(select(Community).order_by(Community.id)).all(),
        )
    state = request.args.get("state") or ""
    stmt = decisions.decisions_query(community.id)
    if state in set(DecisionState):
        stmt = stmt.where(Decision.state == state)
    page = db.paginate(stmt, per_page=30, max_per_page=30, error_out=False)
    versions = decisions.rule_versions_by_decision([d.id for d in page.items])
    return render_template(
        "committee/decisions.html",
        community=community,
        page=page,
        rows=[decisions.public_row(d, versions.get(d.id)) for d in page.items],
        states=[(s.value, s.label) for s in DecisionState],
        state=state,
    )


@bp.route("/decisions/<int:decision_id>", methods=["GET", "POST"])
def decision(decision_id: int):
    found = db.get_or_404(Decision, decision_id)
    version = decisions.rule_versions_by_decision([found.id]).get(found.id)
    may_update = current_user.is_authenticated and decisions.can_update(found, current_user)
    form = StateForm() if may_update else None
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        if not may_update:
            abort(403)
        if form.validate_on_submit():
            try:
                decisions.change_state(found, form.state.data, form.reason.data, current_user)
            except CommitteeError as exc:
                rollback_and_report(exc, form, field="state")
            else:
                db.session.commit()
                flash(_("决议进度已更新。"), "success")
                return redirect(url_for(".decision", decision_id=found.id), 303)
    return render_template(
        "committee/decision.html",
        decision=found,
        row=decisions.public_row(found, version),
        version=version,
        form=form if may_update and found.is_undone else None,
        owner_name=found.owner.display_name if may_update else None,
    ), 422 if form is not None and form.errors else 200


from alliance.committee import meeting_views as _meetings  # noqa: E402,F401  (same blueprint)
