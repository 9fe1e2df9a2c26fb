from sqlalchemy import select

from alliance.accounts.models import User
from alliance.commitments.models import Offer
from alliance.extensions import db
from alliance.stars import services as stars
from alliance.stars.models import StarAward


def test_demo_shows_levels_a_recognition_list_and_a_level_offer(demo_seeded, runner):
    # The demo, then the command again: seeding twice changes nothing.
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    me = db.session.scalars(select(User).where(User.username == "volunteer")).one()
    assert stars.level_of(me.id) == 1
    levels = sorted(db.session.scalars(select(StarAward.level)))
    assert levels.count(3) == 1 and levels.count(2) == 3 and levels.count(1) == 7
    waiting = stars.recognition_list(None)
    assert me.id in {a.user_id for a in waiting}
    assert db.session.scalars(
        select(Offer.min_star_level).where(Offer.min_star_level.is_not(None))
    ).all() == [3]
