"""Drive the app under gunicorn with wrk, on SQLite and on PostgreSQL, against hello-world.

    python -m bench.run [--duration 10] [--only NAME] [--skip sqlite|postgresql|paint]
                        [--no-write] [--profile NAME]

Needs PostgreSQL (127.0.0.1:5432, user postgres), Redis (127.0.0.1:6379, database 4), wrk and
Chromium. The large district comes from ``python -m bench.generate``; the demo district is
built here, in ``alliance_bench_small`` and on a SQLite file.

Every endpoint of issue 20 is driven by wrk (16 connections, loopback) twice: on SQLite (the
demo, 2 sync workers and memory:// limits, as ``make serve``) and on PostgreSQL (the large
district, Redis limits), each right after a bare Flask hello-world under the same settings, so
the ratios compare figures of the same minute. It also counts the SQL statements of one request
and times it in-process (test client) on the demo and on the large district, checks the targets,
and ends with the first-paint table of ``bench.paint``. The report goes into bench/RESULTS.md
between the markers.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import postgres_url, sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
USER_AGENT = "alliance-bench/1"
HOST = "127.0.0.1"
DEFAULT_LARGE = "postgresql://postgres@127.0.0.1:5432/alliance_bench"
DEFAULT_SMALL = "postgresql://postgres@127.0.0.1:5432/alliance_bench_small"
PASSWORD = os.environ.get("DEMO_PASSWORD", "alliance2026")

# Who signs in, per database: the large one's bench_* logins, the demo's own.
LOGINS = {
    "large": {"secretary": "bench_sec_1", "merchant": "bench_m_1", "volunteer": "bench_v_1"},
    "small": {"secretary": "secretary", "merchant": "merchant", "volunteer": "volunteer"},
}


@dataclass
class Endpoint:
    name: str
    method: str
    path: str  # may contain {code}
    login: str | None = None  # a key of LOGINS[...]
    token: bool = False  # Authorization: Bearer <cashier token>
    body: dict | None = None  # JSON; {code} strings are filled in
    expect: str = ""  # text the response must contain


ENDPOINTS = [
    Endpoint("static file /static/js/card.js", "GET", "/static/js/card.js", expect="rotating"),
    Endpoint("/healthz", "GET", "/healthz", expect='"status":"ok"'),
    Endpoint(
        "card verify API",
        "POST",
        "/api/v1/cards/verify",
        token=True,
        body={"code": "{code}"},
        expect='"valid":true',
    ),
    Endpoint("card page /c/<code>", "GET", "/c/{code}", login="merchant", expect="verdict-valid"),
    Endpoint("/merchants/", "GET", "/merchants/"),
    Endpoint("/commitments/", "GET", "/commitments/"),
    Endpoint("/requests/queue", "GET", "/requests/queue", login="secretary"),
    Endpoint("/me/points", "GET", "/me/points", login="volunteer"),
]


@dataclass
class Fixture:
    """What the requests need on one database: a card code, a cashier token, logins."""

    url: str
    code: str = ""
    token: str = ""
    statements: dict[str, int] = field(default_factory=dict)


def fill(value, fixture: Fixture):
    if isinstance(value, str):
        return value.replace("{code}", fixture.code)
    if isinstance(value, dict):
        return {k: fill(v, fixture) for k, v in value.items()}
    return value


# --- in-process: fixtures and statement counts -----------------------------------------


def app_url(url: str) -> str:
    return url if url.startswith("sqlite") else sqlalchemy_url(url)


def make_app(url: str, **config):
    from alliance import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app_url(url),
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": None,
            **config,
        }
    )


def build_small(url: str) -> None:
    """The demo community from scratch (migrations, then the demo seed): PostgreSQL or SQLite."""
    from alliance.demo.seed import seed_demo
    from alliance.extensions import db
    from bench.generate import recreate_database

    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
    else:
        recreate_database(url)
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        seed_demo(PASSWORD)
        db.session.commit()
        db.engine.dispose()


def prepare(url: str, logins: dict) -> Fixture:
    """The volunteer's card code and a new cashier token for the merchant's member."""
    from sqlalchemy import select

    from alliance.accounts.models import User
    from alliance.api import tokens as api_tokens
    from alliance.cards import services as cards
    from alliance.cards.models import Card, CardStatus
    from alliance.extensions import db
    from alliance.merchants.staff import merchants_of

    app = make_app(url)
    fixture = Fixture(url)
    with app.app_context():
        volunteer = db.session.scalar(select(User).where(User.username == logins["volunteer"]))
        card = db.session.scalar(
            select(Card)
            .where(
                Card.holder_id == volunteer.id,
                Card.kind == "volunteer",
                Card.status == CardStatus.ACTIVE,
            )
            .order_by(Card.id.desc())
        )
        if card is None:
            card = cards.issue_card(volunteer, "volunteer")
        fixture.code = card.code
        merchant_user = db.session.scalar(select(User).where(User.username == logins["merchant"]))
        merchant = merchants_of(merchant_user)[0]
        _token, fixture.token = api_tokens.create_token(merchant_user, merchant, "bench")
        db.session.commit()
        db.engine.dispose()
    return fixture


WARM_UP = 20


def count_statements(fixture: Fixture, logins: dict, timed: int = 0) -> dict[str, tuple]:
    """SQL statements of one request per endpoint (the second of two: caches warmed), and the
    median CPU time of `timed` more requests in-process (test client, rate limits off), after
    WARM_UP requests."""
    from sqlalchemy import event

    from alliance.extensions import db

    app = make_app(fixture.url)
    counts = {}
    with app.app_context():
        engine = db.engine
    for endpoint in ENDPOINTS:
        client = app.test_client()
        headers = {"User-Agent": USER_AGENT}
        if endpoint.login:
            response = client.post(
                "/login",
                headers={"User-Agent": USER_AGENT},
                data={"identifier": logins[endpoint.login], "password": PASSWORD},
            )
            assert response.status_code == 303, (endpoint.name, response.status_code)
        if endpoint.token:
            headers["Authorization"] = f"Bearer {fixture.token}"
        path = fill(endpoint.path, fixture)
        body = fill(endpoint.body, fixture)
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)  # noqa: B023

        for _attempt in range(2):
            statements.clear()
            event.listen(engine, "before_cursor_execute", before)
            try:
                response = client.open(path, method=endpoint.method, json=body, headers=headers)
            finally:
                event.remove(engine, "before_cursor_execute", before)
            text = response.get_data(as_text=True)
            if response.status_code != 200 or endpoint.expect not in text.replace(" ", ""):
                raise SystemExit(f"{endpoint.name}: {response.status_code} {text[:300]}")
        # Warmed as a worker is after its first hundredth of a second of traffic: Python 3.11
        # specialises a function's bytecode only after it has run a few times, and two requests
        # left the median 30-80% above a warm worker's (bench/RESULTS.md, seventh session).
        for _attempt in range(WARM_UP if timed else 0):
            client.open(path, method=endpoint.method, json=body, headers=headers)
        times = []
        for _attempt in range(timed):
            started = time.process_time()
            client.open(path, method=endpoint.method, json=body, headers=headers)
            times.append(time.process_time() - started)
        times.sort()
        counts[endpoint.name] = (len(statements), times[len(times) // 2] * 1000 if times else None)
    with app.app_context():
        db.engine.dispose()
    return counts


def count_statements_apart(fixture: Fixture, which: str, timed: int = 41) -> dict[str, tuple]:
    """count_statements in a fresh Python process, as a gunicorn worker starts: this process
    has just built and seeded the demo, and its heap and caches made every request 30-60%
    slower than a worker's (bench/RESULTS.md, fifth session)."""
    request = json.dumps({"url": fixture.url, "code": fixture.code, "token": fixture.token})
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--count-apart", which, "--timed", str(timed)],
        input=request,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return {name: tuple(value) for name, value in json.loads(done.stdout.splitlines()[-1]).items()}


