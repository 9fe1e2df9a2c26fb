"""`make serve`: gunicorn with several workers, and rate limits shared through Redis."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.request import urlopen

import pytest

from alliance import gunicorn_conf

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = Path(PYTHON).with_name("gunicorn")
REDIS = "redis://127.0.0.1:6379"


def redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_timeout=1).ping())
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_schema(database_url: str) -> None:
    script = (
        "from alliance import create_app\n"
        "from alliance.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context(): db.create_all()\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([PYTHON, "-c", script], check=True, cwd=ROOT, env=env, timeout=60)


def test_worker_count_comes_from_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert gunicorn_conf.default_workers() == 3
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert gunicorn_conf.default_workers() == 2 * os.cpu_count()


def test_memory_storage_with_several_workers_is_warned_about():
    assert "redis://127.0.0.1:6379" in gunicorn_conf.rate_limit_warning(4, "memory://")
    assert gunicorn_conf.rate_limit_warning(1, "memory://") is None
    assert gunicorn_conf.rate_limit_warning(4, REDIS) is None


def test_gunicorn_serves_with_two_workers(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    make_schema(database_url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "RATELIMIT_STORAGE_URI"}
    env.update(PORT=str(port), WEB_CONCURRENCY="2", DATABASE_URL=database_url)
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "alliance/gunicorn_conf.py", "alliance:create_app()"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = []
    try:
        # The master logs "Listening at" once the socket is bound, then each worker "Booting
        # worker" as it starts: wait for both, or a fast server may be stopped before the second.
        for line in server.stderr:
            log.append(line)
            if "".join(log).count("Booting worker") == 2:
                break
        assert f"127.0.0.1:{port}" in "".join(log)
        for _ in range(6):
            with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
                assert response.status == 200
                assert json.load(response) == {"status": "ok"}
    finally:
        server.terminate()
        rest = server.communicate(timeout=30)[1]
    text = "".join(log) + rest
    assert "RATELIMIT_STORAGE_URI is memory:// with 2 workers" in text
    assert text.count("Booting worker") == 2


LIMIT_SCRIPT = """
import json, sys
from alliance import create_app
from alliance.extensions import db, limiter
app = create_app({
    "TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": sys.argv[1],
    "RATELIMIT_STORAGE_URI": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3],
    "LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_STRATEGY": "moving-window",
})
with app.app_context():
    db.create_all()
client = app.test_client()
codes = [client.post("/login", data={"identifier": "nobody", "password": "wrong-pass1"}).status_code
         for _ in range(int(sys.argv[4]))]
print(json.dumps({"storage": type(limiter.storage).__name__,
                  "ok": limiter.storage.check(), "codes": codes}))
"""


def run_app_instance(database_url: str, storage: str, prefix: str, posts: int) -> dict:
    result = subprocess.run(
        [PYTHON, "-c", LIMIT_SCRIPT, database_url, storage, prefix, str(posts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def redis_prefix():
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (apt-get install redis-server)")
    import redis

    prefix = f"alliance-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_two_app_instances_share_one_login_limit_through_redis(tmp_path, redis_prefix):
    database_url = f"sqlite:///{tmp_path / 'limits.db'}"
    first = run_app_instance(database_url, REDIS, redis_prefix, 2)
    second = run_app_instance(database_url, REDIS, redis_prefix, 2)
    assert first["storage"] == "RedisStorage" and first["ok"] is True
    assert first["codes"] == [422, 422]
    # The second process counts on from the first: its second try is the fourth of 3 per minute.
    assert second["codes"] == [422, 429]


def test_memory_storage_counts_per_process(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'limits.db'}"
    first = run_app_instance(database_url, "memory://", "p", 3)
    second = run_app_instance(database_url, "memory://", "p", 3)
    assert first["codes"] == second["codes"] == [422, 422, 422]
