"""Sign-in lockout and limits (issue 12, items 5 and 8)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from alliance import create_app
from alliance.accounts.models import User
from alliance.accounts.services import MAX_FAILED_LOGINS
from alliance.extensions import db
from tests.conftest import PASSWORD, IsolatedClient, login

LOCKED = "登录失败次数过多，账号已暂时锁定"


@pytest.fixture(autouse=True)
def _loose_address_limit(app, monkeypatch):
    """These tests come from one address; the per-address limit has its own tests."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")


def _user(username="resident") -> User:
    db.session.expire_all()
    return db.session.scalars(db.select(User).where(User.username == username)).one()


def test_a_burst_of_wrong_passwords_is_counted_whole_and_locks(app, world):
    barrier = threading.Barrier(30)

    def wrong(_n):
        client = app.test_client()
        barrier.wait()
        return login(client, "resident", "wrong-password1").status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(wrong, range(30)))
    assert set(statuses) <= {422, 429}
    user = _user()
    assert user.failed_logins >= MAX_FAILED_LOGINS
    assert user.locked_until is not None
    right = login(app.test_client(), "resident")
    assert right.status_code == 429 and LOCKED in right.get_data(as_text=True)


def test_the_right_password_inside_the_burst_is_refused_once_the_burst_locked(
    app, world, monkeypatch
):
    """The right password's check started before the lock, and finishes after it."""
    checking, go_on = threading.Event(), threading.Event()
    real_check = User.check_password

    def check_then_wait(self, password):
        result = real_check(self, password)
        if password == PASSWORD:
            checking.set()
            go_on.wait(20)
        return result

    monkeypatch.setattr(User, "check_password", check_then_wait)
    right_client = app.test_client()
    with ThreadPoolExecutor(max_workers=1) as pool:
        right = pool.submit(login, right_client, "resident")
        assert checking.wait(20)
        for _ in range(MAX_FAILED_LOGINS):
            login(app.test_client(), "resident", "wrong-password1")
        go_on.set()
        response = right.result(30)
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    assert right_client.get("/me").status_code == 302


def test_counting_starts_again_after_the_lock_runs_out(app, world):
    for _ in range(MAX_FAILED_LOGINS):
        login(app.test_client(), "resident", "wrong-password1")
    user = _user()
    user.locked_until = user.locked_until.replace(year=2000)
    db.session.commit()
    assert login(app.test_client(), "resident", "wrong-password1").status_code == 422
    assert _user().failed_logins == 1
    assert login(app.test_client(), "resident").status_code == 303


@pytest.fixture
def proxied(app):
    """The site as the README serves it: one nginx in front (PROXY_COUNT=1)."""
    behind = create_app({**app.config, "PROXY_COUNT": 1, "LOGIN_RATE_LIMIT": "10 per minute"})
    behind.test_client_class = IsolatedClient
    return behind


def _from(address):
    return {"X-Forwarded-For": address}


def test_behind_the_proxy_one_client_cannot_lock_out_the_site(proxied, world):
    attacker = proxied.test_client()
    statuses = [
        attacker.post(
            "/login",
            data={"identifier": f"ghost{n}", "password": "x1234567"},
            headers=_from("203.0.113.9"),
        ).status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429
    neighbour = proxied.test_client()
    response = neighbour.post(
        "/login",
        data={"identifier": "resident", "password": PASSWORD},
        headers=_from("198.51.100.7"),
    )
    assert response.status_code == 303


def test_a_name_is_limited_whatever_the_address_and_the_answer_hides_whether_it_exists(
    proxied, world
):
    def attempts(name):
        client = proxied.test_client()
        answers = []
        for n in range(MAX_FAILED_LOGINS + 1):
            response = client.post(
                "/login",
                data={"identifier": name, "password": "wrong-password1"},
                headers=_from(f"192.0.2.{n + 1}"),
            )
            answers.append((response.status_code, LOCKED in response.get_data(as_text=True)))
        return answers

    known, unknown = attempts("resident"), attempts("nobody-here")
    assert known == unknown
    assert known[-1] == (429, True)
    assert known[0] == (422, False)
