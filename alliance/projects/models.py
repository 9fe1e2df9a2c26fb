"""Projects (项目清单): needs and resources matched into one piece of work."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.co_building.models import Resource
from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.i18n import lazy_gettext as _l

project_requests = Table(
    "project_requests",
    db.metadata,
    Column("project_id", ForeignKey("help_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("help_request_id", ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True),
)


project_resources = Table(
    "project_resources",
    db.metadata,
    Column("project_id", ForeignKey("help_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("resource_id", ForeignKey("help_resources.id", ondelete="CASCADE"), primary_key=True),
)


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return str(PROJECT_STATUS_LABELS[self])


PROJECT_STATUS_LABELS = {
    ProjectStatus.PLANNED: _l("筹备中"),
    ProjectStatus.RUNNING: _l("进行中"),
    ProjectStatus.FINISHED: _l("已完成"),
}


class Project(db.Model):
    """项目清单: needs and resources matched into one piece of work."""

    __tablename__ = "help_projects"
    __table_args__ = (UniqueConstraint("community_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    category_code: Mapped[str] = mapped_column(String(32), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    schedule: Mapped[str] = mapped_column(String(300), default="")
    outcome: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default=ProjectStatus.PLANNED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requests: Mapped[list[HelpRequest]] = relationship(
        secondary=project_requests, order_by=HelpRequest.id
    )
    resources: Mapped[list[Resource]] = relationship(
        secondary=project_resources, order_by=Resource.id
    )

    @property
    def status_label(self) -> str:
        return ProjectStatus(self.status).label
