"""Reset links from a secretary, the person's data download, and closing an account."""

import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from alliance import hooks
from alliance.accounts import reset_links
from alliance.accounts.models import PasswordReset, User, UserRole
from alliance.audit.models import AuditEntry
from alliance.audit.services import acting_as
from alliance.db_types import utcnow
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "Fresh2026pw"


def make_link(as_user, person_id, by="secretary_a") -> str:
    page = as_user(by).post(f"/people/{person_id}/reset-link").get_data(as_text=True)
    match = re.search(r'value="(http://[^"]+/reset/([^"]+))"', page)
    assert match, page
    return match.group(2)


def set_password(client, token, password=NEW_PASSWORD, confirm=None):
    return client.post(
        f"/reset/{token}", data={"password": password, "confirm": confirm or password}
    )


# Reset links -------------------------------------------------------------------------------------


def test_secretary_link_lets_the_person_set_a_new_password_once(app, as_user, world, db):
    resident = world.users["resident"]
    token = make_link(as_user, resident.id)

    visitor = app.test_client()
    page = visitor.get(f"/reset/{token}")
    assert page.status_code == 200
    assert "设置新密码" in page.get_data(as_text=True)

    done = set_password(visitor, token)
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert "新密码已设置" in visitor.get("/login").get_data(as_text=True)

    assert login(app.test_client(), "resident", NEW_PASSWORD).status_code == 303
    assert login(app.test_client(), "resident", PASSWORD).status_code == 422  # old one refused

    again = set_password(app.test_client(), token, "Another2026pw")
    assert again.status_code == 410
    assert "已经用过" in again.get_data(as_text=True)
    assert app.test_client().get(f"/reset/{token}").status_code == 410
    assert login(app.test_client(), "resident", NEW_PASSWORD).status_code == 303


def test_reset_ends_every_session_of_the_person(app, as_user, world):
    phone = app.test_client()
    assert login(phone, "resident").status_code == 303
    assert phone.get("/me").status_code == 200
    token = make_link(as_user, world.users["resident"].id)
    assert set_password(app.test_client(), token).status_code == 303
    assert phone.get("/me").status_code == 302  # sent to log in again


def test_link_shows_once_and_only_its_hash_is_stored(as_user, world, db):
    token = make_link(as_user, world.users["resident"].id)
    db.session.expire_all()
    stored = db.session.scalars(select(PasswordReset)).one()
    assert stored.token_hash != token and token not in stored.token_hash
    assert len(stored.token_hash) == 64
    assert stored.purpose == "password_reset"
    assert stored.expires_at - stored.created_at == timedelta(hours=24)


def test_expired_and_unknown_links_say_so(app, as_user, world, db):
    token = make_link(as_user, world.users["resident"].id)
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = set_password(app.test_client(), token)
    assert expired.status_code == 410
    assert "超过 24 小时" in expired.get_data(as_text=True)
    unknown = app.test_client().get("/reset/not-a-real-token")
    assert unknown.status_code == 404
    assert "链接无效" in unknown.get_data(as_text=True)
    assert login(app.test_client(), "resident").status_code == 303  # password unchanged


def test_a_newer_link_replaces_the_older_one(app, as_user, world):
    first = make_link(as_user, world.users["resident"].id)
    second = make_link(as_user, world.users["resident"].id, by="street")
    assert set_password(app.test_client(), first).status_code == 410
    assert set_password(app.test_client(), second).status_code == 303


def test_weak_password_is_refused_and_the_link_still_works(app, as_user, world):
    token = make_link(as_user, world.users["resident"].id)
    client = app.test_client()
    weak = set_password(client, token, "12345678")
    assert weak.status_code == 422
    assert "太常见" in weak.get_data(as_text=True)
    mismatch = set_password(client, token, NEW_PASSWORD, confirm="Other2026pw")
    assert "两次输入的密码不一致" in mismatch.get_data(as_text=True)
    assert set_password(client, token).status_code == 303


def test_reset_lifts_a_lockout(app, as_user, world):
    for _ in range(5):
        login(app.test_client(), "resident", "wrong-password1")
    assert "暂时锁定" in login(app.test_client(), "resident").get_data(as_text=True)
    token = make_link(as_user, world.users["resident"].id)
    assert set_password(app.test_client(), token).status_code == 303
    assert login(app.test_client(), "resident", NEW_PASSWORD).status_code == 303


def test_only_the_persons_own_administrators_make_links(as_user, world, make_user):
    resident = world.users["resident"]
    assert as_user("secretary_b").post(f"/people/{resident.id}/reset-link").status_code == 404
    assert as_user("grid").post(f"/people/{resident.id}/reset-link").status_code == 403
    # A street officer has no community: nobody makes a link for them from the web.
    street = world.users["street"]
    assert as_user("secretary_a").post(f"/people/{street.id}/reset-link").status_code == 404
    assert as_user("secretary_a").post("/people/999999/reset-link").status_code == 404


def test_link_creation_is_audited_without_the_token(as_user, world, db):
    make_link(as_user, world.users["resident"].id)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "PasswordReset")
    ).one()
    assert entry.actor_id == world.users["secretary_a"].id
    assert entry.community_id == world.a.id
    assert entry.after["token_hash"] == "***"


