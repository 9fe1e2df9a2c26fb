"""Soak: mixed load for N minutes with the rate-limit Redis stopped for 60 s in the middle.

    python -m bench.soak [--minutes 10] [--outage 60] [--database-url URL] [--no-write]

Everything runs on loopback and is the soak's own: a Redis it starts on a free port (not the
machine's shared one), the demo community in the PostgreSQL database ``alliance_soak`` (built
afresh) and gunicorn as ``make serve`` runs it, with its rate limits in that Redis. Client threads
send card verifications, redemptions (each with its own Idempotency-Key) and page views for
``--minutes``; Redis is stopped at the middle of the run for ``--outage`` seconds, then started
again on the same port. The report gives the answers by status, before, during and after the
outage, and the redemptions acknowledged (201) against those recorded in the database, which
must be equal. Bounded in time: the load stops at the deadline whatever happens.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from bench.generate import postgres_url
from bench.run import (
    HOST,
    LOGINS,
    USER_AGENT,
    build_small,
    free_port,
    gunicorn,
    prepare,
    server_env,
    session_cookie,
)

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/alliance_soak"
CLIENT_THREADS = 6
# Share of each kind of request in the mix (a counter's day: mostly scans, some redemptions).
MIX = [("verify", 4), ("redeem", 2), ("page", 3), ("signed_in", 1)]
PAGES = ["/", "/merchants/", "/commitments/"]


class Redis:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", HOST, "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self.answers():
            if time.monotonic() > deadline:
                raise SystemExit("the soak's redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def limit_keys(self) -> int:
        import redis

        return len(redis.Redis.from_url(self.url, socket_timeout=2).keys("LIMITS*"))


def pick_offer(port: int, token: str, code: str) -> int:
    """An offer of the cashier's member that this card may use any number of times."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request(
        "POST",
        "/api/v1/cards/verify",
        body=json.dumps({"code": code}),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        },
    )
    body = json.loads(conn.getresponse().read())
    conn.close()
    for offer in body.get("offers", []):
        if (
            offer["usage_period"] == "unlimited"
            and not offer["requires_rotating"]
            and offer["qualifies"]
        ):
            return offer["id"]
    raise SystemExit(f"no unlimited offer for the soak's card: {body}")


