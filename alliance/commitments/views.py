"""Commitment pages: the public board, each commitment and its history, and the workflows."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.clock import local_today
from alliance.commitments import access, board, drafting, fulfilment, workflow
from alliance.commitments.errors import CommitmentError
from alliance.commitments.forms import (
    CommitmentForm,
    HandleReportForm,
    NoteForm,
    ReasonForm,
    ReportForm,
)
from alliance.commitments.models import (
    KIND_LABELS,
    QUALIFIES_LABELS,
    BrokenCommitmentReport,
    CardKind,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    ReportStatus,
)
from alliance.communities.models import Community
from alliance.communities.services import can_administer, scoped
from alliance.extensions import db, page_number
from alliance.formkit import choices, rollback_and_report
from alliance.merchants import staff as merchant_staff
from alliance.paging import ListPagination

bp = Blueprint("commitments", __name__, url_prefix="/commitments")
bp.add_app_template_global(board.card_key, "commitment_card_key")
bp.add_app_template_global(board.card_from_row, "commitment_card_from_row")

PAGE_SIZE = 20
ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)


# --- loading helpers ---------------------------------------------------------------------


def _load(commitment_id: int) -> Commitment:
    commitment = db.session.scalars(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(
            selectinload(Commitment.offer),
            selectinload(Commitment.service),
            selectinload(Commitment.merchant),
        )
    ).first()
    if commitment is None:
        abort(404)
    return commitment


def _deny(commitment: Commitment):
    """Administrators of other communities and outsiders to unpublished rows get 404."""
    if current_user.has_role(*ADMINS) or not commitment.is_public:
        abort(404)
    abort(403)


def _own_or_deny(commitment_id: int) -> Commitment:
    """A commitment of one of the current user's merchants."""
    commitment = _load(commitment_id)
    if not merchant_staff.is_staff(current_user, commitment.merchant_id):
        _deny(commitment)
    return commitment


def _administered_or_404(commitment_id: int) -> Commitment:
    commitment = _load(commitment_id)
    if not access.can_administer_commitment(current_user, commitment):
        abort(404)
    return commitment


# --- public board ------------------------------------------------------------------------


def _board_filters() -> board.BoardFilters:
    """Board filters from the query string; values that are not valid are ignored."""
    args = request.args
    kind = args.get("kind") if args.get("kind") in set(CommitmentKind) else None
    card = args.get("card") if args.get("card") in set(CardKind) else None
    category = args.get("category") if args.get("category") in board.known_categories() else None
    community = (args.get("community") or "").strip()[:16] or None
    q = (args.get("q") or "").strip()[:100] or None
    return board.BoardFilters(kind=kind, category=category, card=card, community=community, q=q)


@bp.get("/")
def index():
    filters = _board_filters()
    totals = board.totals_by_kind(filters)
    # The totals already count what the page lists: no second count for the pager.
    total = totals[filters.kind] if filters.kind in totals else sum(totals.values())
    pagination = ListPagination(page=page_number(), per_page=PAGE_SIZE, total=total)
    pagination.items = board.board_page(filters, PAGE_SIZE, pagination.offset)
    categories, communities = board.filter_choices()
    return render_template(
        "commitments/index.html",
        page=pagination,
        filters=filters,
        totals=totals,
        total=sum(totals.values()),
        kinds=[(k.value, KIND_LABELS[k]) for k in CommitmentKind],
        cards=[(c.value, QUALIFIES_LABELS[c.value]) for c in CardKind],
        categories=categories,
        communities=communities,
    )


@bp.get("/<int:commitment_id>")
def detail(commitment_id: int):
    commitment = _load(commitment_id)
    if not access.can_view(current_user, commitment):
        abort(404)
    is_staff = merchant_staff.is_staff(current_user, commitment.merchant_id)
    is_admin = access.can_administer_commitment(current_user, commitment)
    published = commitment.status == CommitmentStatus.PUBLISHED
    current = None
    if commitment.status == CommitmentStatus.SUPERSEDED:
        current = db.session.scalars(
            select(Commitment).where(
                Commitment.lineage == commitment.lineage,
                Commitment.status == CommitmentStatus.PUBLISHED,
            )
        ).first()
    return render_template(
        "commitments/detail.html",
        commitment=commitment,
        current=current,
        can_edit=is_staff and commitment.is_editable,
        can_submit=is_staff and commitment.is_editable,
        can_correct=is_staff and published,
        can_withdraw=(is_staff or is_admin) and published,
        can_approve=is_admin and commitment.status == CommitmentStatus.PENDING,
        can_note=is_admin and commitment.is_public,
        can_report=current_user.is_authenticated and published and not is_staff,
    )


