from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from alliance.accounts import services as accounts
from alliance.accounts.models import Role, User, UserRole
from alliance.audit import sentences
from alliance.communities.forms import PeopleSearchForm, RoleChangeForm
from alliance.communities.models import Community, Grid
from alliance.communities.services import can_administer, community_or_404, visible_community_ids
from alliance.extensions import db
from alliance.inputs import parse_id
from alliance.validators import mask_phone

bp = Blueprint("communities", __name__, url_prefix="/communities")

PAGE_SIZE = 30


def _administered_or_404(community_id: int) -> Community:
    community = community_or_404(current_user, community_id)
    if not can_administer(current_user, community):
        abort(403)
    return community


@bp.get("/")
@login_required
def index():
    ids = visible_community_ids(current_user)
    people = (
        select(User.community_id, func.count(User.id))
        .where(User.community_id.in_(ids))
        .group_by(User.community_id)
    )
    counts = dict(db.session.execute(people).all())
    communities = db.session.scalars(
        select(Community)
        .where(Community.id.in_(ids))
        .options(selectinload(Community.estates), selectinload(Community.street_office))
        .order_by(Community.id)
    ).all()
    return render_template("communities/index.html", communities=communities, counts=counts)


@bp.get("/<int:community_id>")
@login_required
def detail(community_id: int):
    community = community_or_404(current_user, community_id)
    grids = db.session.scalars(
        select(Grid)
        .where(Grid.community_id == community.id)
        .options(selectinload(Grid.estate), selectinload(Grid.worker))
        .order_by(Grid.id)
    ).all()
    return render_template(
        "communities/detail.html",
        community=community,
        grids=grids,
        can_admin=can_administer(current_user, community),
        # The grid page (/grid/<id>) opens for the community's own secretary (and the grid's worker).
        opens_grids=current_user.has_role(Role.SECRETARY)
        and current_user.community_id == community.id,
    )


@bp.get("/<int:community_id>/people")
@login_required
def people(community_id: int):
    community = _administered_or_404(community_id)
    search = PeopleSearchForm(request.args)
    stmt = (
        select(User)
        .where(User.community_id == community.id)
        .options(selectinload(User.role_grants))
        .order_by(User.id)
    )
    role = request.args.get("role")
    if role in {str(r) for r in Role}:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if search.validate() and search.q.data:
        like = f"%{search.q.data.strip()}%"
        stmt = stmt.where(or_(User.display_name.like(like), User.username.like(like)))
    page = db.paginate(stmt, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "communities/people.html",
        community=community,
        page=page,
        search=search,
        role_filter=role,
        roles=list(Role),
        form=RoleChangeForm(),
        mask_phone=mask_phone,
    )


@bp.post("/<int:community_id>/people/<int:user_id>/roles")
@login_required
def change_role(community_id: int, user_id: int):
    community = _administered_or_404(community_id)
    person = db.session.get(User, user_id)
    if person is None or person.community_id != community.id:
        abort(404)
    form = RoleChangeForm()
    if not form.validate_on_submit():
        flash(_("请选择要授予或撤销的角色。"), "danger")
        return redirect(url_for(".people", community_id=community.id))
    role = Role(form.role.data)
    try:
        if form.action.data == "grant":
            changed = accounts.grant_role(person, role)
            message = _(
                "已授予%(name)s「%(role)s」角色。", name=person.display_name, role=role.label
            )
        else:
            changed = accounts.revoke_role(person, role, by=current_user)
            message = _(
                "已撤销%(name)s的「%(role)s」角色。", name=person.display_name, role=role.label
            )
    except accounts.AccountError:
        flash(_("不能撤销自己的社区书记角色，请让另一位书记或街道干部操作。"), "danger")
        return redirect(url_for(".people", community_id=community.id))
    db.session.commit()
    flash(message if changed else _("没有变化。"), "success" if changed else "info")
    return redirect(url_for(".people", community_id=community.id))


def _audit_date(name: str):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("日期格式应为“年-月-日”，例如 2026-10-01；这个条件没有用上。"), "warning")
        return None


@bp.get("/<int:community_id>/audit")
@login_required
def audit(community_id: int):
    community = _administered_or_404(community_id)
    filters = sentences.Filters(
        actor_id=parse_id(request.args.get("actor")),
        kind=(request.args.get("kind") or "").strip()[:40],
        since=_audit_date("since"),
        until=_audit_date("until"),
    )
    page = db.paginate(
        sentences.filtered(community.id, filters), per_page=PAGE_SIZE, error_out=False
    )
    people, kinds = sentences.filter_choices(community.id)
    return render_template(
        "communities/audit.html",
        community=community,
        page=page,
        lines=sentences.lines(page.items),
        filters=filters,
        people=people,
        kinds=kinds,
    )
