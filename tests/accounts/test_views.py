import re

from sqlalchemy import select

from alliance.accounts.models import Role, User
from tests.conftest import PASSWORD, login


def register(client, world, **overrides):
    data = {
        "display_name": "王小明",
        "phone": "13812345678",
        "username": "",
        "community_id": str(world.a.id),
        "password": "Secure123pw",
        "confirm": "Secure123pw",
        **overrides,
    }
    return client.post("/register", data=data)


def test_register_creates_resident_and_signs_in(client, world, db):
    response = register(client, world)
    assert response.status_code == 303
    assert response.headers["Location"] == "/me?welcome=1"
    user = db.session.scalars(select(User).where(User.phone == "13812345678")).one()
    assert user.roles == {Role.RESIDENT}
    assert user.community_id == world.a.id
    assert user.password_hash != "Secure123pw"
    page = client.get("/me").get_data(as_text=True)
    assert "王小明" in page
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "接下来可以做什么" not in page


def test_after_registering_the_page_says_what_to_do_next(client, world, db):
    page = client.get(register(client, world).headers["Location"]).get_data(as_text=True)
    assert "接下来可以做什么" in page
    for link in ('href="/volunteers/apply"', 'href="/requests/new"', 'href="/commitments/"'):
        assert link in page


def test_register_accepts_formatted_phone(client, world, db):
    assert register(client, world, phone="+86 138-1234-5678").status_code == 303
    assert db.session.scalars(select(User.phone)).all().count("13812345678") == 1


def test_register_rejects_bad_phone_with_chinese_message(client, world, db):
    for phone in ("12345", "23812345678", "1381234567x", "010-12345678"):
        page = register(client, world, phone=phone).get_data(as_text=True)
        assert "请输入有效的中国大陆手机号码" in page
    assert db.session.scalar(select(User).where(User.display_name == "王小明")) is None


def test_register_rejects_weak_password(client, world):
    for weak, message in (
        ("abc12", "至少需要 8 位"),
        ("12345678", "太常见"),
        ("abcdefghij", "字母和数字"),
    ):
        page = register(client, world, password=weak, confirm=weak).get_data(as_text=True)
        assert message in page


def test_register_rejects_mismatched_confirmation(client, world):
    page = register(client, world, confirm="Other123pw").get_data(as_text=True)
    assert "两次输入的密码不一致" in page


def test_register_refuses_duplicate_phone(client, world):
    assert register(client, world).status_code == 303
    client.post("/logout")
    page = register(client, world, display_name="李四").get_data(as_text=True)
    assert "已经注册过了" in page


def test_register_requires_a_community(client, world):
    page = register(client, world, community_id="0").get_data(as_text=True)
    assert "请选择所在社区" in page
    page = register(client, world, community_id="99999").get_data(as_text=True)
    assert "不是有效的选择" in page


def test_login_by_username_or_phone(client, make_user, world):
    make_user("wang", community=world.a, phone="13900001111")
    assert login(client, "wang").status_code == 303
    client.post("/logout")
    assert login(client, "139 0000 1111").status_code == 303
    assert "测试用户" in client.get("/me").get_data(as_text=True)


def test_wrong_password_says_so_and_stays_anonymous(client, world):
    page = login(client, "resident", "wrong-password1").get_data(as_text=True)
    assert "手机号/用户名或密码不正确" in page
    assert client.get("/me").status_code == 302


def test_lockout_after_five_failures(client, world):
    for _ in range(5):
        login(client, "resident", "wrong-password1")
    page = login(client, "resident", PASSWORD).get_data(as_text=True)
    assert "账号已暂时锁定" in page
    assert client.get("/me").status_code == 302


def test_login_is_rate_limited(client, world):
    # Per client address, whatever the name (per name: tests/security/test_login_limits.py).
    statuses = [login(client, f"nobody{n}", "whatever1").status_code for n in range(12)]
    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429
    assert "操作太频繁" in login(client, "nobody99", "x").get_data(as_text=True)


def test_logout_ends_session(as_user, world):
    client = as_user("resident")
    assert client.get("/me").status_code == 200
    client.post("/logout")
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_clears_the_cached_card_but_not_other_cookies(as_user, world):
    client = as_user("resident")
    response = client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_login_redirects_only_to_local_next(client, world):
    response = client.post(
        "/login?next=/communities/", data={"identifier": "resident", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/communities/"
    client.post("/logout")
    for evil in ("//evil.example", "/\\evil.example", "https://evil.example"):
        response = client.post(
            f"/login?next={evil}", data={"identifier": "resident", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")


def test_remember_me_sets_a_lasting_cookie(client, world):
    response = login(client, "resident", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]


def test_password_change_ends_other_sessions(app, world):
    first, second = app.test_client(), app.test_client()
    login(first, "resident")
    login(second, "resident")
    response = first.post(
        "/me",
        data={
            "pw-current": PASSWORD,
            "pw-password": "NewSecret99",
            "pw-confirm": "NewSecret99",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 303
    assert first.get("/me").status_code == 200
    assert second.get("/me").status_code == 302
    assert login(second, "resident", "NewSecret99").status_code == 303


def test_password_change_needs_current_password(as_user, world):
    client = as_user("resident")
    page = client.post(
        "/me",
        data={
            "pw-current": "not-it-123",
            "pw-password": "NewSecret99",
            "pw-confirm": "NewSecret99",
            "pw-submit": "1",
        },
    ).get_data(as_text=True)
    assert "当前密码不正确" in page


def test_me_lists_roles_in_chinese(as_user, world):
    page = as_user("volunteer").get("/me").get_data(as_text=True)
    assert "志愿者" in page and "居民" in page


def test_session_cookie_flags(client, world):
    response = login(client, "resident")
    session_cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")
    )
    assert "HttpOnly" in session_cookie
    assert re.search(r"SameSite=Lax", session_cookie)
