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

from sqlalchemy import func, select

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


def figures(response: EmergencyResponse) -> dict:
    start, end = response.started_at, response.ended_at or utcnow()
    covered = _communities(response)
    checked, found = db.session.execute(
        select(
            func.count(HazardCheck.id),
            func.count(HazardCheck.id).filter(HazardCheck.result == CheckResult.FOUND),
        ).where(
            HazardCheck.community_id.in_(covered),
            HazardCheck.checked_at >= start,
            HazardCheck.checked_at <= end,
        )
    ).one()
    closed = db.session.scalar(
        select(func.count(RectificationNotice.id)).where(
            RectificationNotice.community_id.in_(covered),
            RectificationNotice.state == NoticeState.CLOSED,
            RectificationNotice.closed_at >= start,
            RectificationNotice.closed_at <= end,
        )
    )
    visited = db.session.scalar(
        select(func.count(func.distinct(HouseholdVisit.household_id))).where(
            HouseholdVisit.response_id == response.id
        )
    )
    moved = db.session.execute(
        select(
            func.coalesce(func.sum(Transfer.people), 0),
            func.coalesce(
                func.sum(Transfer.people).filter(
                    Transfer.checked_in_at.is_not(None), Transfer.returned_at.is_(None)
                ),
                0,
            ),
            func.coalesce(func.sum(Transfer.people).filter(Transfer.returned_at.is_not(None)), 0),
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