class Load:
    """Client threads on keep-alive connections; every answer counted by kind, phase, status."""

    def __init__(self, port, token, code, offer_id, cookie, run_id):
        self.port, self.token, self.code = port, token, code
        self.offer_id, self.cookie, self.run_id = offer_id, cookie, run_id
        self.phase = "before"
        self.answers: Counter = Counter()
        self.acknowledged: set[str] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def request(self, conn, kind: str, n: int):
        headers = {"User-Agent": USER_AGENT}
        body = None
        key = None
        if kind == "verify":
            method, path = "POST", "/api/v1/cards/verify"
            body = json.dumps({"code": self.code})
        elif kind == "redeem":
            method, path = "POST", "/api/v1/redemptions"
            key = f"soak-{self.run_id}-{uuid.uuid4()}"
            headers["Idempotency-Key"] = key
            body = json.dumps({"code": self.code, "offer_id": self.offer_id, "bill_fen": 1000 + n})
        elif kind == "signed_in":
            method, path = "GET", "/me/points"
            headers["Cookie"] = self.cookie
        else:
            method, path = "GET", PAGES[n % len(PAGES)]
        if kind in ("verify", "redeem"):
            headers["Authorization"] = f"Bearer {self.token}"
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, key

    def client(self, lane: int):
        rng = random.Random(lane)
        kinds = [k for k, weight in MIX for _ in range(weight)]
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        n = 0
        while not self.stop.is_set():
            n += 1
            kind = rng.choice(kinds)
            phase = self.phase
            try:
                status, key = self.request(conn, kind, n)
            except (OSError, http.client.HTTPException) as exc:
                status, key = f"error:{exc.__class__.__name__}", None
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            with self.lock:
                self.answers[(kind, phase, status)] += 1
                if kind == "redeem" and status == 201:
                    self.acknowledged.add(key)
        conn.close()

    def run(self, seconds: float, redis: Redis, outage: float) -> dict:
        threads = [threading.Thread(target=self.client, args=(i,)) for i in range(CLIENT_THREADS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        outage_at = started + max(0.0, (seconds - outage) / 2)
        timeline = {}
        try:
            self._sleep_until(outage_at)
            redis.stop()
            self.phase = "during"
            timeline["redis stopped at s"] = round(time.monotonic() - started, 1)
            self._sleep_until(min(outage_at + outage, started + seconds))
            redis.start()
            self.phase = "after"
            timeline["redis started at s"] = round(time.monotonic() - started, 1)
            self._sleep_until(started + seconds)
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=60)
        timeline["ran s"] = round(time.monotonic() - started, 1)
        return timeline

    @staticmethod
    def _sleep_until(moment: float) -> None:
        time.sleep(max(0.0, moment - time.monotonic()))


def recorded_redemptions(url: str, run_id: str) -> int:
    import psycopg

    with psycopg.connect(postgres_url(url)) as conn:
        return conn.execute(
            "SELECT count(*) FROM card_redemptions WHERE idempotency_key LIKE %s",
            (f"soak-{run_id}-%",),
        ).fetchone()[0]


def report(args, load: Load, timeline: dict, recorded: int, warnings: int, keys: int) -> str:
    kinds = [k for k, _w in MIX]
    statuses = sorted({s for (_k, _p, s) in load.answers}, key=str)
    lines = [
        f"Soak of {args.minutes:g} min ({timeline['ran s']} s), Redis (rate limits) stopped "
        f"from {timeline['redis stopped at s']} s to {timeline['redis started at s']} s; "
        f"gunicorn {args.workers} workers, {CLIENT_THREADS} client threads, demo community on "
        f"PostgreSQL. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| request | phase | " + " | ".join(str(s) for s in statuses) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in statuses) + " |",
    ]
    for kind in kinds:
        for phase in ("before", "during", "after"):
            cells = [f"{load.answers.get((kind, phase, s), 0):,}" for s in statuses]
            lines.append(f"| {kind} | {phase} | " + " | ".join(cells) + " |")
    total = sum(load.answers.values())
    server_errors = sum(n for (_k, _p, s), n in load.answers.items() if str(s).startswith("5"))
    lines += [
        "",
        f"- Answers: {total:,}; 5xx: {server_errors}; "
        f"connection errors: {sum(n for (_k, _p, s), n in load.answers.items() if str(s).startswith('error'))}.",
        f"- Redemptions acknowledged (201): {len(load.acknowledged):,}; recorded in the database: "
        f"{recorded:,} — {'equal' if recorded == len(load.acknowledged) else 'NOT EQUAL'}.",
        f"- 'Rate limit storage unreachable' warnings in the server log: {warnings} "
        f"(at most one per worker per outage).",
        f"- Rate-limit keys in Redis after the restart: {keys} (limits counted there again).",
    ]
    return "\n".join(lines)


def write_results(text: str) -> None:
    content = RESULTS.read_text() if RESULTS.exists() else ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in content and END in content:
        content = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, content,
                         flags=re.S)  # fmt: skip
    else:
        content = (
            content.rstrip() + "\n\n## Soak: Redis stopped under mixed load\n\n" + block + "\n"
        )
    RESULTS.write_text(content)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Mixed load with Redis stopped in the middle.")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--outage", type=float, default=60, help="seconds Redis stays stopped")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    outage = min(args.outage, seconds / 2)

    print(f"building the demo community in {args.database_url} …", flush=True)
    build_small(args.database_url)
    fixture = prepare(args.database_url, LOGINS["small"])

    redis = Redis()
    redis.start()
    port = free_port()
    env = server_env(args.database_url, port, args.workers, redis.url)
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"alliance-soak-{port}.log"
    run_id = uuid.uuid4().hex[:12]
    try:
        with open(log_path, "w") as log, gunicorn("alliance:create_app()", env, port, stderr=log):
            offer_id = pick_offer(port, fixture.token, fixture.code)
            cookie = session_cookie(port, LOGINS["small"]["volunteer"])
            load = Load(port, fixture.token, fixture.code, offer_id, cookie, run_id)
            print(f"soak: {seconds:.0f} s of load, Redis away for {outage:.0f} s …", flush=True)
            timeline = load.run(seconds, redis, outage)
            keys = redis.limit_keys()
        recorded = recorded_redemptions(args.database_url, run_id)
    finally:
        redis.stop()
    warnings = log_path.read_text().count("Rate limit storage unreachable")
    text = report(args, load, timeline, recorded, warnings, keys)
    print(text)
    if not args.no_write:
        write_results(text)
    log_path.unlink(missing_ok=True)
    bad = recorded != len(load.acknowledged) or any(
        str(s).startswith("5") for (_k, _p, s) in load.answers
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
