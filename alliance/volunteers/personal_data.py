"""Personal data: the volunteer section of /me/data, and account closure."""

from sqlalchemy import select, update

from alliance.extensions import db
from alliance.personal import erase_personal
from alliance.volunteers.models import VolunteerApplication, VolunteerProfile, VolunteerStatus


def _iso(value):
    return value.isoformat() if value is not None else None


def _person(row) -> dict:
    return {
        "name": row.name,
        "phone": row.phone,
        "estate": row.estate.name if row.estate else None,
        "building": row.building,
        "skills": row.skills,
        "availability": row.availability,
        "status": row.status,
    }


def export(user) -> dict:
    applications = list(
        db.session.scalars(
            select(VolunteerApplication)
            .where(VolunteerApplication.user_id == user.id)
            .order_by(VolunteerApplication.id)
        )
    )
    profile = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
    ).first()
    if not applications and profile is None:
        return {}
    return {
        "volunteer": {
            "applications": [
                {**_person(a), "submitted_at": _iso(a.created_at), "review_note": a.review_note}
                for a in applications
            ],
            "profile": None if profile is None else _person(profile),
        }
    }


def erase(user) -> None:
    """Application and profile anonymised; the profile stops serving (its hours stay counted)."""
    erase_personal(VolunteerApplication, user.id)
    erase_personal(VolunteerProfile, user.id)
    db.session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == user.id)
        .values(status=VolunteerStatus.SUSPENDED)
    )
