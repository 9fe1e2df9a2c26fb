"""Volunteer applications and profiles.

The cards issue links a volunteer card to a VolunteerProfile (id, user_id, community_id, status).
A suspended profile keeps its history; its card should stop working.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import personal


class VolunteerApplicationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(_APPLICATION_LABELS[self])


_APPLICATION_LABELS = {
    VolunteerApplicationStatus.PENDING: _l("待审核"),
    VolunteerApplicationStatus.APPROVED: _l("已批准"),
    VolunteerApplicationStatus.REJECTED: _l("未通过"),
}


class VolunteerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return str(_PROFILE_LABELS[self])


_PROFILE_LABELS = {
    VolunteerStatus.ACTIVE: _l("在岗"),
    VolunteerStatus.SUSPENDED: _l("已暂停"),
}


class VolunteerApplication(db.Model):
    __tablename__ = "volunteer_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), info=personal("user_id", "volunteer"))
    phone: Mapped[str] = mapped_column(String(11), info=personal("user_id", "volunteer"))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"))
    building: Mapped[str] = mapped_column(
        String(40), default="", info=personal("user_id", "volunteer")
    )
    skills: Mapped[str] = mapped_column(
        String(300), default="", info=personal("user_id", "volunteer")
    )
    availability: Mapped[str] = mapped_column(
        String(200), default="", info=personal("user_id", "volunteer")
    )
    status: Mapped[str] = mapped_column(
        String(12), default=VolunteerApplicationStatus.PENDING, index=True
    )
    review_note: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    estate: Mapped["Estate | None"] = relationship()  # noqa: F821

    @property
    def status_label(self) -> str:
        return VolunteerApplicationStatus(self.status).label


class VolunteerProfile(db.Model):
    __tablename__ = "volunteer_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_applications.id"))
    name: Mapped[str] = mapped_column(String(40), info=personal("user_id", "volunteer"))
    phone: Mapped[str] = mapped_column(String(11), info=personal("user_id", "volunteer"))
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estates.id"), index=True)
    building: Mapped[str] = mapped_column(
        String(40), default="", info=personal("user_id", "volunteer")
    )
    skills: Mapped[str] = mapped_column(
        String(300), default="", info=personal("user_id", "volunteer")
    )
    availability: Mapped[str] = mapped_column(
        String(200), default="", info=personal("user_id", "volunteer")
    )
    status: Mapped[str] = mapped_column(String(12), default=VolunteerStatus.ACTIVE, index=True)
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    # The holder's choice: show the star level on the volunteer card page.
    show_star_on_card: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821
    estate: Mapped["Estate | None"] = relationship()  # noqa: F821
    status_changes: Mapped[list["VolunteerStatusChange"]] = relationship(
        back_populates="profile", order_by="VolunteerStatusChange.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status == VolunteerStatus.ACTIVE

    @property
    def status_label(self) -> str:
        return VolunteerStatus(self.status).label


class VolunteerStatusChange(db.Model):
    __tablename__ = "volunteer_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profiles.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    profile: Mapped[VolunteerProfile] = relationship(back_populates="status_changes")
    actor: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def to_label(self) -> str:
        return VolunteerStatus(self.to_status).label
