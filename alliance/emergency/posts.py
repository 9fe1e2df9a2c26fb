"""Pioneer posts (党员先锋岗) and responsibility zones (责任区): one named person each.

A zone covers estates, grids and hazard points and is answered for by a party member; a post is
a place with a duty and its people. Either one without a named person is a gap, and so is an
estate no zone covers: the console lists both.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from alliance.accounts.models import User
from alliance.audit.services import acting_as
from alliance.communities.models import Community, Estate, Grid
from alliance.emergency.models import EmergencyPost, PostArea, PostKind
from alliance.emergency.roster import find_on_roster, membership_of
from alliance.emergency.services import EmergencyError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


@dataclass
class PostInput:
    kind: str
    name: str
    place: str = ""
    duty: str = ""
    hazard_points: str = ""
    responsible: str = ""
    estate_ids: tuple[int, ...] = ()
    grid_ids: tuple[int, ...] = ()


def _responsible(community: Community, identifier: str, kind: str) -> User | None:
    if not (identifier or "").strip():
        return None
    person = find_on_roster(community, identifier, "responsible")
    if kind == PostKind.ZONE and membership_of(person.id) is None:
        raise EmergencyError(
            _l(
                "责任区的包保责任人应是党员：%(name)s还没有亮明党员身份。", name=person.display_name
            ),
            code="not_party_member",
            field="responsible",
        )
    return person


def create_post(community: Community, data: PostInput, *, actor: User | None) -> EmergencyPost:
    if data.kind not in set(PostKind):
        raise EmergencyError(_l("请选择类型。"), field="kind")
    name = (data.name or "").strip()
    if not name or len(name) > 60:
        raise EmergencyError(_l("请填写名称（最多 60 字）。"), field="name")
    estates = {
        e.id
        for e in db.session.scalars(
            select(Estate).where(
                Estate.community_id == community.id, Estate.id.in_(data.estate_ids)
            )
        )
    }
    grids = {
        g.id
        for g in db.session.scalars(
            select(Grid).where(Grid.community_id == community.id, Grid.id.in_(data.grid_ids))
        )
    }
    if set(data.estate_ids) - estates or set(data.grid_ids) - grids:
        raise EmergencyError(_l("请选择本社区的小区和网格。"), field="estate_ids")
    hazards = (data.hazard_points or "").strip()
    if data.kind == PostKind.ZONE and not (estates or grids or hazards):
        raise EmergencyError(_l("责任区要覆盖小区、网格或隐患点。"), field="estate_ids")
    person = _responsible(community, data.responsible, data.kind)
    post = EmergencyPost(
        community_id=community.id,
        kind=data.kind,
        name=name,
        place=(data.place or "").strip()[:120],
        duty=(data.duty or "").strip()[:300],
        hazard_points=hazards[:2000],
        responsible_id=person.id if person else None,
    )
    post.areas = [PostArea(community_id=community.id, estate_id=e) for e in sorted(estates)] + [
        PostArea(community_id=community.id, grid_id=g) for g in sorted(grids)
    ]
    try:
        with acting_as(actor), db.session.begin_nested():
            db.session.add(post)
            db.session.flush()
    except IntegrityError as exc:
        raise EmergencyError(_l("本社区已经有同名的责任区或先锋岗。"), field="name") from exc
    return post


def name_responsible(post: EmergencyPost, identifier: str, *, actor: User | None) -> EmergencyPost:
    community = db.session.get(Community, post.community_id)
    person = _responsible(community, identifier, post.kind)
    with acting_as(actor):
        post.responsible_id = person.id if person else None
        db.session.flush()
    return post


def posts_of(community_id: int) -> list[EmergencyPost]:
    return list(
        db.session.scalars(
            select(EmergencyPost)
            .where(EmergencyPost.community_id == community_id)
            .options(
                joinedload(EmergencyPost.responsible),
                selectinload(EmergencyPost.areas).joinedload(PostArea.estate),
                selectinload(EmergencyPost.areas).joinedload(PostArea.grid),
            )
            .order_by(EmergencyPost.kind.desc(), EmergencyPost.id)
        )
    )


@dataclass(frozen=True)
class Gaps:
    unnamed: list[EmergencyPost]  # zones and posts without a named person
    uncovered_estates: list[Estate]  # estates no zone covers


def gaps(community_id: int) -> Gaps:
    """Two statements, whatever the number of posts and people."""
    unnamed = list(
        db.session.scalars(
            select(EmergencyPost)
            .where(
                EmergencyPost.community_id == community_id,
                EmergencyPost.responsible_id.is_(None),
            )
            .order_by(EmergencyPost.id)
        )
    )
    covered = (
        select(PostArea.estate_id)
        .join(EmergencyPost, EmergencyPost.id == PostArea.post_id)
        .where(
            EmergencyPost.community_id == community_id,
            EmergencyPost.kind == PostKind.ZONE,
            PostArea.estate_id.is_not(None),
        )
    )
    uncovered = list(
        db.session.scalars(
            select(Estate)
            .where(Estate.community_id == community_id, Estate.id.not_in(covered))
            .order_by(Estate.id)
        )
    )
    return Gaps(unnamed, uncovered)
