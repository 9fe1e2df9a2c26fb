"""Emergency mode (平急转换): responses and their logged changes of level.

A response covers one community, or a whole street office (every community under it follows).
Levels are kept as official notices write them, IV (lowest) to I (highest); a drill (演练) is a
flag that marks everything the response says. Every start, raise, lower and end is a
`ResponseChange` row with who, when and why; the audit log records the same rows.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import personal


class Scope(StrEnum):
    COMMUNITY = "community"
    STREET_OFFICE = "street_office"


class Kind(StrEnum):
    FLOOD = "flood"
    STORM = "storm"
    GEOLOGICAL = "geological"
    EPIDEMIC = "epidemic"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.FLOOD: _l("防汛"),
    Kind.STORM: _l("台风暴雨"),
    Kind.GEOLOGICAL: _l("地质灾害"),
    Kind.EPIDEMIC: _l("疫情防控"),
    Kind.OTHER: _l("其他突发事件"),
}

# Official order: IV is the lowest, I the highest. The rank makes "raise" and "lower" plain.
LEVELS = ("IV", "III", "II", "I")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS, start=1)}
LEVEL_NUMERALS = {"IV": "Ⅳ", "III": "Ⅲ", "II": "Ⅱ", "I": "Ⅰ"}


def level_text(level: str) -> str:
    """ "IV" → "Ⅳ级" (as response notices write it)."""
    return f"{LEVEL_NUMERALS.get(level, level)}级"


class ChangeAction(StrEnum):
    START = "start"
    RAISE = "raise"
    LOWER = "lower"
    END = "end"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    ChangeAction.START: _l("启动"),
    ChangeAction.RAISE: _l("提升"),
    ChangeAction.LOWER: _l("降低"),
    ChangeAction.END: _l("终止"),
}


class EmergencyResponse(db.Model):
    __tablename__ = "emergency_responses"
    __table_args__ = (Index("ix_emergency_responses_office_ended", "street_office_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    # The street office is set for both scopes: a community's response belongs to its office.
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_offices.id"))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(4))
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "c<community id>" or "s<street office id>" while running, NULL once ended: the database
    # lets one response run per community and per street office, whoever starts it first.
    running_key: Mapped[str | None] = mapped_column(String(24), unique=True)

    community: Mapped["Community | None"] = relationship()  # noqa: F821
    street_office: Mapped["StreetOffice"] = relationship()  # noqa: F821
    changes: Mapped[list["ResponseChange"]] = relationship(
        back_populates="response", order_by="ResponseChange.id", cascade="all, delete-orphan"
    )

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def level_text(self) -> str:
        return level_text(self.level)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def code(self) -> str:
        return self.community.code if self.community_id else self.street_office.code

    @property
    def place_name(self) -> str:
        return self.community.name if self.community_id else self.street_office.name


class ResponseChange(db.Model):
    """One logged event of a response: started, raised, lowered, ended."""

    __tablename__ = "emergency_response_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_responses.id", ondelete="CASCADE"), index=True
    )
    # Lets the audit log file the change under the community (None for a street office's).
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    action: Mapped[str] = mapped_column(String(8))
    from_level: Mapped[str | None] = mapped_column(String(4))
    to_level: Mapped[str | None] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "web" or "cli" (an operator's command without --by).
    source: Mapped[str] = mapped_column(String(8), default="web")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[EmergencyResponse] = relationship(back_populates="changes")
    actor: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def from_level_text(self) -> str:
        return level_text(self.from_level) if self.from_level else ""

    @property
    def to_level_text(self) -> str:
        return level_text(self.to_level) if self.to_level else ""

    @property
    def action_label(self) -> str:
        return ChangeAction(self.action).label


class PartyStatus(StrEnum):
    MEMBER = "member"
    PROBATIONARY = "probationary"
    ACTIVIST = "activist"

    @property
    def label(self) -> str:
        return str(PARTY_LABELS[self])


PARTY_LABELS = {
    PartyStatus.MEMBER: _l("党员"),
    PartyStatus.PROBATIONARY: _l("预备党员"),
    PartyStatus.ACTIVIST: _l("入党积极分子"),
}


class PartyMembership(db.Model):
    """亮身份: a volunteer or staff member's own record of party membership and branch."""

    __tablename__ = "emergency_party_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), info=personal("user_id", "emergency"))
    branch: Mapped[str] = mapped_column(String(80), info=personal("user_id", "emergency"))
    show_on_card: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def status_label(self) -> str:
        return PartyStatus(self.status).label


class TeamKind(StrEnum):
    COMMANDO = "commando"
    VOLUNTEER = "volunteer"

    @property
    def label(self) -> str:
        return str(TEAM_LABELS[self])


