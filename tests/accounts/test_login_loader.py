"""The signed-in user is made from one row of columns (alliance.accounts.login): the same values
the ORM would load, in the session, clean, and saved when a page changes it."""

from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from alliance.accounts.login import _user_statement
from alliance.accounts.models import Role, User
from alliance.communities.models import Community, StreetOffice
from alliance.extensions import db
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


def test_a_user_already_loaded_gets_the_loaders_extras(app, db, world):
    with app.test_request_context():
        secretary = db.session.scalars(select(User).where(User.username == "secretary_a")).one()
        assert "role_codes" not in secretary.__dict__
        assert app.login_manager._user_callback(secretary.login_token) is secretary
        assert (secretary.role_codes, secretary.inbox_unread) == ("secretary", 0)
        assert secretary.emergency_running is False


def test_a_user_deleted_in_the_request_is_not_signed_in(app, db, world):
    with app.test_request_context():
        resident = db.session.scalars(select(User).where(User.username == "resident")).one()
        token = resident.login_token
        db.session.delete(resident)
        assert app.login_manager._user_callback(token) is None
        db.session.rollback()


def test_the_user_asked_for_inside_a_flush_is_loaded(app, db, world):
    token = world.users["street"].login_token
    db.session.remove()
    asked = []

    def during_flush(mapper, connection, target):
        asked.append(app.login_manager._user_callback(token))

    event.listen(StreetOffice, "after_insert", during_flush)
    try:
        with app.test_request_context():
            db.session.add(StreetOffice(code="FL", name="冲洗街道"))
            db.session.flush()
            assert asked[0].username == "street" and asked[0] in db.session
            db.session.rollback()
    finally:
        event.remove(StreetOffice, "after_insert", during_flush)


def test_the_models_made_from_the_row_take_their_columns_as_they_are():
    # _user_from_row sets attributes named as the table's columns, through the constructor.
    for model in (User, Community):
        mapper = model.__mapper__
        assert {c.key for c in model.__table__.c} <= set(mapper.column_attrs.keys())
        assert not mapper.validators
        assert all(
            f.__module__.startswith("sqlalchemy.") for f in mapper.class_manager.dispatch.init
        )
        assert mapper.class_manager.original_init is db.Model.__init__
