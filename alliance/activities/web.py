"""The activities blueprint and the look-ups its view modules share: an activity, a slot or a
sign-up the current user may see or organise, else 404 (403 for a neighbour's organiser)."""

from flask import Blueprint, abort
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.activities import services
from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.extensions import db

bp = Blueprint("activities", __name__)

ORGANISERS = (Role.SECRETARY, Role.STREET_OFFICER, Role.GRID_WORKER)


def activity_or_404(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not current_user.is_authenticated or not can_see(activity):
        abort(404)
    return activity


def can_see(activity: Activity) -> bool:
    return current_user.community_id == activity.community_id or services.can_organise(
        current_user, activity
    )


def slot_or_404(slot_id: int) -> ActivitySlot:
    slot = db.session.get(ActivitySlot, slot_id)
    if slot is None or not can_see(slot.activity):
        abort(404)
    return slot


def organised_slot_or_404(slot_id: int) -> ActivitySlot:
    slot = slot_or_404(slot_id)
    if not services.can_organise(current_user, slot.activity):
        abort(404 if current_user.community_id != slot.community_id else 403)
    return slot


def organised_signup_or_404(signup_id: int) -> Signup:
    signup = db.session.get(Signup, signup_id)
    if signup is None:
        abort(404)
    organised_slot_or_404(signup.slot_id)
    return signup
