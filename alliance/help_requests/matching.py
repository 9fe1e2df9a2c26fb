"""Dispatch help (派单): who could take an order, ranked by a stated score, each with its reasons.

Candidates: the community's active volunteers (skills, estate, availability), its volunteer teams
(the resources list's team entries), its members whose published service commitments fit the
category, the street office's co-building units, and the grid worker of the order's grid
(alliance.grid.membership says which grid; a grid worker is offered only their own grid's orders). The category's `match_skills` and
`match_services` (the secretary edits them) say what fits, the best fit first.

The score, in points:
- fit: a volunteer's skill that the category lists (60 for the first listed, 5 less for each
  later one, at least 40); a member's published service naming one of the category's service
  words (50, 5 less for each later word, at least 30); an entry in the resources list under
  the category (team, member or unit: 45);
- kind of business: a member whose business category usually serves the category (an
  accounting firm for tax help), +15, a hint rather than a fit;
- distance: living or working in the order's estate, or the grid worker of its grid, +20;
- availability: a volunteer who answers at any time ("随叫随到"), +5;
- load: −5 for each order the candidate has open (at most −25);
- rating: (average stars − 3) × 5, from −10 to +10.

A fixed number of statements whatever the number of candidates; the ranking, search and paging
run over the rows in memory (a community has hundreds of volunteers, not millions).
"""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

from alliance.accounts.models import Role, User
from alliance.cards.models import Card
from alliance.co_building.models import ProviderKind, Resource
from alliance.co_building.services import units_of
from alliance.commitments.models import (
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    ServiceDetail,
)
from alliance.communities.models import Estate
from alliance.dashboard.people import find_person
from alliance.extensions import db
from alliance.help_requests.catalogue import MERCHANT_CATEGORY_TO_SERVICE, match_terms
from alliance.help_requests.models import HelpRequest, State
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus
from alliance.validators import normalize_phone
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus

PAGE_SIZE = 20
SKILL_FIT, SERVICE_FIT, RESOURCE_FIT, BUSINESS_HINT = 60, 50, 45, 15
NEAR = 20
ON_CALL = 5
LOAD_STEP, LOAD_FLOOR = 5, -25
ON_CALL_WORDS = ("随叫随到",)


@dataclass
class Candidate:
    kind: str
    id: int
    name: str
    matches: bool
    rating_tenths: int | None  # 45 = 4.5 stars
    reviews: int
    open_load: int
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    detail: str = ""  # skills · estate · availability, or the matching service
    team: bool = False
    search_text: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def rating_label(self) -> str:
        if self.rating_tenths is None:
            return ""
        return f"{self.rating_tenths // 10}.{self.rating_tenths % 10}"


@dataclass
class Ranking:
    """One page of the ranked candidates."""

    items: list[Candidate]
    total: int
    page: int
    pages: int
    query: str = ""

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _stats_by(column, kind: str, ids: list[int]) -> tuple[dict, dict]:
    """Average rating (tenths) and open load per provider id, in two queries."""
    if not ids:
        return {}, {}
    ratings = {
        pid: (total, n)
        for pid, total, n in db.session.execute(
            select(column, func.sum(HelpRequest.rating), func.count(HelpRequest.rating))
            .where(
                HelpRequest.provider_kind == kind, column.in_(ids), HelpRequest.rating.is_not(None)
            )
            .group_by(column)
        )
    }
    loads = dict(
        db.session.execute(
            select(column, func.count(HelpRequest.id))
            .where(
                HelpRequest.provider_kind == kind,
                column.in_(ids),
                HelpRequest.state.in_((State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)),
            )
            .group_by(column)
        ).all()
    )
    return ratings, loads


