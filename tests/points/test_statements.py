"""List pages answer in a fixed number of statements, whatever the data."""

from datetime import timedelta

from alliance.activities import service_hours, services
from alliance.extensions import db
from alliance.points import ledger
from tests.points.factories import make_activity, make_volunteer


def _grow(world, n):
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    for k in range(n):
        activity = make_activity(world.a, world.users["secretary_a"], title=f"活动{k}", slots=2)
        slot = activity.slots[0]
        services.sign_up(slot, volunteer)
        ledger.award(volunteer, 3, f"好事{k}", world.users["secretary_a"])
    db.session.commit()


def _count(as_user, count_statements, username, path):
    client = as_user(username)
    client.get(path)  # warm caches (login, session)
    with count_statements() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_lists_do_not_grow_with_the_data(as_user, world, count_statements):
    _grow(world, 2)
    paths = [
        ("volunteer", "/activities/"),
        ("volunteer", "/me/points"),
        ("secretary_a", "/activities/manage"),
        ("resident", "/activities/leaderboard"),
    ]
    small = {p: _count(as_user, count_statements, u, p) for u, p in paths}
    _grow(world, 8)
    large = {p: _count(as_user, count_statements, u, p) for u, p in paths}
    assert small == large


def test_attendance_list_does_not_grow(as_user, world, make_user, count_statements):
    from alliance.accounts.models import Role

    activity = make_activity(world.a, world.users["secretary_a"], capacity=100)
    slot_id = activity.slots[0].id

    def add(n):
        for _ in range(n):
            user = make_user(community=world.a, roles=(Role.VOLUNTEER,))
            make_volunteer(user, world.a)
            signup = services.sign_up(db.session.get(services.ActivitySlot, slot_id), user)
            service_hours.set_times(
                signup, signup.slot.starts_at, signup.slot.starts_at + timedelta(hours=1)
            )
        db.session.commit()

    add(2)
    small = _count(
        as_user, count_statements, "secretary_a", f"/activities/slots/{slot_id}/attendance"
    )
    add(10)
    large = _count(
        as_user, count_statements, "secretary_a", f"/activities/slots/{slot_id}/attendance"
    )
    assert small == large


def test_my_points_shows_balance_totals_and_each_entry_in_the_reader_s_language(as_user, world):
    """The page reads balance, totals and debits in one statement, and its lines are kept per
    content and language: a new entry and another language must show at once."""
    _grow(world, 2)
    client = as_user("volunteer")
    page = client.get("/me/points").get_data(as_text=True)
    assert 'data-testid="balance">6<' in page and "累计获得 6 · 已兑换 0" in page
    assert "好事1" in page and "赋分" in page and "余额 6" in page
    ledger.award(world.users["volunteer"], 4, "扫雪", world.users["secretary_a"])
    db.session.commit()
    page = client.get("/me/points").get_data(as_text=True)
    assert 'data-testid="balance">10<' in page and "扫雪" in page and "余额 10" in page
    client.post("/language", data={"locale": "en"})
    page = client.get("/me/points").get_data(as_text=True)
    assert "赋分" not in page and "Award" in page


def test_my_points_totals_cover_every_entry_beyond_the_lines_shown(as_user, world):
    """The page lists the newest lines (LIMIT) and reads the totals over all entries in the
    same statement (a window taken before the LIMIT)."""
    volunteer = world.users["volunteer"]
    make_volunteer(volunteer, world.a)
    for k in range(5):
        ledger.award(volunteer, 2, f"第{k}件好事", world.users["secretary_a"])
    db.session.commit()
    lines, totals = ledger.statement_of(volunteer.id, limit=3)
    assert [line.reason for line in lines] == ["第4件好事", "第3件好事", "第2件好事"]
    assert totals == {"earned": 10, "spent": 0, "expired": 0, "debits": 0, "balance": 10}
    assert ledger.statement_of(world.users["resident"].id) == ((), ledger.totals_for(0))
    page = as_user("volunteer").get("/me/points").get_data(as_text=True)
    assert "累计获得 10" in page and page.count('class="ledger-row"') == 5
