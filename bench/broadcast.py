"""A broadcast to 12,000 residents through the log provider, timed from request to last SMS.

    python -m bench.broadcast [--database-url URL] [--recipients 12000] [--no-write]

Needs PostgreSQL (127.0.0.1:5432) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/3).
It rebuilds the database ``alliance_bench_broadcast`` (one community, a secretary and N residents
with mainland mobiles), starts a Celery worker as ``make worker`` does, posts the broadcast form
as the secretary (in-process test client, with the app queueing on Redis like ``make serve``),
and waits until the outbox has marked every SMS sent. The figures go into bench/RESULTS.md.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import postgres_url, recreate_database, sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- broadcast:begin -->", "<!-- broadcast:end -->"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/alliance_bench_broadcast"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PASSWORD = "bench-broadcast-1"


def make_app(url: str):
    from alliance import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "CELERY_BROKER_URL": REDIS,
            "SMS_PROVIDER": "log",
            "SMS_QUIET_HOURS": "",
        }
    )


def build(url: str, recipients: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from alliance.accounts.models import Role, User, UserRole
    from alliance.communities.models import Community, StreetOffice
    from alliance.extensions import db

    recreate_database(url)
    app = make_app(url)
    with app.app_context():
        upgrade()
        office = StreetOffice(code="BC", name="广播街道")
        db.session.add(office)
        db.session.flush()
        community = Community(code="BCST", name="云水明珠社区", street_office_id=office.id)
        db.session.add(community)
        db.session.flush()
        secretary = User(
            username="bench_broadcast_sec",
            display_name="书记",
            password_hash=generate_password_hash(PASSWORD),
            community_id=community.id,
        )
        db.session.add(secretary)
        db.session.flush()
        db.session.add(UserRole(user_id=secretary.id, role=Role.SECRETARY))
        hashed = generate_password_hash("not-used-" + PASSWORD)
        rows = [
            dict(
                username=f"bench_r_{n}",
                display_name=f"居民{n}",
                phone=f"139{n:08d}",
                password_hash=hashed,
                community_id=community.id,
                locale="zh_CN",
                active=True,
                failed_logins=0,
            )
            for n in range(1, recipients + 1)
        ]
        db.session.execute(insert(User), rows)
        db.session.commit()
        db.engine.dispose()


def start_worker(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url(url),
        "CELERY_BROKER_URL": REDIS,
        "SMS_PROVIDER": "log",
        "SMS_QUIET_HOURS": "",
    }
    env.pop("ALLIANCE_ENV", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alliance.worker",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def run(url: str, recipients: int) -> dict:
    import redis
    from sqlalchemy import func, select

    from alliance.extensions import db
    from alliance.notifications.models import Broadcast, OutboxMessage

    redis.Redis.from_url(REDIS).flushdb()
    worker = start_worker(url)
    app = make_app(url)
    try:
        client = app.test_client()
        with app.app_context():
            answer = client.post(
                "/login", data={"identifier": "bench_broadcast_sec", "password": PASSWORD}
            )
            assert answer.status_code == 303, answer.status_code
            started = time.time()
            t0 = time.perf_counter()
            answer = client.post(
                "/notifications/broadcast",
                data={
                    "audience": "all",
                    "title": "防汛提醒",
                    "body": "今晚有暴雨，请低楼层住户注意防范",
                    "inbox": "y",
                    "sms": "y",
                },
            )
            request_ms = (time.perf_counter() - t0) * 1000
            assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
        deadline = time.monotonic() + 900
        while True:
            with app.app_context():
                b = db.session.scalars(select(Broadcast)).one()
                sent, last = db.session.execute(
                    select(func.count(OutboxMessage.id), func.max(OutboxMessage.sent_at)).where(
                        OutboxMessage.broadcast_id == b.id, OutboxMessage.state == "sent"
                    )
                ).one()
                done = b.state == "fanned_out" and sent == b.sms_total
                figures = dict(
                    recipients=b.recipients,
                    sms_total=b.sms_total,
                    sent=sent,
                    last=last,
                    fanned=b.fanned_out_at,
                )
                db.session.remove()
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        figures["request_ms"] = request_ms
        figures["fan_out_s"] = (
            figures["fanned"].timestamp() - started if figures["fanned"] else None
        )
        figures["last_sent_s"] = figures["last"].timestamp() - started if figures["last"] else None
        return figures
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(60)
        with app.app_context():
            db.engine.dispose()


def write_results(block: str) -> None:
    text = RESULTS.read_text()
    section = f"{BEGIN}\n{block}\n{END}"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), section, text, flags=re.S)
    else:
        text += "\n## Broadcast to 12,000 residents (make bench)\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--recipients", type=int, default=12_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    build(args.database_url, args.recipients)
    f = run(args.database_url, args.recipients)
    block = (
        f"Broadcast to {f['recipients']:,} people by inbox and SMS (log provider), one Celery "
        f"worker (2 processes), PostgreSQL, Redis broker, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}:\n\n"
        f"| step | seconds after the request |\n| --- | --- |\n"
        f"| request answered (303) | {f['request_ms'] / 1000:.3f} |\n"
        f"| fanned out ({f['recipients']:,} inbox rows, {f['sms_total']:,} SMS rows) | {f['fan_out_s']:.1f} |\n"
        f"| last SMS marked sent ({f['sent']:,} of {f['sms_total']:,}) | {f['last_sent_s']:.1f} |"
    )
    print(block)
    if not args.no_write:
        write_results(block)
    return 0 if f["sent"] == f["sms_total"] else 1


if __name__ == "__main__":
    sys.exit(main())