def _count_apart(which: str, timed: int) -> None:
    given = json.loads(sys.stdin.read())
    fixture = Fixture(given["url"], code=given["code"], token=given["token"])
    print(json.dumps(count_statements(fixture, LOGINS[which], timed=timed)))


def profile(fixture: Fixture, logins: dict, name: str, requests: int = 200) -> None:
    """pyinstrument over `requests` requests of one endpoint, in-process (test client)."""
    from pyinstrument import Profiler

    endpoint = next(e for e in ENDPOINTS if e.name == name)
    app = make_app(fixture.url)
    client = app.test_client()
    if endpoint.login:
        client.post(
            "/login",
            headers={"User-Agent": USER_AGENT},
            data={"identifier": logins[endpoint.login], "password": PASSWORD},
        )
    headers = {"User-Agent": USER_AGENT}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {fixture.token}"
    path, body = fill(endpoint.path, fixture), fill(endpoint.body, fixture)
    client.open(path, method=endpoint.method, json=body, headers=headers)
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(requests):
            client.open(path, method=endpoint.method, json=body, headers=headers)
    elapsed = time.perf_counter() - started
    print(
        f"{name}: {requests / elapsed:.0f} req/s in one process "
        f"({elapsed / requests * 1000:.2f} ms per request)"
    )
    print(profiler.output_text(unicode=True, color=False, show_all=False))


