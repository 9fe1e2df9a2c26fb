"""Holding a meeting: scheduling, sign-in, the agenda, decisions, minutes, the printed minutes."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
from alliance.committee.forms import (
    AgendaItemForm,
    DecisionForm,
    MinutesForm,
    QuorumForm,
    ScanForm,
    ScheduleForm,
    TickForm,
)
from alliance.committee.models import AgendaItem, Attendance, Meeting, Proposal, SeriesKind
from alliance.committee.services import CommitteeError, agenda, decisions, meetings
from alliance.committee.services.decisions import DecisionInput
from alliance.committee.web import bp, own_community, person_named
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.formkit import choices, rollback_and_report
from alliance.points import rule_versions


def _series_rows(community_id: int, forms=None):
    existing = {s.kind: s for s in meetings.series_of(community_id)}
    rows = []
    for kind in SeriesKind:
        series = existing.get(kind)
        form = (forms or {}).get(kind) or ScheduleForm(formdata=None, prefix=kind.value)
        upcoming = meetings.next_start(series) if series else None
        if upcoming and not form.starts_at.data:
            form.starts_at.set_moment(upcoming)
            form.place.data = meetings.last_meeting(series).place
        quorum = QuorumForm(formdata=None, prefix=f"q-{kind.value}")
        if series and series.quorum_percent:
            quorum.quorum.data = str(series.quorum_percent)
        rows.append({"kind": kind, "series": series, "form": form, "quorum": quorum})
    return rows


@bp.get("/meetings")
@roles_required(Role.SECRETARY)
def meetings_index(forms=None, status=200):
    community = own_community()
    return render_template(
        "committee/meetings.html",
        series_rows=_series_rows(community.id, forms),
        meetings=meetings.meetings_of(community.id),
    ), status


def _kind_or_404(kind: str) -> SeriesKind:
    if kind not in set(SeriesKind):
        abort(404)
    return SeriesKind(kind)


@bp.post("/series/<kind>/schedule")
@roles_required(Role.SECRETARY)
def schedule(kind: str):
    kind = _kind_or_404(kind)
    community = own_community()
    form = ScheduleForm(prefix=kind.value)
    if form.validate_on_submit():
        try:
            meeting = meetings.schedule(
                community,
                kind,
                starts_at=form.starts_at.moment,
                place=form.place.data,
                recorder_id=current_user.id,
            )
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="starts_at")
        else:
            db.session.commit()
            flash(_("会议已安排，议程已自动生成。"), "success")
            return redirect(url_for(".meeting", meeting_id=meeting.id), 303)
    return meetings_index(forms={kind: form}, status=422)


@bp.post("/series/<kind>/quorum")
@roles_required(Role.SECRETARY)
def quorum(kind: str):
    kind = _kind_or_404(kind)
    community = own_community()
    form = QuorumForm(prefix=f"q-{kind.value}")
    if form.validate_on_submit():
        try:
            meetings.set_quorum(meetings.ensure_series(community.id, kind), form.quorum.data)
        except CommitteeError as exc:
            rollback_and_report(exc)
        else:
            db.session.commit()
            flash(_("法定人数已保存。"), "success")
    else:
        flash(_("法定人数比例应是1到100之间的整数。"), "danger")
    return redirect(url_for(".meetings_index"), 303)


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.community_id != current_user.community_id:
        abort(404)
    return meeting


def _decision_form(meeting: Meeting, formdata=None) -> DecisionForm:
    form = DecisionForm() if formdata is None else DecisionForm(formdata=formdata)
    versions = rule_versions.proposed_of(meeting.community_id)
    form.rule_version_id.choices = choices(
        [("", _("不涉及规则"))]
        + [(str(v.id), f"{v.effective_from.isoformat()} {v.summary}") for v in versions]
    )
    open_proposals = db.session.scalars(
        db.select(Proposal)
        .where(Proposal.community_id == meeting.community_id, Proposal.decided.is_(False))
        .order_by(Proposal.id)
    ).all()
    form.proposal_id.choices = choices(
        [("", _("不对应提议"))] + [(str(p.id), p.title[:60]) for p in open_proposals]
    )
    return form


def _render_meeting(meeting: Meeting, status=200, **forms):
    rows = meetings.attendance_of(meeting)
    minutes_form = forms.get("minutes") or MinutesForm(formdata=None)
    if "minutes" not in forms:
        minutes_form.discussion.data = meeting.discussion
        minutes_form.recorder.data = meeting.recorder.username if meeting.recorder else ""
    return render_template(
        "committee/meeting.html",
        meeting=meeting,
        rows=rows,
        tally=meetings.count(meeting, rows),
        items=agenda.items_of(meeting),
        kind_label=agenda.kind_label,
        decisions=decisions.of_meeting(meeting),
        scan_form=forms.get("scan") or ScanForm(formdata=None),
        tick_form=TickForm(formdata=None),
        item_form=forms.get("item") or AgendaItemForm(formdata=None),
        decision_form=forms.get("decision") or _decision_form(meeting, formdata=None),
        minutes_form=minutes_form,
        reason_needed=not meetings.can_edit_minutes_freely(meeting),
        edits=meetings.edits_of(meeting),
    ), status


@bp.get("/meetings/<int:meeting_id>")
@roles_required(Role.SECRETARY)
def meeting(meeting_id: int):
    return _render_meeting(_meeting_or_404(meeting_id))


def _done(meeting: Meeting, message: str, anchor: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor=anchor), 303)


@bp.post("/meetings/<int:meeting_id>/scan")
@roles_required(Role.SECRETARY)
def scan(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    form = ScanForm()
    if form.validate_on_submit():
        try:
            row = meetings.sign_in_by_card(meeting, form.card.data)
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="card")
        else:
            name = row.member.user.display_name
            return _done(meeting, _("%(name)s已签到。", name=name), "attendance")
    return _render_meeting(meeting, 422, scan=form)


@bp.post("/meetings/<int:meeting_id>/attendance/<int:attendance_id>")
@roles_required(Role.SECRETARY)
def tick(meeting_id: int, attendance_id: int):
    meeting = _meeting_or_404(meeting_id)
    row = db.get_or_404(Attendance, attendance_id)
    form = TickForm()
    if not form.validate_on_submit():
        flash(_("请选择出席、缺席或请假。"), "danger")
        return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="attendance"), 303)
    try:
        meetings.tick(meeting, row, form.status.data, form.remark.data)
    except CommitteeError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="attendance"), 303)
    return _done(meeting, _("已登记。"), "attendance")


@bp.post("/meetings/<int:meeting_id>/agenda")
@roles_required(Role.SECRETARY)
def add_item(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    form = AgendaItemForm()
    if form.validate_on_submit():
        try:
            agenda.add_item(meeting, form.title.data, form.note.data)
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="title")
        else:
            return _done(meeting, _("议题已加入议程。"), "agenda")
    return _render_meeting(meeting, 422, item=form)


@bp.post("/meetings/<int:meeting_id>/agenda/refresh")
@roles_required(Role.SECRETARY)
def refresh_agenda(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    added = agenda.build(meeting)
    return _done(meeting, _("议程已更新，新增%(n)d项。", n=added), "agenda")


def _item_or_404(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.get_or_404(AgendaItem, item_id)
    if item.meeting_id != meeting.id:
        abort(404)
    return item


@bp.post("/meetings/<int:meeting_id>/agenda/<int:item_id>/<action>")
@roles_required(Role.SECRETARY)
def edit_item(meeting_id: int, item_id: int, action: str):
    meeting = _meeting_or_404(meeting_id)
    item = _item_or_404(meeting, item_id)
    steps = {"remove": agenda.remove_item, "up": agenda.move_up}
    if action not in steps:
        abort(404)
    try:
        steps[action](meeting, item)
    except CommitteeError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".meeting", meeting_id=meeting.id, _anchor="agenda"), 303)
    return _done(meeting, _("议程已修改。"), "agenda")


def _optional_id(field) -> int | None:
    text = (field.data or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > 2**31 - 1:
        raise CommitteeError("bad_link", _("编号必须是数字。"), field=field.name)
    return int(text)


@bp.post("/meetings/<int:meeting_id>/decisions")
@roles_required(Role.SECRETARY)
def add_decision(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    form = _decision_form(meeting)
    if form.validate_on_submit():
        try:
            data = DecisionInput(
                text=form.text.data,
                owner=(
                    person_named([meeting.community_id], form.owner.data, "owner")
                    if form.owner.data
                    else None
                ),
                due_date=form.due_date.day,
                help_request_id=_optional_id(form.help_request_id),
                project_id=_optional_id(form.project_id),
                commitment_id=_optional_id(form.commitment_id),
                rule_version_id=_optional_id(form.rule_version_id),
                proposal_id=_optional_id(form.proposal_id),
            )
            if form.owner.data and data.owner is None:
                raise CommitteeError("owner_unknown", _("没有找到这位负责人。"), field="owner")
            if form.as_proposal.data:
                decisions.record_proposal(meeting, data, actor=current_user)
                message = _("已记为下次会议的提议。")
            else:
                found = decisions.pass_decision(meeting, data, actor=current_user)
                message = _("决议%(n)s已通过。", n=found.number)
        except DomainError as exc:
            rollback_and_report(exc, form, field="text")
        else:
            return _done(meeting, message, "decisions")
    return _render_meeting(meeting, 422, decision=form)


@bp.post("/meetings/<int:meeting_id>/minutes")
@roles_required(Role.SECRETARY)
def save_minutes(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            recorder = None
            if form.recorder.data:
                recorder = person_named([meeting.community_id], form.recorder.data, "recorder")
                if recorder is None or recorder.community_id != meeting.community_id:
                    raise CommitteeError(
                        "recorder_unknown", _("记录人须是本社区的人。"), field="recorder"
                    )
            meetings.save_minutes(
                meeting,
                discussion=form.discussion.data,
                recorder_id=recorder.id if recorder else None,
                reason=form.reason.data,
                actor_id=current_user.id,
            )
        except CommitteeError as exc:
            rollback_and_report(exc, form, field="discussion")
        else:
            return _done(meeting, _("纪要已保存。"), "minutes")
    return _render_meeting(meeting, 422, minutes=form)


@bp.post("/meetings/<int:meeting_id>/close")
@roles_required(Role.SECRETARY)
def close(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    try:
        meetings.close(meeting)
    except CommitteeError as exc:
        rollback_and_report(exc)
        return redirect(url_for(".meeting", meeting_id=meeting.id), 303)
    return _done(meeting, _("会议已结束。"), "minutes")


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id: int):
    """会议纪要, printable: for the secretary and the people who were invited."""
    meeting = db.get_or_404(Meeting, meeting_id)
    rows = meetings.attendance_of(meeting)
    secretary = (
        current_user.has_role(Role.SECRETARY) and current_user.community_id == meeting.community_id
    )
    if not secretary and current_user.id not in {a.user_id for a in rows}:
        abort(403)
    return render_template(
        "committee/minutes.html",
        meeting=meeting,
        rows=rows,
        tally=meetings.count(meeting, rows),
        items=agenda.items_of(meeting),
        kind_label=agenda.kind_label,
        decisions=decisions.of_meeting(meeting),
        printed_at=utcnow(),
    )
