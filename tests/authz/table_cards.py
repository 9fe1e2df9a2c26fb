from datetime import date

from sqlalchemy import select

from alliance.api import tokens as api_tokens
from alliance.cards import services
from alliance.cards.models import Card, Redemption
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in
from tests.commitments.factories import create_commitment, create_merchant

ADMINS = ("secretary_a", "secretary_b", "street")


def setup(world) -> dict:
    # No VolunteerProfile here (the volunteers table makes one for `volunteer`): the card is
    # issued in bulk and the redemption written directly, which is all the matrix needs.
    shop = create_merchant(world.a, 902, name="矩阵卡店", staff=[world.users["merchant"]])
    offer = create_commitment(shop, title="矩阵折扣", rate=85).offer
    volunteer = world.users["volunteer"]
    services.issue_cards_bulk([(volunteer.id, world.a.id, "volunteer", None)], None)
    card = db.session.scalars(select(Card).where(Card.holder_id == volunteer.id)).one()
    record = Redemption(
        card_id=card.id,
        holder_id=volunteer.id,
        offer_id=offer.id,
        merchant_id=shop.id,
        community_id=world.a.id,
        code_type="static",
        offer_title="矩阵折扣",
        rate_percent=85,
        bill_fen=1000,
        saving_fen=150,
        period_key="-",
        local_day=date.today(),
        idempotency_key="matrix",
        fingerprint="-",
    )
    db.session.add(record)
    token, _raw = api_tokens.create_token(world.users["merchant"], shop, "矩阵")
    db.session.commit()
    return {"card": card.id, "code": card.code, "redemption": record.id, "token": token.id}


ROWS = {
    "cards.mine": Case("GET", "/me/card", signed_in(200)),
    "cards.qr_png": Case("GET", "/me/card/{card}/qr.png", signed_in(404) | {"volunteer": 200}),
    "cards.rotating": Case(
        "GET", "/me/card/{card}/rotating.json", signed_in(404) | {"volunteer": 200}
    ),
    "cards.history": Case("GET", "/me/card/history", signed_in(200)),
    "cards.service_worker": Case("GET", "/sw.js", everyone(200)),
    "counter.verify": Case("GET", "/c/{code}", everyone(200)),
    # The matrix cannot name the offer in form data: the merchant's form is refused (422).
    "counter.redeem": Case(
        "POST", "/c/{code}/redeem", only("merchant", ok=422), data={"offer_id": "0", "key": "m"}
    ),
    "counter.receipt": Case("GET", "/cards/redemptions/{redemption}", only("merchant")),
    "counter.scan": Case("GET", "/scan", only("merchant")),
    "counter.void_redemption": Case(
        "GET",
        "/cards/redemptions/{redemption}/void",
        only("merchant", "secretary_a", secretary_b=404),
    ),
    "counter_api.void_redemption": Case(
        "POST", "/api/v1/redemptions/{redemption}/void", everyone(401), json={"reason": "x"}
    ),
    "counter.merchant_report": Case("GET", "/cards/merchant", only("merchant")),
    "counter.merchant_csv": Case("GET", "/cards/merchant.csv", only("merchant")),
    "cards.tokens": Case("GET", "/cards/tokens", only("merchant")),
    "cards.revoke_token": Case("POST", "/cards/tokens/{token}/revoke", only("merchant", ok=302)),
    "cards.index": Case("GET", "/cards/", only(*ADMINS)),
    "cards.issue": Case(
        "POST",
        "/cards/issue",
        only(*ADMINS, ok=302),
        data={"person": "resident", "kind": "volunteer"},
    ),
    "cards.detail": Case("GET", "/cards/{card}", only(*ADMINS, secretary_b=404)),
    "cards.status": Case(
        "POST",
        "/cards/{card}/status",
        only(*ADMINS, ok=302, secretary_b=404),
        data={"action": "suspend", "reason": "矩阵"},
    ),
    "cards.print_one": Case("GET", "/cards/{card}/print", only(*ADMINS, secretary_b=404)),
    "cards.print_sheet": Case("GET", "/cards/print", only(*ADMINS)),
    "cards.report": Case("GET", "/cards/report", only(*ADMINS)),
    "cards.report_csv": Case("GET", "/cards/report.csv", only(*ADMINS)),
    # Cashier API: bearer tokens only; a browser session is not enough.
    "counter_api.verify": Case("POST", "/api/v1/cards/verify", everyone(401), json={"code": "x"}),
    "counter_api.create_redemption": Case(
        "POST", "/api/v1/redemptions", everyone(401), json={"code": "x", "offer_id": 1}
    ),
}