# --- out of process: gunicorn and wrk ---------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(database_url: str | None, port: int, workers: int, storage: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PORT": str(port),
            "WEB_CONCURRENCY": str(workers),
            "RATELIMIT_STORAGE_URI": storage,
            # The bench measures the work behind the limits, not the limits: raise them far.
            "CARD_VERIFY_RATE_LIMIT": "10000000/minute",
            "LOGIN_RATE_LIMIT": "10000/minute",
            "GUNICORN_LOG_LEVEL": "warning",
        }
    )
    env.pop("GUNICORN_ACCESS_LOG", None)
    if database_url:
        env["DATABASE_URL"] = postgres_url(database_url)
    return env


REDIS = "redis://127.0.0.1:6379/4"  # perf's Redis database on the shared machine


@contextmanager
def gunicorn(app_spec: str, env: dict, port: int, stderr=None):
    binary = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(binary), "-c", "alliance/gunicorn_conf.py", app_spec],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=stderr,
    )
    try:
        probe = "/healthz" if app_spec.startswith("alliance") else "/"
        deadline = time.monotonic() + 120  # a busy shared machine boots workers slowly
        while True:
            try:
                status, _h, _b = http_request(port, "GET", probe)
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn {app_spec} did not start")
            time.sleep(0.2)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def http_request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def session_cookie(port: int, username: str) -> str:
    """Sign in through the login form (CSRF token and all), as a browser would."""
    status, headers, page = http_request(port, "GET", "/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    cookie = "; ".join(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    form = urllib.parse.urlencode(
        {
            "csrf_token": token.group(1) if token else "",
            "identifier": username,
            "password": PASSWORD,
        }
    )
    status, headers, page = http_request(
        port,
        "POST",
        "/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    cookies = [v.split(";")[0] for k, v in headers if k.lower() == "set-cookie"]
    if status != 303 or not cookies:
        raise SystemExit(f"login as {username} failed: {status} {page[:200]}")
    # Follow the redirect, as a browser does: the page there shows the welcome message and
    # takes it out of the session. Without this every timed request showed it again and wrote
    # the session back (a Set-Cookie on each), which no one signed in sees after their first page.
    location = urllib.parse.urlsplit(dict((k.lower(), v) for k, v in headers)["location"])
    status, headers, page = http_request(
        port, "GET", location.path or "/", headers={"Cookie": "; ".join(cookies)}
    )
    jar = dict(cookie.split("=", 1) for cookie in cookies)
    jar.update(v.split(";")[0].split("=", 1) for k, v in headers if k.lower() == "set-cookie")
    return "; ".join(f"{name}={value}" for name, value in jar.items())


LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH {{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50\\": %d, \\"p95\\": %d, " ..
    "\\"p99\\": %d, \\"errors\\": %d, \\"status_errors\\": %d}}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def lua_string(value: str | None) -> str:
    return "nil" if value is None else json.dumps(value)  # JSON strings are valid Lua strings


def wrk(
    port: int,
    method: str,
    path: str,
    headers: dict,
    body: str | None,
    duration: int,
    connections: int,
    threads: int,
) -> dict:
    header_lines = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}"
        for k, v in {"User-Agent": USER_AGENT, **headers}.items()
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            LUA.format(method=lua_string(method), body=lua_string(body), headers=header_lines)
        )
    try:
        url = f"http://{HOST}:{port}{path}"
        # Warm up (connections, worker caches), then measure.
        subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", "2s", "-s", script.name, url],
            capture_output=True,
            check=True,
        )
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result = json.loads(line[6:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def drive(endpoint: Endpoint, port: int, fixture: Fixture, cookies: dict, args) -> dict:
    headers = {}
    body = None
    if endpoint.login:
        headers["Cookie"] = cookies[endpoint.login]
    if endpoint.token:
        headers["Authorization"] = f"Bearer {fixture.token}"
    if endpoint.body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(fill(endpoint.body, fixture))
    path = fill(endpoint.path, fixture)
    status, _h, text = http_request(port, endpoint.method, path, body, headers)
    if status != 200 or endpoint.expect not in text.replace(" ", ""):
        raise SystemExit(f"{endpoint.name} answers {status} under gunicorn: {text[:300]}")
    return wrk(
        port, endpoint.method, path, headers, body, args.duration, args.connections, args.threads
    )


# --- report ----------------------------------------------------------------------------

# The targets of issue 20, as ratios to hello-world measured in the same minute.
RATIO_TARGETS = {
    "static file /static/js/card.js": {"sqlite": 0.7, "postgresql": 0.7},
    "/healthz": {"sqlite": 0.7, "postgresql": 0.7},
    "card verify API": {"sqlite": 0.3, "postgresql": 0.15},
    "/merchants/": {"sqlite": 0.12},
    "/commitments/": {"sqlite": 0.12},
    "/requests/queue": {"sqlite": 0.12},
    "/me/points": {"sqlite": 0.12},
}
LIST_PAGES = ("/merchants/", "/commitments/", "/requests/queue", "/me/points")


def _yes(ok: bool) -> str:
    return "yes" if ok else "**NO**"


def _cell(r: dict | None, hello: dict) -> str:
    if r is None:
        return "– | – | –"
    return f"{r['rps']:,.0f} | {r['rps'] / hello['rps']:.3f} | {r['p99'] / 1000:.1f}"


def table(names: list[str], runs: dict, sql: dict) -> str:
    """One row per endpoint: SQLite and PostgreSQL side by side, statements, in-process ms."""
    lines = [
        "| endpoint | SQLite req/s | × hello | p99 ms | PostgreSQL req/s | × hello | p99 ms | "
        "SQL demo / large | in-process ms demo / large |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    hello = {db: run["hello"] for db, run in runs.items()}
    row = ["hello-world (ceiling)"]
    for db in ("sqlite", "postgresql"):
        row.append(_cell(hello.get(db), hello[db]) if db in hello else "– | – | –")
    lines.append("| " + " | ".join(row) + " | – | – |")
    row = ["floor: bare Flask, verification's 4 selects"]
    for db in ("sqlite", "postgresql"):
        run = runs.get(db)
        row.append(_cell(run.get("floor"), run["hello"]) if run else "– | – | –")
    lines.append("| " + " | ".join(row) + " | 4 / 4 | – |")
    for name in names:
        row = [name]
        for db in ("sqlite", "postgresql"):
            run = runs.get(db)
            row.append(_cell(run["rows"].get(name), run["hello"]) if run else "– | – | –")
        small, large = sql["small"].get(name), sql["large"].get(name)
        row.append(f"{small[0]} / {large[0]}" if small and large else "–")
        row.append(f"{small[1]:.2f} / {large[1]:.2f}" if small and large else "–")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def verdicts(names: list[str], runs: dict, sql: dict) -> list[str]:
    out = []
    for name in names:
        checks = []
        for db, ratio in RATIO_TARGETS.get(name, {}).items():
            run = runs.get(db)
            r = run["rows"].get(name) if run else None
            if r is not None:
                got = r["rps"] / run["hello"]["rps"]
                checks.append(f"≥ {ratio} × hello on {db} {_yes(got >= ratio)} ({got:.3f})")
        if name == "card verify API":
            for db, run in runs.items():
                r, floor = run["rows"].get(name), run.get("floor")
                if r is not None and floor is not None:
                    checks.append(f"{r['rps'] / floor['rps']:.0%} of the floor on {db}")
        pg = runs.get("postgresql", {}).get("rows", {}).get(name)
        if name == "card verify API" and pg is not None:
            checks.append(f"p99 < 30 ms on postgresql {_yes(pg['p99'] < 30_000)}")
        small, large = sql["small"].get(name), sql["large"].get(name)
        if small and large:
            checks.append(f"statements do not grow {_yes(large[0] <= small[0])}")
            limit = 2.5 if name in LIST_PAGES else 1.2 if name == "card verify API" else None
            if limit is not None:
                checks.append(
                    f"in-process < {limit} ms on the large district {_yes(large[1] < limit)}"
                )
                checks.append(f"demo and large within 20% {_yes(large[1] <= small[1] * 1.2)}")
        if checks:
            out.append(f"- {name}: " + ", ".join(checks))
    return out


def write_results(block: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    RESULTS.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}", encoding="utf-8")


def measure_server(label, database_url, fixture, logins, endpoints, workers, storage, args):
    """hello-world, then the app, under the same gunicorn settings, one after the other."""
    port = free_port()
    with gunicorn("bench.hello:app", server_env(None, port, workers, storage), port):
        hello = wrk(port, "GET", "/", {}, None, args.duration, args.connections, args.threads)
    print(f"[{label}] hello-world: {hello['rps']:,.0f} req/s, p99 {hello['p99'] / 1000:.1f} ms")
    floor = measure_floor(database_url, fixture, workers, storage, args)
    print(
        f"[{label}] floor: {floor['rps']:,.0f} req/s ({floor['rps'] / hello['rps']:.3f} × hello), "
        f"p99 {floor['p99'] / 1000:.1f} ms"
    )
    rows = {}
    port = free_port()
    with gunicorn("alliance:create_app()", server_env(database_url, port, workers, storage), port):
        cookies = {role: session_cookie(port, username) for role, username in logins.items()}
        for endpoint in endpoints:
            result = drive(endpoint, port, fixture, cookies, args)
            rows[endpoint.name] = result
            print(
                f"[{label}] {endpoint.name}: {result['rps']:,.0f} req/s "
                f"({result['rps'] / hello['rps']:.3f} × hello), p50 {result['p50'] / 1000:.1f}"
                f" ms, p99 {result['p99'] / 1000:.1f} ms, errors "
                f"{result['errors'] + result['status_errors']}"
            )
    return {"hello": hello, "floor": floor, "rows": rows}


def measure_floor(database_url, fixture, workers, storage, args) -> dict:
    """bench.floor under the same settings, on the same database: the most a verification
    written on this stack could serve (a bare Flask view, the same four selects)."""
    from hashlib import sha256

    port = free_port()
    env = server_env(None, port, workers, storage)
    env["FLOOR_DATABASE_URL"] = app_url(database_url)
    headers = {
        "Content-Type": "application/json",
        "X-Token-Hash": sha256(fixture.token.encode()).hexdigest(),
    }
    body = json.dumps({"code": fixture.code})
    with gunicorn("bench.floor:app", env, port):
        status, _h, text = http_request(port, "POST", "/verify", body, headers)
        answer = json.loads(text) if status == 200 else {}
        # A token that matched nothing would leave it less to do than verification has.
        if not (answer.get("valid") and answer.get("offers")):
            raise SystemExit(f"the floor answers {status} without the card's offers: {text[:300]}")
        return wrk(
            port, "POST", "/verify", headers, body, args.duration, args.connections, args.threads
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark under gunicorn with wrk.")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_LARGE)
    )
    parser.add_argument("--small-database-url", default=DEFAULT_SMALL)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sqlite-workers", type=int, default=2, help="as make serve on 2 cores")
    parser.add_argument("--postgresql-workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--only", action="append", help="run only these endpoints (by name)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["sqlite", "postgresql", "paint"]
    )
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--profile", help="profile this endpoint in-process and stop")
    # Internal: count_statements_apart's fresh process (the fixture comes on stdin).
    parser.add_argument("--count-apart", choices=sorted(LOGINS), help=argparse.SUPPRESS)
    parser.add_argument("--timed", type=int, default=41, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count_apart:
        _count_apart(args.count_apart, args.timed)
        return 0
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    started = time.perf_counter()
    load_before = os.getloadavg()

    large = prepare(args.database_url, LOGINS["large"])
    if args.profile:
        profile(large, LOGINS["large"], args.profile)
        return 0
    build_small(args.small_database_url)
    small = prepare(args.small_database_url, LOGINS["small"])
    sql = {
        "small": count_statements_apart(small, "small"),
        "large": count_statements_apart(large, "large"),
    }
    print("statements per request, in-process ms (small demo / large district):")
    for name in sql["small"]:
        (a, ta), (b, tb) = sql["small"][name], sql["large"][name]
        print(f"  {name:<32} {a:>3} / {b:>3}   {ta:6.2f} / {tb:6.2f}")

    endpoints = [e for e in ENDPOINTS if not args.only or e.name in args.only]
    names = [e.name for e in endpoints]
    runs = {}
    if "sqlite" not in args.skip:
        folder = tempfile.mkdtemp(prefix="alliance-bench-")
        sqlite_url = f"sqlite:///{folder}/alliance.db"
        build_small(sqlite_url)
        demo = prepare(sqlite_url, LOGINS["small"])
        runs["sqlite"] = measure_server(
            "sqlite",
            sqlite_url,
            demo,
            LOGINS["small"],
            endpoints,
            args.sqlite_workers,
            "memory://",
            args,
        )
        shutil.rmtree(folder, ignore_errors=True)
    if "postgresql" not in args.skip:
        runs["postgresql"] = measure_server(
            "postgresql",
            args.database_url,
            large,
            LOGINS["large"],
            endpoints,
            args.postgresql_workers,
            REDIS,
            args,
        )
    load_after = os.getloadavg()
    paint = None
    if "paint" not in args.skip:
        from bench import paint as paint_bench

        port, server = paint_bench.demo_server(PASSWORD)
        with server:
            paint = paint_bench.run(f"http://127.0.0.1:{port}", ("volunteer", PASSWORD))

    block = "\n".join(
        [
            f"Run of {time.strftime('%Y-%m-%d %H:%M %Z')}: {os.cpu_count()} cores shared with "
            f"other work (load average {load_before[0]:.1f} before, {load_after[0]:.1f} after). "
            f"gunicorn alliance/gunicorn_conf.py, sync workers: SQLite = the demo district on a "
            f"file, {args.sqlite_workers} workers, memory:// limits (make serve's defaults); "
            f"PostgreSQL = the large district, {args.postgresql_workers} workers, Redis limits. "
            f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s on loopback after a "
            "2 s warm-up; hello-world and the floor (bench/floor.py) under the same settings "
            "just before each app run. "
            "In-process = median CPU time of one request with the test client (limits off), "
            "in a fresh process.",
            "",
            table(names, runs, sql),
            "",
            *verdicts(names, runs, sql),
            *(
                ["", "First contentful paint on a weak signal (python -m bench.paint):", "", paint]
                if paint
                else []
            ),
        ]
    )
    print()
    print(block)
    if not args.no_write:
        write_results(block)
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
