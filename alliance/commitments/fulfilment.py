"""践诺: notes on whether a published commitment was kept, and residents' reports of broken
commitments.

Services add and flush, never commit; views (and the CLI/demo) commit once.
"""

from datetime import date

from sqlalchemy import select

from alliance.accounts.models import User
from alliance.clock import local_today
from alliance.commitments.drafting import TEXT_MAX, clean_text
from alliance.commitments.errors import CommitmentError, WrongState
from alliance.commitments.models import (
    BrokenCommitmentReport,
    Commitment,
    CommitmentStatus,
    FulfilmentNote,
    ReportStatus,
)
from alliance.commitments.workflow import tell_staff
from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


def record_note(
    commitment: Commitment, secretary: User, *, kept: bool, note: str, noted_on: date
) -> FulfilmentNote:
    if not commitment.is_public:
        raise WrongState(_l("只能为已公示的承诺记录践诺情况。"))
    text = clean_text(note, TEXT_MAX, "note", _l("说明"))
    if noted_on is None:
        raise CommitmentError(_l("请填写日期。"), field="noted_on")
    if noted_on > local_today():
        raise CommitmentError(_l("日期不能晚于今天。"), field="noted_on")
    entry = FulfilmentNote(
        commitment_id=commitment.id,
        community_id=commitment.community_id,
        kept=bool(kept),
        note=text,
        noted_on=noted_on,
        recorded_by_id=secretary.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def report_broken(commitment: Commitment, reporter: User, text: str) -> BrokenCommitmentReport:
    if commitment.status != CommitmentStatus.PUBLISHED:
        raise WrongState(_l("只能举报正在公示的承诺。"))
    body = clean_text(text, TEXT_MAX, "text", _l("情况说明"))
    if len(body) < 5:
        raise CommitmentError(_l("请把情况写清楚（至少5个字）。"), field="text")
    duplicate = db.session.scalar(
        select(BrokenCommitmentReport.id).where(
            BrokenCommitmentReport.commitment_id == commitment.id,
            BrokenCommitmentReport.reporter_id == reporter.id,
            BrokenCommitmentReport.status == ReportStatus.OPEN,
        )
    )
    if duplicate is not None:
        raise WrongState(_l("您已经反映过这条承诺，社区正在处理。"))
    report = BrokenCommitmentReport(
        commitment_id=commitment.id,
        community_id=commitment.community_id,
        reporter_id=reporter.id,
        text=body,
    )
    db.session.add(report)
    db.session.flush()
    tell_staff(commitment, "commitment.reported")
    return report


def handle_report(report: BrokenCommitmentReport, secretary: User, note: str) -> None:
    if report.status != ReportStatus.OPEN:
        raise WrongState(_l("这条反映已经处理过了。"))
    text = clean_text(note, TEXT_MAX, "note", _l("处理说明"))
    if not text:
        raise CommitmentError(_l("请填写处理说明。"), field="note")
    report.status = ReportStatus.HANDLED
    report.handled_note = text
    report.handled_by_id = secretary.id
    report.handled_at = utcnow()
    db.session.flush()
