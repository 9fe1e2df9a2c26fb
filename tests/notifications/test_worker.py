"""A real Celery worker against Redis (db 3): it sends, beats, and a worker killed between claim
and mark does not make the phone get the message twice. Skipped when Redis does not answer."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from alliance.celery_app import HEARTBEAT_KEY, enqueue
from alliance.extensions import db
from alliance.notifications import outbox, services
from alliance.notifications.models import OutboxMessage
from tests.notifications.gateway import Gateway

BROKER = os.environ.get("ALLIANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis at {BROKER} does not answer")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def workers(app, tmp_path):
    started = []

    def start(gateway_url: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY_BROKER_URL": BROKER,
            "SMS_PROVIDER": "http",
            "SMS_GATEWAY_URL": gateway_url,
            "SMS_GATEWAY_TOKEN": "worker-test",
            "SMS_QUIET_HOURS": "",
            "SMS_SEND_LEASE_SECONDS": "1",
        }
        env.pop("ALLIANCE_ENV", None)
        log = open(tmp_path / f"worker{len(started)}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "alliance.worker",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for(predicate, timeout=90.0, every=None):
    """Poll until predicate() is true (every() runs between polls, as the beat would)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if every is not None:
            every()
        time.sleep(0.2)
    return False


def _state(message_id):
    db.session.rollback()  # a fresh snapshot: the worker writes from another process
    return db.session.execute(
        select(OutboxMessage.state, OutboxMessage.attempts).where(OutboxMessage.id == message_id)
    ).one()


def _queue_lost_card(world, queued_app):
    resident = world.users["resident"]
    resident.phone = "13800138000"
    db.session.commit()
    with queued_app.app_context():
        services.notify([resident.id], "card.lost", {"number": "A-1"}, community_id=world.a.id)
        db.session.commit()
    return db.session.scalars(select(OutboxMessage.id)).one()


def test_a_worker_sends_queued_sms_and_writes_its_heartbeat(
    broker, workers, app_with_broker, world
):
    queued = app_with_broker(BROKER)
    with Gateway() as gateway:
        workers(gateway.url)
        message_id = _queue_lost_card(world, queued)
        assert wait_for(lambda: _state(message_id) == ("sent", 1))
        assert [r["body"]["to"] for r in gateway.requests] == ["13800138000"]
        with queued.app_context():
            enqueue("notifications.heartbeat")
        assert wait_for(lambda: broker.get(HEARTBEAT_KEY) is not None)
        assert abs(int(broker.get(HEARTBEAT_KEY)) - time.time()) < 120


def test_a_worker_killed_between_claim_and_mark_sends_once(broker, workers, app_with_broker, world):
    queued = app_with_broker(BROKER, SMS_SEND_LEASE_SECONDS=1)
    with Gateway() as gateway:
        first = workers(gateway.url)

        def die_mid_send(entry):
            # The gateway has taken the message; the worker dies before it can mark it sent.
            if len(gateway.requests) == 1:
                os.kill(first.pid, signal.SIGKILL)

        gateway.on_message = die_mid_send
        message_id = _queue_lost_card(world, queued)
        assert wait_for(lambda: first.poll() is not None)
        assert _state(message_id) == ("sending", 1)
        # acks_late: the task was not acknowledged, Redis still holds it for re-delivery.
        assert broker.hlen("unacked") == 1

        workers(gateway.url)

        def beat():
            with queued.app_context():
                outbox.sweep()

        assert wait_for(lambda: _state(message_id)[0] == "sent", every=beat)
        state, attempts = _state(message_id)
        assert attempts == 2
        keys = {r["key"] for r in gateway.requests}
        assert keys == {f"outbox-{message_id}"}  # the retry carried the same key
        assert len(gateway.delivered) == 1  # so the phone got it once
