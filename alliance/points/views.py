"""Points on the web: my points, the secretaries' rules, awards and corrections, the members'
exchange items and the exchange at the counter."""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from alliance.accounts import services as accounts
from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.committee.services.decisions import numbers_for as decision_numbers
from alliance.communities.services import visible_community_ids
from alliance.dashboard.people import find_person
from alliance.extensions import db
from alliance.formkit import rollback_and_report
from alliance.merchants import staff as merchant_staff
from alliance.merchants.models import Merchant
from alliance.points import exchange_items, expiry, ledger, rule_versions, scoring
from alliance.points.errors import PointsError
from alliance.points.forms import AdjustForm, AwardForm, ItemForm, RuleForm
from alliance.points.models import EntryKind, Exchange, ExchangeItem, LedgerEntry

bp = Blueprint("points", __name__)


# --- the volunteer -------------------------------------------------------------------------


@bp.get("/me/points")
@login_required
def mine():
    entries, totals = ledger.statement_of(current_user.id)
    return render_template(
        "points/mine.html",
        balance=totals["balance"],
        entries=entries,
        totals=totals,
        expiring=expiry.upcoming_expiry(current_user.id, debits=totals["debits"]),
        kind_label=lambda kind: EntryKind(kind).label,
    )


@bp.get("/points/where")
def where():
    """Where points can be used: every member's exchange items, cost and stock. A signed-in
    person of a community sees their own community's (points are spent only there)."""
    community_ids = None
    own = current_user.is_authenticated and current_user.community_id
    if own:
        community_ids = [current_user.community_id]
    page = exchange_items.where_to_spend(community_ids, page=request.args.get("page", 1, type=int))
    return render_template("points/where.html", page=page, own_community=bool(own))


# --- secretaries ---------------------------------------------------------------------------


@bp.route("/points/rules", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def rules():
    community_id = current_user.community_id or abort(403)
    rule = scoring.rule_for(community_id)
    form = RuleForm()
    if request.method == "GET":
        for name in (
            "points_per_hour",
            "emergency_percent",
            "night_percent",
            "night_start_hour",
            "night_end_hour",
        ):
            getattr(form, name).data = str(getattr(rule, name))
        form.expiry_months.data = str(rule.expiry_months or "")
    if form.validate_on_submit():
        data = scoring.RuleInput(
            **{
                name: getattr(form, name).data
                for name in (
                    "points_per_hour",
                    "emergency_percent",
                    "night_percent",
                    "night_start_hour",
                    "night_end_hour",
                    "expiry_months",
                )
            }
        )
        try:
            scoring.update_rule(community_id, data, current_user)
        except PointsError as exc:
            rollback_and_report(exc, form, field="points_per_hour")
        else:
            db.session.commit()
            flash(_("积分规则已保存。"), "success")
            return redirect(url_for(".rules")), 303
    versions = rule_versions.versions_of(community_id)
    return render_template(
        "points/rules.html",
        form=form,
        versions=versions,
        decision_numbers=decision_numbers([v.decision_id for v in versions if v.decision_id]),
        by_decision=rule_versions.has_versions(community_id),
    ), 422 if form.errors else 200


def _admin_page(award_form=None, adjust_form=None, status=200):
    recent = list(
        db.session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.community_id == current_user.community_id,
                LedgerEntry.kind.in_(("award", "adjust")),
            )
            .order_by(LedgerEntry.id.desc())
            .limit(30)
        )
    )
    # The community's latest exchanges, so the secretary (who alone may void one after the
    # day it was made) can find the one to void.
    exchanges = db.session.execute(
        select(Exchange, Merchant.name)
        .join(Merchant, Merchant.id == Exchange.merchant_id)
        .where(Exchange.community_id == current_user.community_id)
        .order_by(Exchange.id.desc())
        .limit(30)
    ).all()
    people = {e.user_id for e in recent} | {x.user_id for x, _name in exchanges}
    users = (
        {
            u.id: u
            for u in db.session.scalars(select(accounts.User).where(accounts.User.id.in_(people)))
        }
        if people
        else {}
    )
    return render_template(
        "points/admin.html",
        award_form=award_form or AwardForm(key=uuid.uuid4().hex),
        adjust_form=adjust_form or AdjustForm(prefix="adj-", key=uuid.uuid4().hex),
        recent=recent,
        exchanges=exchanges,
        users=users,
    ), status