@bp.get("/<int:commitment_id>/history")
def history(commitment_id: int):
    commitment = _load(commitment_id)
    if not access.can_view(current_user, commitment):
        abort(404)
    versions = workflow.history(commitment)
    if not (
        merchant_staff.is_staff(current_user, commitment.merchant_id)
        or access.can_administer_commitment(current_user, commitment)
    ):
        versions = [v for v in versions if v.is_public]
    return render_template("commitments/history.html", commitment=commitment, versions=versions)


# --- merchant staff ----------------------------------------------------------------------


@bp.get("/mine")
@roles_required(Role.MERCHANT_STAFF)
def mine():
    merchants = merchant_staff.merchants_of(current_user)
    commitments = db.session.scalars(
        select(Commitment)
        .where(Commitment.merchant_id.in_([m.id for m in merchants]))
        .where(Commitment.status != CommitmentStatus.SUPERSEDED)
        .options(selectinload(Commitment.offer), selectinload(Commitment.merchant))
        .order_by(Commitment.merchant_id, Commitment.kind, Commitment.id.desc())
    ).all()
    return render_template("commitments/mine.html", merchants=merchants, commitments=commitments)


def _merchant_choices(form: CommitmentForm, merchants) -> None:
    form.merchant_id.choices = choices([(m.id, f"{m.number}. {m.name}") for m in merchants])


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF)
def create():
    merchants = [m for m in merchant_staff.merchants_of(current_user) if m.is_active]
    if not merchants:
        flash(_("您还不是在册联盟商户的店员，不能发布承诺。"), "warning")
        return redirect(url_for("commitments.mine"))
    form = CommitmentForm()
    _merchant_choices(form, merchants)
    if form.validate_on_submit():
        merchant = next(m for m in merchants if m.id == form.merchant_id.data)
        try:
            commitment = drafting.create_commitment(merchant, current_user, form.to_input())
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("承诺草稿已保存。确认无误后请提交审核。"), "success")
            return redirect(url_for("commitments.detail", commitment_id=commitment.id))
    return render_template("commitments/form.html", form=form, commitment=None)


@bp.route("/<int:commitment_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MERCHANT_STAFF)
def edit(commitment_id: int):
    commitment = _own_or_deny(commitment_id)
    if not commitment.is_editable:
        flash(_("只有草稿或未通过的承诺可以修改；已公示的请提交更正。"), "warning")
        return redirect(url_for("commitments.detail", commitment_id=commitment.id))
    form = CommitmentForm()
    _merchant_choices(form, [commitment.merchant])
    if request.method == "GET":
        form.fill_from(commitment)
    elif form.validate_on_submit():
        try:
            drafting.update_commitment(commitment, form.to_input())
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("承诺已保存。"), "success")
            return redirect(url_for("commitments.detail", commitment_id=commitment.id))
    return render_template("commitments/form.html", form=form, commitment=commitment)


@bp.post("/<int:commitment_id>/submit")
@roles_required(Role.MERCHANT_STAFF)
def submit(commitment_id: int):
    commitment = _own_or_deny(commitment_id)
    try:
        workflow.submit_commitment(commitment)
    except CommitmentError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已提交社区审核，审核通过后公示。"), "success")
    return redirect(url_for("commitments.detail", commitment_id=commitment_id))


@bp.post("/<int:commitment_id>/correct")
@roles_required(Role.MERCHANT_STAFF)
def correct(commitment_id: int):
    commitment = _own_or_deny(commitment_id)
    try:
        draft = workflow.start_correction(commitment, current_user)
    except CommitmentError as exc:
        rollback_and_report(exc)
        return redirect(url_for("commitments.detail", commitment_id=commitment_id))
    db.session.commit()
    flash(
        _(
            "已生成更正稿（第%(n)d版），修改后提交审核；原承诺在新版本公示前继续有效。",
            n=draft.version,
        ),
        "info",
    )
    return redirect(url_for("commitments.edit", commitment_id=draft.id))


@bp.route("/<int:commitment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(commitment_id: int):
    commitment = _load(commitment_id)
    if not (
        merchant_staff.is_staff(current_user, commitment.merchant_id)
        or access.can_administer_commitment(current_user, commitment)
    ):
        _deny(commitment)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            workflow.withdraw_commitment(commitment, current_user, form.reason.data)
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("承诺已撤回，撤回原因会在历史记录中公开。"), "success")
            return redirect(url_for("commitments.detail", commitment_id=commitment.id))
    return render_template(
        "commitments/reason.html",
        form=form,
        commitment=commitment,
        heading=_("撤回承诺"),
        hint=_("撤回后这条承诺不再适用，撤回原因会公开显示在历史记录中。"),
    )


