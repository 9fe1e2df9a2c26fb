"""Personal data: the cards section of /me/data, and account closure (cards stop working)."""

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from alliance.api.models import ApiToken
from alliance.cards.models import CURRENT_STATUSES, Card, CardStatus, Redemption
from alliance.db_types import utcnow
from alliance.extensions import db


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    cards = list(
        db.session.scalars(select(Card).where(Card.holder_id == user.id).order_by(Card.id))
    )
    uses = list(
        db.session.scalars(
            select(Redemption)
            .where(Redemption.holder_id == user.id)
            .options(joinedload(Redemption.merchant))
            .order_by(Redemption.id)
        )
    )
    tokens = list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        )
    )
    if not cards and not uses and not tokens:
        return {}
    return {
        "cards": {
            "cards": [
                {
                    "number": c.number,
                    "kind": c.kind,
                    "status": c.status,
                    "valid_from": _iso(c.valid_from),
                    "valid_until": _iso(c.valid_until),
                }
                for c in cards
            ],
            "redemptions": [
                {
                    "at": _iso(r.created_at),
                    "member": r.merchant.name,
                    "offer": r.offer_title,
                    "bill_fen": r.bill_fen,
                    "saving_fen": r.saving_fen,
                    "voided_at": _iso(r.voided_at),
                    "void_reason": r.void_reason,
                }
                for r in uses
            ],
            "api_tokens": [
                {"name": t.name, "created_at": _iso(t.created_at), "revoked_at": _iso(t.revoked_at)}
                for t in tokens
            ],
        }
    }


def erase(user) -> None:
    """Every current card is revoked at once (it would still redeem) and every cashier token
    too; the redemptions stay, as figures of the member, without the person."""
    now = utcnow()
    db.session.execute(
        update(Card)
        .where(Card.holder_id == user.id, Card.status.in_(CURRENT_STATUSES))
        .values(status=CardStatus.REVOKED, status_reason="account closed", status_changed_at=now)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
