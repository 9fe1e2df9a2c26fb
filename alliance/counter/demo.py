"""The counter's demo step: the story's correction, a ¥100,000 slip voided with its reason."""

from sqlalchemy import select

from alliance.cards.models import Card, CardStatus, Redemption
from alliance.commitments.models import CardKind, UsagePeriod
from alliance.counter import redemptions, services, voids
from alliance.extensions import db
from alliance.merchants import staff as merchant_staff

SLIP_KEY = "demo-slip"
SLIP_REASON = "金额输错：应为100.00元，误录为100000元"


def corrected_slip(ctx) -> None:
    """At the `merchant` login's member: a redemption recorded at ¥100,000 by mistake and voided
    at once (through the counter's services), so it shows on the member's report as voided and
    counts in no figure. Idempotent: the request key finds it again."""
    staff, volunteer = ctx.users.get("merchant"), ctx.users.get("volunteer")
    if staff is None or volunteer is None:
        return
    shops = merchant_staff.merchants_of(staff)
    if not shops or not shops[0].is_active:
        return
    shop = shops[0]
    done = db.session.scalar(
        select(Redemption.id).where(
            Redemption.merchant_id == shop.id, Redemption.idempotency_key == SLIP_KEY
        )
    )
    if done is not None:
        return
    card = db.session.scalars(
        select(Card).where(
            Card.holder_id == volunteer.id,
            Card.kind == CardKind.VOLUNTEER,
            Card.status == CardStatus.ACTIVE,
        )
    ).first()
    if card is None:
        return
    check = services.verify(card.code, shop)
    offer = next(
        (
            o
            for o in check.offers
            if o.usage_period == UsagePeriod.UNLIMITED
            and not o.requires_rotating
            and not o.min_star_level
        ),
        None,
    )
    if not check.valid or offer is None:
        return
    record, _created = redemptions.redeem(
        merchant=shop,
        staff=staff,
        raw_code=card.code,
        offer_id=offer.id,
        bill_fen=10_000_000,
        idempotency_key=SLIP_KEY,
        confirmed=True,
    )
    voids.void_redemption(record.id, actor=staff, reason=SLIP_REASON)