# --- secretaries -------------------------------------------------------------------------


@bp.get("/review")
@roles_required(*ADMINS)
def review():
    pending = db.session.scalars(
        scoped(
            select(Commitment).where(Commitment.status == CommitmentStatus.PENDING),
            Commitment.community_id,
            current_user,
        )
        .options(
            selectinload(Commitment.merchant),
            selectinload(Commitment.offer),
            selectinload(Commitment.service),
        )
        .order_by(Commitment.submitted_at, Commitment.id)
    ).all()
    return render_template("commitments/review.html", pending=pending)


@bp.post("/<int:commitment_id>/approve")
@roles_required(*ADMINS)
def approve(commitment_id: int):
    commitment = _administered_or_404(commitment_id)
    try:
        workflow.approve_commitment(commitment, current_user)
    except CommitmentError as exc:
        rollback_and_report(exc)
    else:
        db.session.commit()
        flash(_("已审核通过并公示：%(title)s", title=commitment.title), "success")
    return redirect(url_for("commitments.review"))


@bp.route("/<int:commitment_id>/reject", methods=["GET", "POST"])
@roles_required(*ADMINS)
def reject(commitment_id: int):
    commitment = _administered_or_404(commitment_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            workflow.reject_commitment(commitment, current_user, form.reason.data)
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("已退回，商户会看到退回原因。"), "success")
            return redirect(url_for("commitments.review"))
    return render_template(
        "commitments/reason.html",
        form=form,
        commitment=commitment,
        heading=_("退回承诺"),
        hint=_("请写明需要修改的地方，商户修改后可以重新提交。"),
    )


@bp.route("/<int:commitment_id>/notes", methods=["GET", "POST"])
@roles_required(*ADMINS)
def record_note(commitment_id: int):
    commitment = _administered_or_404(commitment_id)
    form = NoteForm()
    if request.method == "GET":
        form.noted_on.data = local_today()
    if form.validate_on_submit():
        try:
            fulfilment.record_note(
                commitment,
                current_user,
                kept=form.kept.data == "yes",
                note=form.note.data,
                noted_on=form.noted_on.data,
            )
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("践诺情况已记录。"), "success")
            return redirect(url_for("commitments.history", commitment_id=commitment.id))
    return render_template("commitments/note.html", form=form, commitment=commitment)


@bp.route("/<int:commitment_id>/report", methods=["GET", "POST"])
@login_required
def report(commitment_id: int):
    commitment = _load(commitment_id)
    if not commitment.is_public:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            fulfilment.report_broken(commitment, current_user, form.text.data)
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("感谢反映，社区会核实处理。"), "success")
            return redirect(url_for("commitments.detail", commitment_id=commitment.id))
    return render_template("commitments/report.html", form=form, commitment=commitment)


@bp.get("/reports")
@roles_required(*ADMINS)
def reports():
    show = "handled" if request.args.get("show") == "handled" else "open"
    rows = db.session.scalars(
        scoped(
            select(BrokenCommitmentReport).where(BrokenCommitmentReport.status == show),
            BrokenCommitmentReport.community_id,
            current_user,
        )
        .options(
            selectinload(BrokenCommitmentReport.commitment).selectinload(Commitment.merchant),
            selectinload(BrokenCommitmentReport.reporter),
        )
        .order_by(BrokenCommitmentReport.created_at.desc(), BrokenCommitmentReport.id.desc())
        .limit(200)
    ).all()
    return render_template("commitments/reports.html", reports=rows, show=show)


@bp.route("/reports/<int:report_id>/handle", methods=["GET", "POST"])
@roles_required(*ADMINS)
def handle_report(report_id: int):
    row = db.session.get(BrokenCommitmentReport, report_id)
    if row is None:
        abort(404)
    community = db.session.get(Community, row.community_id)
    if not can_administer(current_user, community):
        abort(404)
    form = HandleReportForm()
    if form.validate_on_submit():
        try:
            fulfilment.handle_report(row, current_user, form.note.data)
        except CommitmentError as exc:
            rollback_and_report(exc, form)
        else:
            db.session.commit()
            flash(_("已标记为处理完毕。"), "success")
            return redirect(url_for("commitments.reports"))
    return render_template(
        "commitments/handle_report.html",
        form=form,
        report=row,
        commitment=_load(row.commitment_id),
        is_open=row.status == ReportStatus.OPEN,
    )
