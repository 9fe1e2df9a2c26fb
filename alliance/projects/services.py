"""Projects (项目清单). Services flush, never commit."""

from dataclasses import dataclass, field

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from alliance.accounts.models import User
from alliance.co_building.models import Resource
from alliance.communities.models import Community
from alliance.extensions import db
from alliance.help_requests.errors import HelpRequestError
from alliance.help_requests.models import (
    HelpRequest,
)
from alliance.i18n import lazy_gettext as _l
from alliance.projects.models import Project, ProjectStatus


@dataclass
class ProjectInput:
    title: str
    summary: str = ""
    schedule: str = ""
    outcome: str = ""
    status: str = "planned"
    category_code: str = ""
    request_ids: list[int] = field(default_factory=list)
    resource_ids: list[int] = field(default_factory=list)


def save_project(
    community: Community, actor: User, data: ProjectInput, project: Project | None = None
) -> Project:

    title = (data.title or "").strip()
    if not title:
        raise HelpRequestError(_l("请填写项目名称。"), field="title")
    if data.status not in set(ProjectStatus):
        raise HelpRequestError(_l("请选择项目状态。"), field="status")
    clash = db.session.scalar(
        select(Project.id).where(Project.community_id == community.id, Project.title == title)
    )
    if clash and (project is None or clash != project.id):
        raise HelpRequestError(_l("已有同名项目。"), field="title")
    requests_ = list(
        db.session.scalars(
            select(HelpRequest).where(
                HelpRequest.id.in_(data.request_ids or []), HelpRequest.community_id == community.id
            )
        )
    )
    if len(requests_) != len(set(data.request_ids or [])):
        raise HelpRequestError(_l("只能关联本社区的需求。"), field="request_ids")
    resources = list(
        db.session.scalars(
            select(Resource).where(
                Resource.id.in_(data.resource_ids or []),
                Resource.street_office_id == community.street_office_id,
                or_(Resource.community_id == community.id, Resource.community_id.is_(None)),
            )
        )
    )
    if len(resources) != len(set(data.resource_ids or [])):
        raise HelpRequestError(_l("只能关联本社区可用的资源。"), field="resource_ids")
    if project is None:
        project = Project(community_id=community.id, created_by_id=actor.id)
        db.session.add(project)
    project.title = title[:120]
    project.summary = (data.summary or "").strip()[:500]
    project.schedule = (data.schedule or "").strip()[:300]
    project.outcome = (data.outcome or "").strip()[:500]
    project.status = data.status
    project.category_code = data.category_code or ""
    project.requests = requests_
    project.resources = resources
    db.session.flush()
    return project


def projects_of(community_ids) -> Select:
    return (
        select(Project)
        .where(Project.community_id.in_(community_ids))
        .options(selectinload(Project.requests), selectinload(Project.resources))
        .order_by(Project.created_at.desc(), Project.id.desc())
    )
