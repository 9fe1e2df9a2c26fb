"""The figures of one response for reporting up, counted from the records, never typed.

The window is the response's start to its end (or now); the communities are the one it covers,
or every community of the street office it covers.

- turnouts: arrivals of people called up for the response (出动人次)
- hazards_checked / hazards_found: hazard checks recorded in the window, and those that found one
- hazards_closed: rectification notices closed (销号) in the window
- households_visited: households with at least one door-knocking visit in the response
- people_moved / people_in_shelters / people_returned: from the response's transfers
- good_deeds: help requests of those communities resolved in the window (好事实事)
- supplies_issued: net issued (issues less returns) per item during the response
"""

from sqlalchemy import and_, func, or_, select

from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.emergency import mobilisation, supplies
from alliance.emergency.hazard_models import (
    CheckResult,
    HazardCheck,
    NoticeState,
    RectificationNotice,
)
from alliance.emergency.household_models import HouseholdVisit
from alliance.emergency.models import EmergencyResponse
from alliance.emergency.shelter_models import Transfer
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest


def _communities(response: EmergencyResponse):
    if response.community_id is not None:
        return [response.community_id]
    return select(Community.id).where(Community.street_office_id == response.street_office_id)


def hazard_counts(covered, windows: list[tuple]) -> list[tuple[int, int, int]]:
    """(checked, found, closed) in each (start, end) window, ends included: hazard checks
    recorded, those that found a hazard, rectification notices closed (销号). Two statements."""
    if not windows:
        return []
    first, last = windows[0][0], windows[-1][1]
    checked_in = lambda w: and_(  # noqa: E731
        HazardCheck.checked_at >= w[0], HazardCheck.checked_at <= w[1]
    )
    checks = db.session.execute(
        select(
            *[func.count(HazardCheck.id).filter(checked_in(w)) for w in windows],
            *[
                func.count(HazardCheck.id).filter(
                    checked_in(w), HazardCheck.result == CheckResult.FOUND
                )
                for w in windows
            ],
        ).where(
            HazardCheck.community_id.in_(covered),
            HazardCheck.checked_at >= first,
            HazardCheck.checked_at <= last,
        )
    ).one()
    closed = db.session.execute(
        select(
            *[
                func.count(RectificationNotice.id).filter(
                    RectificationNotice.closed_at >= w[0], RectificationNotice.closed_at <= w[1]
                )
                for w in windows
            ]
        ).where(
            RectificationNotice.community_id.in_(covered),
            RectificationNotice.state == NoticeState.CLOSED,
            RectificationNotice.closed_at >= first,
            RectificationNotice.closed_at <= last,
        )
    ).one()
    n = len(windows)
    return [(int(checks[i] or 0), int(checks[n + i] or 0), int(closed[i] or 0)) for i in range(n)]


def _people(where=None):
    """People moved (转移): the people on transfers."""
    total = func.sum(Transfer.people)
    return func.coalesce(total.filter(where) if where is not None else total, 0)


def people_moved_between(covered, windows: list[tuple]) -> list[int]:
    """People moved in each (start, end) window, ends included, by the communities (transfers
    of drills left out); one statement."""
    if not windows:
        return []
    real = or_(
        Transfer.response_id.is_(None),
        Transfer.response_id.in_(
            select(EmergencyResponse.id).where(EmergencyResponse.drill.is_(False))
        ),
    )
    row = db.session.execute(
        select(
            *[_people(and_(Transfer.moved_at >= s, Transfer.moved_at <= e)) for s, e in windows]
        ).where(
            Transfer.community_id.in_(covered),
            real,
            Transfer.moved_at >= windows[0][0],
            Transfer.moved_at <= windows[-1][1],
        )
    ).one()
    return [int(n) for n in row]


def figures(response: EmergencyResponse) -> dict:
    start, end = response.started_at, response.ended_at or utcnow()
    covered = _communities(response)
    ((checked, found, closed),) = hazard_counts(covered, [(start, end)])
    visited = db.session.scalar(
        select(func.count(func.distinct(HouseholdVisit.household_id))).where(
            HouseholdVisit.response_id == response.id
        )
    )
    moved = db.session.execute(
        select(
            _people(),
            _people(and_(Transfer.checked_in_at.is_not(None), Transfer.returned_at.is_(None))),
            _people(Transfer.returned_at.is_not(None)),
        ).where(Transfer.response_id == response.id)
    ).one()
    deeds = db.session.scalar(
        select(func.count(HelpRequest.id)).where(
            HelpRequest.community_id.in_(covered),
            HelpRequest.resolved_at >= start,
            HelpRequest.resolved_at <= end,
        )
    )
    return {
        "turnouts": mobilisation.turnouts([response.id]).get(response.id, 0),
        "hazards_checked": checked,
        "hazards_found": found,
        "hazards_closed": closed,
        "households_visited": visited,
        "people_moved": int(moved[0]),
        "people_in_shelters": int(moved[1]),
        "people_returned": int(moved[2]),
        "good_deeds": deeds,
        "supplies_issued": supplies.issued_per_item(None, response.id),
    }
