"""Who may see and administer a commitment."""

from alliance.accounts.models import Role, User
from alliance.commitments.models import Commitment
from alliance.communities.models import Community
from alliance.communities.services import can_administer
from alliance.extensions import db
from alliance.merchants.staff import is_staff


def can_administer_commitment(user: User, commitment: Commitment) -> bool:
    if not user.is_authenticated or not user.has_role(Role.SECRETARY, Role.STREET_OFFICER):
        return False
    return can_administer(user, db.session.get(Community, commitment.community_id))


def can_view(user: User, commitment: Commitment) -> bool:
    """Once published (公示) a commitment is public; before that only its merchant and admins."""
    if commitment.is_public:
        return True
    return is_staff(user, commitment.merchant_id) or can_administer_commitment(user, commitment)
