"""The statement behind each export: one select per list, over the communities `ids` (a
subquery), in the order the file lists them."""

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from alliance.accounts.models import User
from alliance.activities.models import Activity, ActivitySlot, Signup
from alliance.cards.models import Card, Redemption
from alliance.co_building.models import Resource
from alliance.commitments.models import Commitment
from alliance.communities.models import Community, Estate
from alliance.help_requests.models import HelpRequest, ServiceCategory
from alliance.merchants.models import Merchant
from alliance.points.models import LedgerEntry
from alliance.projects.models import Project
from alliance.volunteers.models import VolunteerProfile


def members(ids):
    return (
        select(
            Community.name,
            Merchant.number,
            Merchant.name,
            Merchant.category,
            Estate.name,
            Merchant.status,
            Merchant.created_at,
        )
        .join(Community, Community.id == Merchant.community_id)
        .outerjoin(Estate, Estate.id == Merchant.estate_id)
        .where(Merchant.community_id.in_(ids))
        .order_by(Merchant.community_id, Merchant.number)
    )


def commitments(ids):
    return (
        select(
            Community.name,
            Merchant.number,
            Merchant.name,
            Commitment.kind,
            Commitment.title,
            Commitment.status,
            Commitment.version,
            Commitment.published_at,
        )
        .join(Community, Community.id == Commitment.community_id)
        .join(Merchant, Merchant.id == Commitment.merchant_id)
        .where(Commitment.community_id.in_(ids))
        .order_by(Commitment.community_id, Merchant.number, Commitment.id)
    )


def volunteers(ids):
    return (
        select(
            Community.name,
            VolunteerProfile.name,
            VolunteerProfile.phone,
            Estate.name,
            VolunteerProfile.skills,
            VolunteerProfile.status,
            VolunteerProfile.joined_at,
        )
        .join(Community, Community.id == VolunteerProfile.community_id)
        .outerjoin(Estate, Estate.id == VolunteerProfile.estate_id)
        .where(VolunteerProfile.community_id.in_(ids))
        .order_by(VolunteerProfile.community_id, VolunteerProfile.id)
    )


def cards(ids):
    return (
        select(
            Community.name,
            Card.number,
            Card.kind,
            User.display_name,
            Card.status,
            Card.valid_from,
            Card.valid_until,
            Card.created_at,
        )
        .join(Community, Community.id == Card.community_id)
        .join(User, User.id == Card.holder_id)
        .where(Card.community_id.in_(ids))
        .order_by(Card.community_id, Card.number)
    )


def redemptions(ids):
    return (
        select(
            Community.name,
            Redemption.created_at,
            Merchant.name,
            Redemption.offer_title,
            Redemption.rate_percent,
            Redemption.bill_fen,
            Redemption.saving_fen,
            Card.number,
            Redemption.voided_at,
        )
        .join(Community, Community.id == Redemption.community_id)
        .join(Merchant, Merchant.id == Redemption.merchant_id)
        .join(Card, Card.id == Redemption.card_id)
        .where(Redemption.community_id.in_(ids))
        .order_by(Redemption.created_at, Redemption.id)
    )


def orders(ids):
    return (
        select(
            Community.name,
            HelpRequest.id,
            HelpRequest.submitted_at,
            ServiceCategory.name,
            HelpRequest.title,
            HelpRequest.urgency,
            HelpRequest.state,
            HelpRequest.due_at,
            HelpRequest.first_dispatched_at,
            HelpRequest.resolved_at,
            HelpRequest.rating,
        )
        .join(Community, Community.id == HelpRequest.community_id)
        .join(ServiceCategory, ServiceCategory.id == HelpRequest.category_id)
        .where(HelpRequest.community_id.in_(ids))
        .order_by(HelpRequest.submitted_at, HelpRequest.id)
    )


def _category_of(model):
    """The community's service category a list item names by code (its name is what a reader
    understands; "tax" is not)."""
    return and_(
        ServiceCategory.community_id == model.community_id,
        ServiceCategory.code == model.category_code,
    )


def resources(ids):
    return (
        select(
            Community.name,
            func.coalesce(ServiceCategory.name, Resource.category_code),
            Resource.provider_kind,
            Merchant.name,
            Resource.team_name,
            Resource.title,
            Resource.capacity,
            Resource.active,
        )
        .join(Community, Community.id == Resource.community_id)
        .outerjoin(Merchant, Merchant.id == Resource.merchant_id)
        .outerjoin(ServiceCategory, _category_of(Resource))
        .where(Resource.community_id.in_(ids))
        .order_by(Resource.community_id, Resource.id)
    )


def projects(ids):
    return (
        select(
            Community.name,
            Project.title,
            func.coalesce(ServiceCategory.name, Project.category_code),
            Project.status,
            Project.schedule,
            Project.outcome,
            Project.created_at,
        )
        .join(Community, Community.id == Project.community_id)
        .outerjoin(ServiceCategory, _category_of(Project))
        .where(Project.community_id.in_(ids))
        .order_by(Project.community_id, Project.id)
    )


def ledger(ids):
    return (
        select(
            Community.name,
            LedgerEntry.created_at,
            User.display_name,
            LedgerEntry.kind,
            LedgerEntry.delta,
            LedgerEntry.balance_after,
            LedgerEntry.reason,
        )
        .join(Community, Community.id == LedgerEntry.community_id)
        .join(User, User.id == LedgerEntry.user_id)
        .where(LedgerEntry.community_id.in_(ids))
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    )


def activities(ids):
    slots = (
        select(
            ActivitySlot.activity_id,
            func.count(ActivitySlot.id).label("n"),
            func.min(ActivitySlot.starts_at).label("first"),
        )
        .group_by(ActivitySlot.activity_id)
        .subquery()
    )
    return (
        select(
            Community.name,
            Activity.title,
            Activity.category,
            Activity.place,
            Activity.emergency,
            Activity.status,
            slots.c.n,
            slots.c.first,
        )
        .join(Community, Community.id == Activity.community_id)
        .outerjoin(slots, slots.c.activity_id == Activity.id)
        .where(Activity.community_id.in_(ids))
        .order_by(Activity.community_id, Activity.id)
    )


def hours(ids):
    volunteer = aliased(User)
    return (
        select(
            Community.name,
            volunteer.display_name,
            Activity.title,
            ActivitySlot.local_day,
            Signup.minutes,
            Signup.points,
            Signup.confirmed_at,
            Signup.backfill_reason,
        )
        .join(Community, Community.id == Signup.community_id)
        .join(volunteer, volunteer.id == Signup.user_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .join(ActivitySlot, ActivitySlot.id == Signup.slot_id)
        .where(Signup.community_id.in_(ids), Signup.confirmed_at.is_not(None))
        .order_by(ActivitySlot.local_day, Signup.id)
    )