@bp.get("/points/admin")
@roles_required(Role.SECRETARY)
def admin():
    return _admin_page()


def _manual(form, service, done_message):
    if not form.validate_on_submit():
        return None
    found = find_person(visible_community_ids(current_user), form.person.data)
    person = found.person
    try:
        if found.ambiguous:
            raise PointsError(
                _("有多位同名的人，请改填手机号或卡号。"), code="ambiguous", field="person"
            )
        if person is None:
            raise PointsError(
                _("本社区没有这个人。"), code="not_in_community", status=404, field="person"
            )
        # The form's one-time key: posting the same form twice awards once.
        entry = service(
            person, form.points.data, form.reason.data, current_user, key=form.key.data or ""
        )
    except PointsError as exc:
        rollback_and_report(exc, form, field="points")
        return None
    db.session.commit()
    flash(done_message % {"name": person.display_name, "b": entry.balance_after}, "success")
    return redirect(url_for(".admin")), 303


@bp.post("/points/award")
@roles_required(Role.SECRETARY)
def award():
    form = AwardForm()
    done = _manual(form, ledger.award, _("已为 %(name)s 赋分，当前余额 %(b)d。"))
    return done or _admin_page(award_form=form, status=422)


@bp.post("/points/adjust")
@roles_required(Role.SECRETARY)
def adjust():
    form = AdjustForm(prefix="adj-")
    done = _manual(form, ledger.adjust, _("已更正 %(name)s 的积分，当前余额 %(b)d。"))
    return done or _admin_page(adjust_form=form, status=422)


# --- members: exchange items ---------------------------------------------------------------


def _staff_merchants():
    return merchant_staff.merchants_of(current_user)


@bp.route("/points/items", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF)
def items():
    merchants = _staff_merchants()
    ids = [m.id for m in merchants]
    commitments = exchange_items.points_commitments(ids)
    form = ItemForm(commitments=commitments)
    if form.validate_on_submit():
        commitment = next(c for c in commitments if c.id == form.commitment_id.data)
        try:
            exchange_items.create_item(commitment, _item_input(form), current_user)
        except PointsError as exc:
            rollback_and_report(exc, form, field="title")
        else:
            db.session.commit()
            flash(_("兑换项目已发布。"), "success")
            return redirect(url_for(".items")), 303
    recent = (
        list(
            db.session.scalars(
                select(Exchange)
                .where(Exchange.merchant_id.in_(ids))
                .order_by(Exchange.id.desc())
                .limit(30)
            )
        )
        if ids
        else []
    )
    return render_template(
        "points/items.html",
        form=form,
        items=exchange_items.items_of(ids),
        recent=recent,
        has_commitment=bool(commitments),
    ), 422 if form.errors else 200


def _item_input(form) -> exchange_items.ItemInput:
    return exchange_items.ItemInput(
        title=form.title.data,
        description=form.description.data or "",
        points=form.points.data,
        stock=form.stock.data,
        per_person_limit=form.per_person_limit.data,
        active=form.active.data,
    )


@bp.route("/points/items/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF)
def edit_item(item_id: int):
    item = db.session.get(ExchangeItem, item_id)
    if item is None or item.merchant_id not in {m.id for m in _staff_merchants()}:
        abort(404)
    form = ItemForm(obj=item if request.method == "GET" else None, commitments=[item.commitment])
    if request.method == "GET":
        form.per_person_limit.data = str(item.per_person_limit or "")
    if form.validate_on_submit():
        try:
            exchange_items.update_item(item, _item_input(form))
        except PointsError as exc:
            rollback_and_report(exc, form, field="title")
        else:
            db.session.commit()
            flash(_("兑换项目已保存。"), "success")
            return redirect(url_for(".items")), 303
    return render_template(
        "points/edit_item.html", form=form, item=item
    ), 422 if form.errors else 200


# --- at the counter ------------------------------------------------------------------------
