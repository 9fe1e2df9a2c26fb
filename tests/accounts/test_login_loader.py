"""The signed-in user is made from one row of columns (alliance.accounts.login): the same values
the ORM would load, in the session, clean, and saved when a page changes it."""

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.accounts.login import _user_statement
from alliance.accounts.models import Role, User
from alliance.notifications.services import add_inbox_rows
from tests.conftest import login


def _as_loaded(user: User) -> dict:
    columns = {c.key: getattr(user, c.key) for c in User.__table__.c}
    extras = (user.role_codes, user.inbox_unread, user.emergency_running)
    community = user.community and (user.community.id, user.community.name, user.community.code)
    return {**columns, "extras": extras, "community": community}


def test_the_signed_in_user_is_what_the_orm_loads(app, db, world, make_user):
    user = make_user("two_roles", community=world.a, roles=(Role.SECRETARY, Role.RESIDENT))
    add_inbox_rows([user.id, user.id], "notice", {}, link="/", community_id=world.a.id)
    db.session.commit()
    token = user.login_token
    with Session(db.engine) as other:
        expected = _as_loaded(other.scalars(_user_statement(), {"token": token}).one())
    assert sorted(expected["extras"][0].split(",")) == ["resident", "secretary"]
    assert expected["extras"][1] == 2 and expected["community"][1] == "甲社区"
    db.session.remove()
    with app.test_request_context():
        loaded = app.login_manager._user_callback(token)
        assert _as_loaded(loaded) == expected
        session = db.session()
        assert loaded in session and loaded.community in session
        assert not session.dirty and not session.new
        assert {grant.role for grant in loaded.role_grants} == {"secretary", "resident"}
        assert app.login_manager._user_callback("no-such-token") is None


def test_a_page_that_changes_the_signed_in_user_saves_it(client, db, world):
    login(client, "resident")
    assert client.post("/large-text", data={"mode": "on"}).status_code == 303
    db.session.remove()
    resident = db.session.scalars(select(User).where(User.username == "resident")).one()
    assert resident.large_text is True


def test_a_user_already_in_the_session_is_the_one_returned(app, db, world):
    with app.test_request_context():
        resident = db.session.scalars(select(User).where(User.username == "resident")).one()
        assert app.login_manager._user_callback(resident.login_token) is resident
        assert current_user.is_anonymous