def _tenths(total, n):
    if not n:
        return None
    return (int(total) * 10 + n // 2) // n


def _first_fit(text: str, terms: list[str]) -> tuple[int, str] | None:
    """(position in the category's list, term) of the earliest listed term found in `text`."""
    for position, term in enumerate(terms):
        if term and term in text:
            return position, term
    return None


def _score_common(c: Candidate, estate_id, order_estate_id) -> None:
    if order_estate_id and estate_id == order_estate_id:
        c.score += NEAR
        c.reasons.append(str(_l("同小区 +%(n)d", n=NEAR)))
    if c.open_load:
        minus = max(LOAD_FLOOR, -LOAD_STEP * c.open_load)
        c.score += minus
        c.reasons.append(str(_l("在办 %(k)d 单 %(n)d", k=c.open_load, n=minus)))
    if c.rating_tenths is not None:
        plus = (c.rating_tenths - 30) // 2
        c.score += plus
        c.reasons.append(
            str(_l("评分 %(r)s（%(k)d 次）%(n)+d", r=c.rating_label, k=c.reviews, n=plus))
        )


def _published_services(community_id: int) -> dict[int, list[str]]:
    """Each member's published service commitments as text (title and what it offers)."""
    rows = db.session.execute(
        select(Commitment.merchant_id, Commitment.title, ServiceDetail.what)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .outerjoin(ServiceDetail, ServiceDetail.commitment_id == Commitment.id)
        .where(
            Merchant.community_id == community_id,
            Commitment.kind == CommitmentKind.SERVICE,
            Commitment.status == CommitmentStatus.PUBLISHED,
        )
    ).all()
    services: dict[int, list[str]] = {}
    for merchant_id, title, what in rows:
        services.setdefault(merchant_id, []).append(f"{title} {what or ''}".strip())
    return services


def candidates_for(order: HelpRequest) -> list[Candidate]:
    """Every candidate for the order, ranked: best score first."""
    category = order.category
    code = category.code
    skills = match_terms(category.match_skills)
    service_words = match_terms(category.match_services)
    office_id = order.community.street_office_id
    merchants = db.session.scalars(
        select(Merchant)
        .where(
            Merchant.community_id == order.community_id, Merchant.status == MerchantStatus.ACTIVE
        )
        .order_by(Merchant.number)
    ).all()
    volunteers = db.session.scalars(
        select(VolunteerProfile)
        .where(
            VolunteerProfile.community_id == order.community_id,
            VolunteerProfile.status == VolunteerStatus.ACTIVE,
        )
        .order_by(VolunteerProfile.id)
    ).all()
    units = units_of(office_id)
    listed = db.session.execute(
        select(
            Resource.provider_kind,
            Resource.merchant_id,
            Resource.unit_id,
            Resource.volunteer_id,
            Resource.team_name,
            Resource.title,
        ).where(
            Resource.active,
            Resource.category_code == code,
            Resource.street_office_id == office_id,
        )
    ).all()
    listed_merchants = {m: t for _k, m, _u, _v, _n, t in listed if m}
    listed_units = {u: t for _k, _m, u, _v, _n, t in listed if u}
    listed_volunteers = {v: t for _k, _m, _u, v, n, t in listed if v and not n}
    teams = [(v, n, t) for _k, _m, _u, v, n, t in listed if v and n]
    services = _published_services(order.community_id)
    estate_names = dict(
        db.session.execute(
            select(Estate.id, Estate.name).where(Estate.community_id == order.community_id)
        ).all()
    )

    candidates: list[Candidate] = []
    v_ratings, v_loads = _stats_by(
        HelpRequest.provider_volunteer_id, ProviderKind.VOLUNTEER, [v.id for v in volunteers]
    )
    by_volunteer = {v.id: v for v in volunteers}
    for v in volunteers:
        total, n = v_ratings.get(v.id, (0, 0))
        c = Candidate(
            ProviderKind.VOLUNTEER, v.id, v.name, False, _tenths(total, n), n, v_loads.get(v.id, 0)
        )
        fit = _first_fit(v.skills or "", skills)
        if fit is not None:
            points = max(40, SKILL_FIT - 5 * fit[0])
            c.score += points
            c.matches = True
            c.reasons.append(str(_l("技能「%(s)s」+%(n)d", s=fit[1], n=points)))
        elif v.id in listed_volunteers:
            c.score += RESOURCE_FIT
            c.matches = True
            c.reasons.append(str(_l("资源清单登记了这类服务 +%(n)d", n=RESOURCE_FIT)))
        if any(word in (v.availability or "") for word in ON_CALL_WORDS):
            c.score += ON_CALL
            c.reasons.append(str(_l("随叫随到 +%(n)d", n=ON_CALL)))
        _score_common(c, v.estate_id, order.estate_id)
        c.detail = " · ".join(
            part for part in (v.skills, estate_names.get(v.estate_id, ""), v.availability) if part
        )
        c.search_text = f"{v.name} {v.skills or ''}"
        candidates.append(c)
    for lead_id, team_name, title in teams:
        lead = by_volunteer.get(lead_id)
        if lead is None:
            continue
        total, n = v_ratings.get(lead.id, (0, 0))
        c = Candidate(
            ProviderKind.VOLUNTEER,
            lead.id,
            str(_l("%(team)s（负责人 %(name)s）", team=team_name, name=lead.name)),
            True,
            _tenths(total, n),
            n,
            v_loads.get(lead.id, 0),
            team=True,
        )
        c.score += RESOURCE_FIT
        c.reasons.append(str(_l("志愿队伍：%(t)s +%(n)d", t=title, n=RESOURCE_FIT)))
        _score_common(c, lead.estate_id, order.estate_id)
        c.detail = title
        c.search_text = f"{team_name} {lead.name} {title}"
        candidates.append(c)

    m_ratings, m_loads = _stats_by(
        HelpRequest.provider_merchant_id, ProviderKind.MERCHANT, [m.id for m in merchants]
    )
    for m in merchants:
        total, n = m_ratings.get(m.id, (0, 0))
        c = Candidate(
            ProviderKind.MERCHANT, m.id, m.name, False, _tenths(total, n), n, m_loads.get(m.id, 0)
        )
        best = None
        for text in services.get(m.id, []):
            fit = _first_fit(text, service_words)
            if fit is not None and (best is None or fit[0] < best[0][0]):
                best = (fit, text)
        if best is not None:
            points = max(30, SERVICE_FIT - 5 * best[0][0])
            c.score += points
            c.matches = True
            c.reasons.append(str(_l("服务承诺「%(s)s」+%(n)d", s=best[1][:40], n=points)))
            c.detail = best[1][:80]
        elif m.id in listed_merchants:
            c.score += RESOURCE_FIT
            c.matches = True
            c.reasons.append(
                str(_l("资源清单：%(t)s +%(n)d", t=listed_merchants[m.id], n=RESOURCE_FIT))
            )
            c.detail = listed_merchants[m.id]
        if MERCHANT_CATEGORY_TO_SERVICE.get(m.category) == code:
            c.score += BUSINESS_HINT
            c.reasons.append(
                str(_l("经营类别「%(c)s」相近 +%(n)d", c=m.category_label, n=BUSINESS_HINT))
            )
        _score_common(c, m.estate_id, order.estate_id)
        c.search_text = f"{m.name} {' '.join(services.get(m.id, []))}"
        candidates.append(c)

    u_ratings, u_loads = _stats_by(
        HelpRequest.provider_unit_id, ProviderKind.UNIT, [u.id for u in units]
    )
    for u in units:
        total, n = u_ratings.get(u.id, (0, 0))
        c = Candidate(
            ProviderKind.UNIT, u.id, u.name, False, _tenths(total, n), n, u_loads.get(u.id, 0)
        )
        if u.id in listed_units:
            c.score += RESOURCE_FIT
            c.matches = True
            c.reasons.append(
                str(_l("资源清单：%(t)s +%(n)d", t=listed_units[u.id], n=RESOURCE_FIT))
            )
            c.detail = listed_units[u.id]
        _score_common(c, None, order.estate_id)
        c.search_text = u.name
        candidates.append(c)

    candidates.extend(_grid_workers(order))
    candidates.sort(key=lambda c: (-c.score, not c.matches, c.open_load, c.kind, c.id))
    return candidates


def _grid_workers(order: HelpRequest) -> list[Candidate]:
    """The worker of the order's grid, if the grid has one who may take orders."""
    from alliance.grid.membership import grid_of_order  # the grid domain sits above

    grid = grid_of_order(order)
    if grid is None or grid.worker_id is None:
        return []
    worker = db.session.get(User, grid.worker_id)
    if (
        worker is None
        or not worker.active
        or worker.community_id != order.community_id
        or not worker.has_role(Role.GRID_WORKER)
    ):
        return []
    ratings, loads = _stats_by(HelpRequest.provider_user_id, ProviderKind.GRID_WORKER, [worker.id])
    total, n = ratings.get(worker.id, (0, 0))
    c = Candidate(
        ProviderKind.GRID_WORKER,
        worker.id,
        worker.display_name,
        False,
        _tenths(total, n),
        n,
        loads.get(worker.id, 0),
    )
    c.score += NEAR
    c.reasons.append(str(_l("本网格的网格员 +%(n)d", n=NEAR)))
    _score_common(c, None, order.estate_id)
    c.detail = grid.name
    c.search_text = f"{worker.display_name} {grid.name}"
    return [c]


def rank_providers(order: HelpRequest, limit: int = PAGE_SIZE) -> list[Candidate]:
    """The best `limit` candidates (the first page without a search)."""
    return candidates_for(order)[:limit]


def named_by(community_id: int, query: str) -> set[str]:
    """Keys of the candidates `query` names as a person (phone, card number, username or name,
    through the people search): that person's volunteer profile (and the team they lead) and
    the members they work for, and them as a grid worker; also a member whose contact phone it
    is, or whose alliance card number. At most four statements, only when searching."""
    found = find_person([community_id], query)
    phone = normalize_phone(query)
    volunteer = [VolunteerProfile.phone == phone] if phone else []
    card_numbers = {query, query.upper()}
    member = [Merchant.id.in_(select(Card.merchant_id).where(Card.number.in_(card_numbers)))]
    if phone:
        member.append(Merchant.contact_phone == phone)
    if found.person is not None:
        volunteer.append(VolunteerProfile.user_id == found.person.id)
        member.append(
            Merchant.id.in_(
                select(MerchantStaff.merchant_id).where(MerchantStaff.user_id == found.person.id)
            )
        )
    keys = {f"{ProviderKind.GRID_WORKER}:{found.person.id}"} if found.person is not None else set()
    keys |= {
        f"{ProviderKind.MERCHANT}:{i}"
        for i in db.session.scalars(
            select(Merchant.id).where(Merchant.community_id == community_id, or_(*member))
        )
    }
    if volunteer:
        keys |= {
            f"{ProviderKind.VOLUNTEER}:{i}"
            for i in db.session.scalars(
                select(VolunteerProfile.id).where(
                    VolunteerProfile.community_id == community_id, or_(*volunteer)
                )
            )
        }
    return keys


def ranking(order: HelpRequest, *, query: str = "", page: int = 1) -> Ranking:
    """One page of the ranked candidates whose name or skills contain `query`, or whom it
    names by phone or card number (`named_by`)."""
    query = " ".join((query or "").split())[:40]
    rows = candidates_for(order)
    if query:
        named = named_by(order.community_id, query)
        rows = [c for c in rows if query in c.search_text or c.key in named]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    return Ranking(rows[start : start + PAGE_SIZE], len(rows), page, pages, query)
