"""Personal data: the service orders section of /me/data, and account closure."""

import os

from sqlalchemy import select

from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.help_requests.photos import photo_path
from alliance.personal import erase_personal


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    orders = list(
        db.session.scalars(
            select(HelpRequest).where(HelpRequest.requester_id == user.id).order_by(HelpRequest.id)
        )
    )
    if not orders:
        return {}
    return {
        "service_orders": [
            {
                "title": o.title,
                "description": o.description,
                "state": o.state,
                "submitted_at": _iso(o.submitted_at),
                "building": o.building,
                "address": o.address_text,
                "contact_name": o.contact_name,
                "contact_phone": o.contact_phone,
                "contact_email": o.contact_email,
                "has_photo": bool(o.photo_name),
            }
            for o in orders
        ]
    }


def erase(user) -> None:
    """Contact, address, description and photo go; the order (category, title, states and
    dates) stays for the community's figures, without the person."""
    photos = db.session.scalars(
        select(HelpRequest.photo_name).where(
            HelpRequest.requester_id == user.id, HelpRequest.photo_name.is_not(None)
        )
    ).all()
    erase_personal(HelpRequest, user.id)
    for name in photos:
        path = photo_path(name)
        if path and os.path.exists(path):
            os.remove(path)
