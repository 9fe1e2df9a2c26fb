"""Star levels: thresholds, the edges, the notification, the recognition list, the pages."""

import pytest
from sqlalchemy import select

from alliance import create_app
from alliance.notifications.models import Notification
from alliance.stars import levels
from alliance.stars import services as stars
from alliance.stars.models import StarAward
from tests.stars.factories import serve

DAY = 1440


def test_level_edges_at_each_default_threshold(app):
    with app.app_context():
        for level, hours in enumerate((100, 300, 600, 1000, 1500), start=1):
            assert levels.level_for(hours * 60 - 6) == level - 1  # 0.1 h short
            assert levels.level_for(hours * 60) == level
        assert levels.level_for(0) == 0
        assert levels.level_for(10**7) == 5


@pytest.mark.parametrize(
    "value, message",
    [
        ("100,300,250,1000,1500", "increase level by level"),
        ("100,300,300,1000,1500", "increase level by level"),
        ("100,300,600,1000", "needs 5 thresholds"),
        ("100,300,six,1000,1500", "not a whole number"),
        ("100,300,600,1000,-1", "not a whole number"),
        ("0,300,600,1000,1500", "not a whole number"),
    ],
)
def test_thresholds_out_of_order_or_malformed_stop_the_app(value, message):
    with pytest.raises(levels.ThresholdError, match=message):
        create_app({"STAR_LEVEL_HOURS": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_thresholds_are_configuration():
    app = create_app({"STAR_LEVEL_HOURS": "1,2,3,4,5", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        assert levels.level_for(60) == 1 and levels.level_for(299) == 4


def test_99_9_hours_is_no_level_and_100_hours_is_one_star(world, db):
    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY, DAY, DAY, DAY, 234])  # 5,994 min = 99.9 h
    assert stars.standing_of(volunteer.id).level == 0
    assert stars.standing_of(volunteer.id).hours == "99.9"
    assert db.session.scalars(select(StarAward)).all() == []
    assert (
        db.session.scalars(
            select(Notification).where(Notification.kind == "stars.level_reached")
        ).all()
        == []
    )

    serve(world, volunteer, [6], title="补一次")  # 6,000 min = 100 h
    award = db.session.scalars(select(StarAward)).one()
    assert (award.user_id, award.level, award.minutes) == (volunteer.id, 1, 6000)
    note = db.session.scalars(
        select(Notification).where(Notification.kind == "stars.level_reached")
    ).one()
    assert note.user_id == volunteer.id and "一星" in note.title


def test_a_jump_over_two_thresholds_writes_both_levels_and_one_notice(app, world, db):
    app.config["STAR_LEVEL_HOURS"] = (10, 20, 600, 1000, 1500)
    try:
        serve(world, world.users["volunteer"], [DAY])  # 24 h
    finally:
        app.config["STAR_LEVEL_HOURS"] = levels.DEFAULT_HOURS
    assert sorted(db.session.scalars(select(StarAward.level))) == [1, 2]
    note = db.session.scalars(
        select(Notification).where(Notification.kind == "stars.level_reached")
    ).one()
    assert "二星" in note.title


def test_unconfirmed_hours_give_no_level(world, db):
    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY] * 5, confirm=False)
    assert stars.level_of(volunteer.id) == 0


def test_me_shows_level_hours_and_points_apart(as_user, world, db):
    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY] * 4 + [DAY - 90])  # 118.5 h
    page = as_user("volunteer").get("/me").get_data(as_text=True)
    assert "一星志愿者" in page
    assert "118.5 小时（已确认，永久有效）" in page
    assert "还差 181.5 小时（满 300 小时）" in page
    assert "积分可能过期" in page


def test_resident_without_volunteering_sees_no_star_section(as_user, world):
    page = as_user("resident").get("/me").get_data(as_text=True)
    assert 'id="stars-h"' not in page


def test_card_page_shows_the_level_only_when_the_holder_chooses(as_user, world, db):
    from tests.points.factories import give_card

    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY] * 5)
    give_card(volunteer, world.a)
    db.session.commit()
    client = as_user("volunteer")
    assert "member-card-star" not in client.get("/me/card").get_data(as_text=True)
    r = client.post("/me/stars/card", data={"show": "y"})
    assert r.status_code == 303
    page = client.get("/me/card").get_data(as_text=True)
    assert 'class="member-card-star"' in page and "一星志愿者" in page
    client.post("/me/stars/card", data={})
    assert "member-card-star" not in client.get("/me/card").get_data(as_text=True)


def test_a_resident_cannot_choose_a_card_setting(as_user, world):
    client = as_user("resident")
    r = client.post("/me/stars/card", data={"show": "y"}, follow_redirects=True)
    assert "您还不是志愿者" in r.get_data(as_text=True)


def test_service_record_and_its_check_page_carry_the_level(as_user, world, db):
    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY] * 5)
    client = as_user("volunteer")
    assert "星级：一星志愿者" in client.get("/me/record").get_data(as_text=True)
    r = client.post("/me/record")
    printable = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "星级：一星志愿者" in printable
    from alliance.activities.models import ServiceRecord

    token = db.session.scalars(select(ServiceRecord.token)).one()
    check = client.get(f"/records/{token}").get_data(as_text=True)
    assert 'class="col-7 record-star">一星志愿者' in check


def test_recognition_list_for_the_secretary_and_marking_it_done(as_user, world, db):
    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY] * 5)
    client = as_user("secretary_a")
    page = client.get("/stars/recognition").get_data(as_text=True)
    assert 'award-level">一星' in page
    award = db.session.scalars(select(StarAward)).one()
    assert client.post(f"/stars/recognition/{award.id}/recognised").status_code == 303
    assert "目前没有待表彰的星级志愿者" in client.get("/stars/recognition").get_data(as_text=True)
    again = client.post(f"/stars/recognition/{award.id}/recognised", follow_redirects=True)
    assert "已经记为表彰过了" in again.get_data(as_text=True)
    other = as_user("secretary_b").get("/stars/recognition").get_data(as_text=True)
    assert "award-level" not in other


def test_levels_are_in_the_data_download_and_closure_hides_the_card_star(as_user, world, db):
    import json

    from alliance.volunteers.models import VolunteerProfile

    volunteer = world.users["volunteer"]
    serve(world, volunteer, [DAY] * 5)
    client = as_user("volunteer")
    client.post("/me/stars/card", data={"show": "y"})
    data = json.loads(client.get("/me/data").get_data(as_text=True))
    assert data["star_levels"]["show_on_card"] is True
    assert [(r["level"], r["minutes_then"]) for r in data["star_levels"]["levels_reached"]] == [
        (1, 7200)
    ]
    client.post("/me/close", data={"password": "Passw0rd!x", "understood": "y"})
    db.session.expire_all()
    profile = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id)
    ).one()
    assert profile.show_star_on_card is False


def test_two_levels_at_one_go_are_one_line_and_honoured_together(app, as_user, world, db):
    app.config["STAR_LEVEL_HOURS"] = (10, 20, 600, 1000, 1500)
    try:
        serve(world, world.users["volunteer"], [DAY])
    finally:
        app.config["STAR_LEVEL_HOURS"] = levels.DEFAULT_HOURS
    client = as_user("secretary_a")
    page = client.get("/stars/recognition").get_data(as_text=True)
    assert page.count('class="card mb-2 star-award"') == 1 and 'award-level">二星' in page
    top = db.session.scalars(select(StarAward).where(StarAward.level == 2)).one()
    client.post(f"/stars/recognition/{top.id}/recognised")
    db.session.expire_all()
    assert all(a.recognised_at for a in db.session.scalars(select(StarAward)))
