"""Personal data: the star levels section of /me/data, and account closure."""

from sqlalchemy import select, update

from alliance.extensions import db
from alliance.stars.models import StarAward
from alliance.volunteers.models import VolunteerProfile


def export(user) -> dict:
    """The `star_levels` section of the person's data download."""
    awards = list(
        db.session.scalars(
            select(StarAward).where(StarAward.user_id == user.id).order_by(StarAward.level)
        )
    )
    shown = db.session.scalar(
        select(VolunteerProfile.show_star_on_card).where(VolunteerProfile.user_id == user.id)
    )
    if not awards and shown is None:
        return {}
    section = {
        "show_on_card": bool(shown),
        "levels_reached": [
            {
                "level": a.level,
                "name": a.name,
                "reached_at": a.reached_at.isoformat(),
                "minutes_then": a.minutes,
                "recognised_at": a.recognised_at.isoformat() if a.recognised_at else None,
            }
            for a in awards
        ],
    }
    return {"star_levels": section}


def erase(user) -> None:
    """The levels stay with the attendance (the community's records); the card shows nothing."""
    db.session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == user.id)
        .values(show_star_on_card=False)
    )
