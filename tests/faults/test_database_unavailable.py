"""SQLite locked past its busy timeout answers 503; the health answers report each dependency."""

import io
import sqlite3
import time
import uuid

import pytest
import redis
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from alliance.cards.models import Redemption
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.main.health import HEARTBEAT_KEY
from tests.cards.conftest import bearer
from tests.conftest import PASSWORD
from tests.faults.conftest import make_app


@pytest.fixture
def sqlite_file(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's lock: the PostgreSQL outage is tested in test_postgres_outage")
    return url.database


def test_sqlite_locked_past_the_busy_timeout_is_503_and_saves_nothing(
    database_url, sqlite_file, counter, api_token
):
    app = make_app(database_url, SQLITE_BUSY_TIMEOUT_MS=200)
    client = app.test_client()
    body = {"code": counter.code, "offer_id": counter.free_id, "bill_fen": 1000}
    headers = {**bearer(api_token), "Idempotency-Key": str(uuid.uuid4())}
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a long import)
    try:
        api = client.post("/api/v1/redemptions", json=body, headers=headers)
        page = client.post("/login", data={"identifier": "resident", "password": "wrong"})
        reading = client.get("/commitments/")
    finally:
        holder.rollback()
        holder.close()

    assert api.status_code == 503
    assert api.headers["Retry-After"] == "30"
    assert api.get_json()["error"]["code"] == 503
    assert "请稍后再试" in api.get_json()["error"]["message"]
    assert page.status_code == 503 and int(page.headers["Retry-After"]) > 0
    html = page.get_data(as_text=True)
    assert "没有保存" in html and "Traceback" not in html
    assert reading.status_code == 200, "readers carry on while a writer holds the lock (WAL)"
    assert db.session.scalar(select(func.count(Redemption.id))) == 0

    again = client.post("/api/v1/redemptions", json=body, headers=headers)
    assert again.status_code == 201
    assert db.session.scalar(select(func.count(Redemption.id))) == 1
    with app.app_context():
        db.engine.dispose()


def test_unavailable_page_follows_the_session_language(database_url, sqlite_file, world):
    app = make_app(database_url, SQLITE_BUSY_TIMEOUT_MS=100)
    client = app.test_client()
    client.post("/language", data={"locale": "en"})
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        page = client.post("/login", data={"identifier": "resident", "password": "wrong"})
    finally:
        holder.rollback()
        holder.close()
    assert page.status_code == 503
    assert 'lang="en"' in page.get_data(as_text=True)
    assert "Nothing you did was saved" in page.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_health_without_optional_dependencies(client):
    assert client.get("/healthz").get_json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["database"]["status"] == "ok"
    for part in ("redis", "broker", "worker"):
        assert body[part]["status"] == "not_configured"
    deep = client.get("/healthz?deep=1")
    assert deep.status_code == 200 and deep.get_json().keys() == body.keys()


def test_readyz_reports_redis_broker_and_worker_heartbeat(
    database_url, redis_server, restore_limiter
):
    app = make_app(
        database_url,
        RATELIMIT_STORAGE_URI=redis_server.url,
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        CELERY_BROKER_URL=redis_server.url,
        WORKER_HEARTBEAT_MAX_AGE=60,
    )
    client = app.test_client()
    beat = redis.Redis.from_url(redis_server.url)

    no_beat = client.get("/readyz")
    assert no_beat.status_code == 503
    assert no_beat.json["worker"] == {
        "status": "down",
        "heartbeat_age_seconds": None,
        "max_age_seconds": 60.0,
        "error": "no heartbeat",
    }
    assert no_beat.json["broker"]["status"] == "ok" and no_beat.json["redis"]["status"] == "ok"

    beat.set(HEARTBEAT_KEY, str(time.time() - 5))
    fresh = client.get("/healthz?deep=1")
    assert fresh.status_code == 200, fresh.json
    assert fresh.json["status"] == "ok"
    assert 4 <= fresh.json["worker"]["heartbeat_age_seconds"] < 60

    beat.set(HEARTBEAT_KEY, str(time.time() - 600))
    stale = client.get("/readyz")
    assert stale.status_code == 503 and stale.json["worker"]["status"] == "down"
    assert stale.json["worker"]["heartbeat_age_seconds"] >= 600

    redis_server.stop()
    away = client.get("/readyz")
    assert away.status_code == 503
    assert away.headers["Retry-After"] == "30"
    assert away.json["redis"]["status"] == "down"
    assert away.json["broker"]["status"] == "down"
    assert away.json["database"]["status"] == "ok"
    # The load balancer's question is only about the database: still in service.
    assert client.get("/healthz").status_code == 200
    login = client.post("/login", data={"identifier": "nobody", "password": PASSWORD})
    assert login.status_code == 422, "the login form answers while Redis is away"
    redis_server.start()
    with app.app_context():
        db.engine.dispose()


def test_photo_of_a_need_refused_by_a_locked_database_is_not_kept(
    database_url, sqlite_file, world, setup, tmp_path
):
    uploads = tmp_path / "uploads"
    app = make_app(database_url, SQLITE_BUSY_TIMEOUT_MS=200, HELP_REQUEST_UPLOAD_DIR=str(uploads))
    client = app.test_client()
    assert (
        client.post("/login", data={"identifier": "resident", "password": PASSWORD}).status_code
        == 303
    )
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(photo, "JPEG")
    form = {
        "category_id": str(setup.cat_a["repair"].id),
        "title": "楼道漏水",
        "estate_id": str(world.estate_a.id),
        "building": "3号楼2单元",
        "urgency": "urgent",
        "contact_method": "phone",
        "contact_phone": "13900000001",
    }
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused = client.post(
            "/requests/new",
            data={**form, "photo": (io.BytesIO(photo.getvalue()), "leak.jpg")},
            content_type="multipart/form-data",
        )
    finally:
        holder.rollback()
        holder.close()
    assert refused.status_code == 503
    assert list(uploads.iterdir()) == [], "the photo of a need that was not saved is not kept"
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 0

    accepted = client.post(
        "/requests/new",
        data={**form, "photo": (io.BytesIO(photo.getvalue()), "leak.jpg")},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 303
    assert len(list(uploads.iterdir())) == 1
    with app.app_context():
        db.engine.dispose()
