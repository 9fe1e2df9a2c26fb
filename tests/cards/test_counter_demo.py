"""The demo's corrected slip: recorded at ¥100,000, voided, in no figure; seeding twice adds none."""

from sqlalchemy import func, select

from alliance.cards import services as card_services
from alliance.cards.models import Redemption
from alliance.counter.demo import SLIP_KEY, SLIP_REASON
from alliance.extensions import db


def test_the_demo_voids_the_slip_once(demo_seeded, runner):
    # The demo, then the command again: seeding twice changes nothing.
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    slips = db.session.scalars(
        select(Redemption).where(Redemption.idempotency_key == SLIP_KEY)
    ).all()
    assert len(slips) == 1
    slip = slips[0]
    assert slip.voided_at is not None and slip.void_reason == SLIP_REASON
    assert slip.bill_fen == 10_000_000
    _labels_and_values = card_services.home_figures([slip.community_id])
    saved_yuan = dict((str(k), v) for k, v in _labels_and_values)["本月节省（元）"]
    counted = db.session.scalar(
        select(func.coalesce(func.sum(Redemption.saving_fen), 0)).where(
            Redemption.community_id == slip.community_id,
            Redemption.local_day >= slip.local_day.replace(day=1),
            Redemption.voided_at.is_(None),
        )
    )
    assert saved_yuan == int(counted) // 100
