"""The committee's blueprint and the checks its two view modules share."""

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user

from alliance.accounts.models import Role
from alliance.communities.models import Community
from alliance.extensions import db

bp = Blueprint("committee", __name__, url_prefix="/committee")


def own_community() -> Community:
    if not current_user.community_id:
        abort(403)
    return db.session.get(Community, current_user.community_id)


def is_secretary_of(community_id: int) -> bool:
    return current_user.has_role(Role.SECRETARY) and current_user.community_id == community_id


def person_named(community_ids, text: str, field: str):
    """The person a secretary names by name, phone, username or card number (people of the
    communities first; a username or phone finds anyone, for the rules to accept or refuse);
    None when nobody matches. A name several people share is refused."""
    from alliance.committee.services import CommitteeError
    from alliance.dashboard.people import AMBIGUOUS, choose_person

    found = choose_person(community_ids, text)
    if found.ambiguous:
        raise CommitteeError("ambiguous", _(AMBIGUOUS), field=field)
    return found.person
