from sqlalchemy import func, select

from alliance.accounts.models import User
from alliance.extensions import db
from alliance.merchants.models import MerchantStaff
from alliance.points.models import Exchange, ExchangeItem, LedgerEntry, PointsAccount


def test_demo_gives_history_and_items_and_is_idempotent(demo_seeded, runner):
    # The demo, then the command again: seeding twice changes nothing.
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    me = db.session.scalars(select(User).where(User.username == "volunteer")).one()
    assert db.session.scalars(select(PointsAccount).where(PointsAccount.user_id == me.id)).one()
    kinds = set(db.session.scalars(select(LedgerEntry.kind).where(LedgerEntry.user_id == me.id)))
    assert {"earn", "award", "spend"} <= kinds
    for acc in db.session.scalars(select(PointsAccount)):
        assert (
            acc.balance
            == db.session.scalar(
                select(func.sum(LedgerEntry.delta)).where(LedgerEntry.account_id == acc.id)
            )
            >= 0
        )
    shop_id = db.session.scalar(
        select(MerchantStaff.merchant_id)
        .join(User, User.id == MerchantStaff.user_id)
        .where(User.username == "merchant")
    )
    assert (
        db.session.scalar(
            select(func.count(ExchangeItem.id)).where(ExchangeItem.merchant_id == shop_id)
        )
        >= 1
    )
    assert len(set(db.session.scalars(select(ExchangeItem.merchant_id)))) >= 5
    assert db.session.scalar(select(func.count(Exchange.id))) > 5
