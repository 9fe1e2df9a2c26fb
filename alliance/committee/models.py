"""The coordination committee (协调委员会): its members, meeting series, meetings with their
attendance, agenda and minutes, members' proposals and the numbered decisions.

A member is a person with a role for a term; `active` turns false when the term is ended, and a
partial unique index keeps one current liaison officer per alliance member.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class MemberRole(StrEnum):
    CHAIR = "chair"
    LIAISON = "liaison"
    BUSINESS_HEAD = "business_head"
    RESIDENT_REP = "resident_rep"
    VOLUNTEER_REP = "volunteer_rep"
    STREET_CONTACT = "street_contact"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    MemberRole.CHAIR: _l("主任（社区党支部书记）"),
    MemberRole.LIAISON: _l("联络员"),
    MemberRole.BUSINESS_HEAD: _l("企业负责人"),
    MemberRole.RESIDENT_REP: _l("居民代表"),
    MemberRole.VOLUNTEER_REP: _l("志愿者代表"),
    MemberRole.STREET_CONTACT: _l("街道联系人"),
}


class SeriesKind(StrEnum):
    LIAISON = "liaison"  # 联络员月商谈
    HEADS = "heads"  # 企业负责人季商谈

    @property
    def label(self) -> str:
        return str(SERIES_LABELS[self])


SERIES_LABELS = {SeriesKind.LIAISON: _l("联络员月商谈"), SeriesKind.HEADS: _l("企业负责人季商谈")}


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    CLOSED = "closed"


class Presence(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"

    @property
    def label(self) -> str:
        return str(PRESENCE_LABELS[self])


PRESENCE_LABELS = {
    Presence.PRESENT: _l("出席"),
    Presence.ABSENT: _l("缺席"),
    Presence.EXCUSED: _l("请假"),
}


class DecisionState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return str(DECISION_LABELS[self])


DECISION_LABELS = {
    DecisionState.OPEN: _l("待办"),
    DecisionState.IN_PROGRESS: _l("办理中"),
    DecisionState.DONE: _l("已完成"),
    DecisionState.DROPPED: _l("已撤销"),
}
UNDONE_STATES = (DecisionState.OPEN, DecisionState.IN_PROGRESS)


class CommitteeMember(db.Model):
    __tablename__ = "committee_members"
    __table_args__ = (
        Index(
            "uq_committee_members_liaison",
            "merchant_id",
            unique=True,
            sqlite_where=text("role = 'liaison' AND active"),
            postgresql_where=text("role = 'liaison' AND active"),
        ),
        CheckConstraint("term_end IS NULL OR term_end >= term_start", name="term_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    # The alliance member a liaison officer or business head speaks for.
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821
    merchant: Mapped["Merchant | None"] = relationship()  # noqa: F821

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label


class MeetingSeries(db.Model):
    __tablename__ = "committee_series"
    __table_args__ = (
        UniqueConstraint("community_id", "kind", name="uq_committee_series_kind"),
        CheckConstraint(
            "quorum_percent IS NULL OR (quorum_percent >= 1 AND quorum_percent <= 100)",
            name="quorum_range",
        ),
        CheckConstraint("interval_months >= 1 AND interval_months <= 12", name="interval_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    interval_months: Mapped[int] = mapped_column(Integer)
    # Who is invited: the current members with these roles (comma-separated MemberRole values).
    roles: Mapped[str] = mapped_column(String(120))
    # None: more than half of those invited.
    quorum_percent: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(120), default="")

    @property
    def label(self) -> str:
        return SeriesKind(self.kind).label

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class Meeting(db.Model):
    __tablename__ = "committee_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("committee_series.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str] = mapped_column(String(120))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=MeetingStatus.PLANNED, index=True)
    discussion: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    series: Mapped[MeetingSeries] = relationship()
    community: Mapped["Community"] = relationship()  # noqa: F821
    chair: Mapped["User | None"] = relationship(foreign_keys=[chair_id])  # noqa: F821
    recorder: Mapped["User | None"] = relationship(foreign_keys=[recorder_id])  # noqa: F821

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED


class Attendance(db.Model):
    """One invited member at one meeting; the remark is the secretary's and never public."""

    __tablename__ = "committee_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_committee_attendance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=Presence.ABSENT)
    method: Mapped[str] = mapped_column(String(8), default="")  # "card" or "ticked"
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remark: Mapped[str] = mapped_column(String(200), default="")

    member: Mapped[CommitteeMember] = relationship()

    @property
    def status_label(self) -> str:
        return Presence(self.status).label


class Proposal(db.Model):
    """An item for a coming meeting: a liaison officer's proposal, or what a meeting without
    its quorum could not decide (then it carries the owner and due date it would have had)."""

    __tablename__ = "committee_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("committee_meetings.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    decided: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgendaItem(db.Model):
    __tablename__ = "committee_agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "source_key", name="uq_committee_agenda_src"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    # What the item came from ("decision:12", "order:5" …): building twice adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class Decision(db.Model):
    __tablename__ = "committee_decisions"
    __table_args__ = (
        UniqueConstraint("community_id", "year", "seq", name="uq_committee_decisions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(12), default=DecisionState.OPEN, index=True)
    drop_reason: Mapped[str] = mapped_column(String(300), default="")
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_requests.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("help_projects.id"))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    # A rule change links the other way (RuleVersion.decision_id), so the tables do not cycle.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("committee_proposals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()
    community: Mapped["Community"] = relationship()  # noqa: F821
    owner: Mapped["User"] = relationship()  # noqa: F821

    @property
    def number(self) -> str:
        short = self.community.name.removesuffix("社区")
        return f"{short}〔{self.year}〕{self.seq}号"

    @property
    def state_label(self) -> str:
        return DecisionState(self.state).label

    @property
    def is_undone(self) -> bool:
        return self.state in UNDONE_STATES


class MinutesEdit(db.Model):
    """A change to the minutes after the meeting closed, with who and why."""

    __tablename__ = "committee_minutes_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meetings.id"), index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
