"""Exactly once under concurrency, through a real threaded server (SQLite here, PostgreSQL when
ALLIANCE_TEST_DATABASE_URL is set): each thread is its own HTTP client, app context and session."""

import json
import threading
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from alliance.cards.models import Redemption

THREADS = 12


@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


def _post(url, token, key, body):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        barrier.wait()
        results[i] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_key_from_many_threads_makes_one_redemption(server, counter, api_token, db):
    key = str(uuid.uuid4())
    body = {"code": counter.code, "offer_id": counter.free_id, "bill_fen": 5000}
    url = server + "/api/v1/redemptions"
    results = _race([lambda: _post(url, api_token, key, body)] * THREADS)
    statuses = [s for s, _ in results]
    assert all(s in (200, 201) for s in statuses), results
    assert len({b["id"] for _, b in results}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Redemption.id))) == 1


def test_distinct_requests_against_a_once_a_day_limit_make_exactly_one(
    server, counter, api_token, db
):
    body = {"code": counter.code, "offer_id": counter.daily_id, "bill_fen": 1000}
    url = server + "/api/v1/redemptions"
    keys = [str(uuid.uuid4()) for _ in range(THREADS)]
    jobs = [(lambda k=k: _post(url, api_token, k, body)) for k in keys]
    results = _race(jobs)
    statuses = sorted(s for s, _ in results)
    assert statuses == [201] + [409] * (THREADS - 1), results
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Redemption.id))) == 1
