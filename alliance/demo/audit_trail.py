"""The demo's audit log: its key actions as the secretaries did them, at the story's times.

The demo's records are bulk-inserted outside any request, so the mapper hooks audit none of
them; this step writes the lines they would have left (`alliance.audit.services.line`): the
members' applications approved the afternoon before signing, the volunteers' applications
approved the day each joined, the commitments published, the orders dispatched or escalated,
and the cards issued. So the audit page reads as the story's sentences. Runs once: the first
card's issue line marks it done.
"""

from datetime import timedelta

from sqlalchemy import select

from alliance.audit import services as audit
from alliance.audit.models import AuditEntry
from alliance.cards.models import Card
from alliance.commitments.models import Commitment, CommitmentStatus
from alliance.demo.context import DemoContext
from alliance.extensions import db
from alliance.help_requests.models import HelpRequestEvent, State
from alliance.merchants.models import Merchant
from alliance.volunteers.models import VolunteerProfile

SECRETARIES = {"YSMZ": "secretary", "NY": "secretary_b"}
AUDITED_EVENTS = {"dispatch": State.DISPATCHED, "escalate": State.ESCALATED}


def audit_trail(ctx: DemoContext) -> None:
    secretaries = {
        ctx.communities[code].id: ctx.users[username]
        for code, username in SECRETARIES.items()
        if code in ctx.communities and username in ctx.users
    }
    if not secretaries:
        return
    first_card = db.session.scalar(
        select(Card.id).where(Card.community_id.in_(list(secretaries))).order_by(Card.id).limit(1)
    )
    if first_card is None or db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.object_type == "Card",
            AuditEntry.object_id == first_card,
            AuditEntry.action == "create",
        )
    ):
        return
    people = {user.id: user for user in ctx.users.values()}
    lines = []

    def add(kind, object_id, community_id, actor, at, before, after, action="update"):
        actor = actor or secretaries.get(community_id)
        if actor is not None and at is not None:
            lines.append(
                audit.line(
                    kind,
                    object_id,
                    actor=actor,
                    community_id=community_id,
                    action=action,
                    before=before,
                    after=after,
                    at=at,
                )
            )

    for merchant in db.session.scalars(
        select(Merchant).where(Merchant.community_id.in_(list(secretaries)))
    ):
        # the application (its record not kept by the demo) approved the afternoon before
        add(
            "MerchantApplication",
            None,
            merchant.community_id,
            None,
            merchant.created_at - timedelta(hours=17),
            {"status": "pending"},
            {"status": "approved", "name": merchant.name, "merchant_id": merchant.id},
        )
    for profile in db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.community_id.in_(list(secretaries)))
    ):
        add(
            "VolunteerApplication",
            None,
            profile.community_id,
            None,
            profile.joined_at,
            {"status": "pending"},
            {"status": "approved", "name": profile.name, "user_id": profile.user_id},
        )
    for commitment in db.session.scalars(
        select(Commitment).where(
            Commitment.community_id.in_(list(secretaries)),
            Commitment.status == CommitmentStatus.PUBLISHED,
        )
    ):
        add(
            "Commitment",
            commitment.id,
            commitment.community_id,
            people.get(commitment.decided_by_id),
            commitment.published_at,
            {"status": "pending"},
            {"status": "published", "title": commitment.title},
        )
    for event in db.session.scalars(
        select(HelpRequestEvent).where(
            HelpRequestEvent.community_id.in_(list(secretaries)),
            HelpRequestEvent.action.in_(list(AUDITED_EVENTS)),
        )
    ):
        add(
            "HelpRequest",
            event.help_request_id,
            event.community_id,
            people.get(event.actor_id),
            event.created_at,
            {"state": event.from_state},
            {"state": str(AUDITED_EVENTS[event.action])},
        )
    for card in db.session.execute(
        select(Card.id, Card.community_id, Card.number, Card.kind, Card.created_at).where(
            Card.community_id.in_(list(secretaries))
        )
    ):
        add(
            "Card",
            card.id,
            card.community_id,
            None,
            card.created_at,
            None,
            {"number": card.number, "kind": card.kind},
            action="create",
        )
    audit.record_lines(lines)