TEAM_LABELS = {TeamKind.COMMANDO: _l("党员突击队"), TeamKind.VOLUNTEER: _l("志愿服务队")}


class TaskForce(db.Model):
    __tablename__ = "emergency_task_forces"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(16))
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    leader: Mapped["User"] = relationship()  # noqa: F821

    @property
    def kind_label(self) -> str:
        return TeamKind(self.kind).label


class TaskForceMember(db.Model):
    __tablename__ = "emergency_task_force_members"
    __table_args__ = (UniqueConstraint("task_force_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_force_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_task_forces.id", ondelete="CASCADE"), index=True
    )
    # Lets the audit log file the change under the community.
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821


class CallUp(db.Model):
    """集结令: one call to one team to gather at a point; each member's answer is a row."""

    __tablename__ = "emergency_call_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_force_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_task_forces.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("emergency_responses.id"), index=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    assembly_point: Mapped[str] = mapped_column(String(120))
    task: Mapped[str] = mapped_column(String(300), default="")
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stood_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "t<team id>" while the team is called up: one open call-up per team.
    open_key: Mapped[str | None] = mapped_column(String(24), unique=True)
    # At stand-down the arrivals' hours become an emergency activity (activities and points).
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))

    task_force: Mapped[TaskForce] = relationship()
    response: Mapped[EmergencyResponse] = relationship()

    @property
    def is_open(self) -> bool:
        return self.stood_down_at is None


class AnswerState(StrEnum):
    CALLED = "called"
    COMING = "coming"
    CANNOT = "cannot"
    ARRIVED = "arrived"

    @property
    def label(self) -> str:
        return str(ANSWER_LABELS[self])


ANSWER_LABELS = {
    AnswerState.CALLED: _l("未回复"),
    AnswerState.COMING: _l("到（在路上）"),
    AnswerState.CANNOT: _l("不能到"),
    AnswerState.ARRIVED: _l("已到达"),
}


class CallUpAnswer(db.Model):
    """One member's state in a call-up: called → coming / cannot → arrived (a turn-out)."""

    __tablename__ = "emergency_call_up_answers"
    __table_args__ = (UniqueConstraint("call_up_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_up_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_call_ups.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(8), default=AnswerState.CALLED)
    reason: Mapped[str] = mapped_column(
        String(200), default="", info=personal("user_id", "emergency")
    )
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821
    call_up: Mapped[CallUp] = relationship()

    @property
    def state_label(self) -> str:
        return AnswerState(self.state).label


class PostKind(StrEnum):
    ZONE = "zone"
    POST = "post"

    @property
    def label(self) -> str:
        return str(POST_LABELS[self])


POST_LABELS = {PostKind.ZONE: _l("责任区"), PostKind.POST: _l("党员先锋岗")}


class EmergencyPost(db.Model):
    """A responsibility zone (责任区: grids, estates, hazard points) or a pioneer post (党员先锋岗:
    a place with a duty). One named person answers for it; without one it is a gap."""

    __tablename__ = "emergency_posts"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(60))
    place: Mapped[str] = mapped_column(String(120), default="")
    duty: Mapped[str] = mapped_column(String(300), default="")
    hazard_points: Mapped[str] = mapped_column(Text, default="")
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    responsible: Mapped["User | None"] = relationship()  # noqa: F821
    areas: Mapped[list["PostArea"]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostArea.id"
    )

    @property
    def kind_label(self) -> str:
        return PostKind(self.kind).label

    @property
    def area_names(self) -> list[str]:
        return [a.estate.name if a.estate else a.grid.name for a in self.areas]


class PostArea(db.Model):
    """An estate or a grid a zone or post covers."""

    __tablename__ = "emergency_post_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_posts.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)

    post: Mapped[EmergencyPost] = relationship(back_populates="areas")
    estate: Mapped["Estate | None"] = relationship()  # noqa: F821
    grid: Mapped["Grid | None"] = relationship()  # noqa: F821


class DutyShift(db.Model):
    """One shift of the 24-hour duty (24小时值班) with its leader (带班领导) and people."""

    __tablename__ = "emergency_duty_shifts"
    __table_args__ = (Index("ix_emergency_duty_shifts_when", "community_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120), default="")
    handover_note: Mapped[str] = mapped_column(Text, default="")
    handover_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    people: Mapped[list["DutyAssignment"]] = relationship(
        back_populates="shift",
        cascade="all, delete-orphan",
        order_by="(DutyAssignment.is_leader.desc(), DutyAssignment.id)",
    )


class DutyAssignment(db.Model):
    __tablename__ = "emergency_duty_assignments"
    __table_args__ = (UniqueConstraint("shift_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_duty_shifts.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[DutyShift] = relationship(back_populates="people")
    user: Mapped["User"] = relationship()  # noqa: F821