def test_the_people_page_offers_the_reset_button(as_user, world):
    page = as_user("secretary_a").get(f"/communities/{world.a.id}/people").get_data(as_text=True)
    assert f"/people/{world.users['resident'].id}/reset-link" in page
    assert "生成重置密码链接" in page


def test_a_link_used_by_two_requests_at_once_works_once(app, db, world):
    with acting_as(world.users["secretary_a"]):
        token = reset_links.create_reset_link(
            world.users["resident"], by=world.users["secretary_a"]
        )
    db.session.commit()
    outcomes, errors = [], []
    start = threading.Barrier(4)

    def use():
        start.wait()
        with app.app_context():
            try:
                reset_links.use_reset_link(token, NEW_PASSWORD)
                db.session.commit()
                outcomes.append("set")
            except reset_links.ResetLinkInvalid as exc:
                db.session.rollback()
                outcomes.append(exc.reason)
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["set", "used", "used", "used"]


# Personal data -----------------------------------------------------------------------------------


def with_extra_hooks(monkeypatch, extra: hooks.Hooks) -> None:
    """One more domain's hooks, as if a domain had declared them."""
    declared = hooks.all_hooks()
    monkeypatch.setattr(hooks, "all_hooks", lambda: (*declared, extra))


@pytest.fixture
def extra_section(monkeypatch):
    with_extra_hooks(
        monkeypatch,
        hooks.Hooks(
            export_personal_data=lambda user: {"test_section": {"hello": user.display_name}}
        ),
    )


def test_person_downloads_their_own_data_as_json(as_user, world, make_user, extra_section):
    make_user("other", community=world.a, phone="13900001111")
    client = as_user("volunteer")
    response = client.get("/me/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["username"] == "volunteer"
    assert data["profile"]["community"] == "甲社区"
    assert {r["role"] for r in data["roles"]} == {"volunteer", "resident"}
    assert data["test_section"] == {"hello": world.users["volunteer"].display_name}
    assert "13900001111" not in response.get_data(as_text=True)


def test_the_download_includes_the_full_phone_number(app, world, make_user):
    make_user("withphone", community=world.a, phone="13812340000")
    client = app.test_client()
    assert login(client, "withphone").status_code == 303
    data = json.loads(client.get("/me/data").get_data(as_text=True))
    assert data["profile"]["phone"] == "13812340000"


def test_me_page_links_to_download_and_close(as_user, world):
    page = as_user("resident").get("/me").get_data(as_text=True)
    assert "/me/data" in page and "/me/close" in page


# Closing an account ------------------------------------------------------------------------------


def close(client, password=PASSWORD, understood="y"):
    data = {"password": password}
    if understood:
        data["understood"] = understood
    return client.post("/me/close", data=data)


def test_wrong_password_or_no_confirmation_closes_nothing(as_user, world, db):
    client = as_user("resident")
    assert "当前密码不正确" in close(client, "wrong-pass1").get_data(as_text=True)
    assert "请勾选确认" in close(client, understood=None).get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, world.users["resident"].id)
    assert user.active and user.closed_at is None and user.username == "resident"


def test_closing_erases_personal_fields_and_keeps_the_rows(app, db, world, make_user, monkeypatch):
    person = make_user("leaving", community=world.a, phone="13811112222", display_name="李四")
    secretary = world.users["secretary_a"]
    # Earlier, the secretary corrected the person's name: the audit log kept before and after.
    with acting_as(secretary):
        db.session.get(User, person.id).display_name = "李小四"
        db.session.commit()
    hooked = []

    def hook(user):
        hooked.append(user.id)

    with_extra_hooks(monkeypatch, hooks.Hooks(close_account=hook))
    client = app.test_client()
    assert login(client, "leaving").status_code == 303
    response = close(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert hooked == [person.id]
    assert client.get("/me").status_code == 302  # signed out

    db.session.expire_all()
    user = db.session.get(User, person.id)
    assert user.display_name == "已注销用户"
    assert user.phone is None
    assert user.username.startswith("closed-")
    assert not user.active and user.closed_at is not None
    assert not user.check_password(PASSWORD)
    assert (
        db.session.scalar(
            select(func.count()).select_from(UserRole).where(UserRole.user_id == person.id)
        )
        == 0
    )
    # The row and the audit line stay; the audit line no longer names the person.
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "User", AuditEntry.object_id == person.id
        )
    ).one()
    assert entry.before["display_name"] == entry.after["display_name"] == "***"
    assert "李" not in json.dumps(entry.before, ensure_ascii=False)

    for identifier in ("leaving", "13811112222"):
        assert login(app.test_client(), identifier).status_code == 422
    # The phone number is free for a new account.
    assert make_user("newcomer", community=world.a, phone="13811112222").phone == "13811112222"


def test_no_reset_link_for_a_closed_account(app, as_user, world, db):
    token = make_link(as_user, world.users["resident"].id)
    client = app.test_client()
    assert login(client, "resident").status_code == 303
    assert close(client).status_code == 303
    assert app.test_client().get(f"/reset/{token}").status_code == 404
    resident_id = world.users["resident"].id
    assert as_user("secretary_a").post(f"/people/{resident_id}/reset-link").status_code == 404
