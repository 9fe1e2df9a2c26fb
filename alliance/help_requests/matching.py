"""Dispatch help: who could take an order, ranked by fit, load and record."""

from dataclasses import dataclass

from sqlalchemy import func, select

from alliance.co_building.models import ProviderKind, Resource
from alliance.co_building.services import units_of
from alliance.extensions import db
from alliance.help_requests.catalogue import MERCHANT_CATEGORY_TO_SERVICE
from alliance.help_requests.models import (
    HelpRequest,
    State,
)
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.volunteers.models import VolunteerProfile, VolunteerStatus


@dataclass
class Candidate:
    kind: str
    id: int
    name: str
    matches: bool
    rating_tenths: int | None  # 45 = 4.5 stars
    reviews: int
    open_load: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def rating_label(self) -> str:
        if self.rating_tenths is None:
            return ""
        return f"{self.rating_tenths // 10}.{self.rating_tenths % 10}"


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


def rank_providers(order: HelpRequest, limit: int = 20) -> list[Candidate]:
    """Members, volunteers and co-building units ranked by category match, rating, open load.

    A fixed number of queries whatever the number of providers."""
    code = order.category.code
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
    units = units_of(order.community.street_office_id)
    matched = db.session.execute(
        select(
            Resource.provider_kind, Resource.merchant_id, Resource.unit_id, Resource.volunteer_id
        ).where(
            Resource.active,
            Resource.category_code == code,
            Resource.street_office_id == order.community.street_office_id,
        )
    ).all()
    matched_merchants = {m for _k, m, _u, _v in matched if m}
    matched_units = {u for _k, _m, u, _v in matched if u}
    matched_volunteers = {v for _k, _m, _u, v in matched if v}
    candidates: list[Candidate] = []
    for kind, rows, column, is_match in (
        (
            ProviderKind.MERCHANT,
            merchants,
            HelpRequest.provider_merchant_id,
            lambda m: (
                m.id in matched_merchants or MERCHANT_CATEGORY_TO_SERVICE.get(m.category) == code
            ),
        ),
        (
            ProviderKind.VOLUNTEER,
            volunteers,
            HelpRequest.provider_volunteer_id,
            lambda v: v.id in matched_volunteers or code == "volunteer",
        ),
        (ProviderKind.UNIT, units, HelpRequest.provider_unit_id, lambda u: u.id in matched_units),
    ):
        ratings, loads = _stats_by(column, kind, [r.id for r in rows])
        for row in rows:
            total, n = ratings.get(row.id, (0, 0))
            candidates.append(
                Candidate(
                    kind,
                    row.id,
                    row.name,
                    bool(is_match(row)),
                    _tenths(total, n),
                    n,
                    loads.get(row.id, 0),
                )
            )
    candidates.sort(
        key=lambda c: (not c.matches, -(c.rating_tenths or 0), c.open_load, c.kind, c.id)
    )
    return candidates[:limit]
