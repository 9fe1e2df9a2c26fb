"""Speed targets that used to sit in timed tests, measured here instead (make bench):

    python -m bench.timings

- `flask seed-demo` on a fresh SQLite file: under 10 s (issue 17's demo is part of every
  `make run`);
- the demo community's monthly report as a PDF: under 3 s (issue 17);
- a warning relayed to 12,000 residents: the request queues it in under 1 s (issue 22; the
  fan-out itself is measured by bench.broadcast).
"""

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "alliance2026"
TARGETS = {"seed-demo": 10.0, "monthly PDF": 3.0, "relay to 12,000": 1.0}


def _seed(url: str) -> float:
    env = {**os.environ, "DATABASE_URL": url}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "alliance"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [*flask, "seed-demo", "--password", PASSWORD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def _pdf_and_relay(url: str) -> tuple[float, float]:
    from sqlalchemy import insert, select

    from alliance.accounts.models import User
    from alliance.communities.models import Community
    from alliance.emergency import alerts
    from alliance.extensions import db
    from bench.run import make_app
    from tests.emergency.test_alerts import cap_doc

    app = make_app(url)
    client = app.test_client()
    answer = client.post("/login", data={"identifier": "secretary", "password": PASSWORD})
    assert answer.status_code == 303, answer.status_code
    with app.app_context():
        community = db.session.scalars(select(Community).order_by(Community.id)).first()
        code = community.code
    month = datetime.now(UTC).strftime("%Y-%m")
    started = time.perf_counter()
    response = client.get(f"/reports/monthly/{code}/{month}.pdf")
    pdf = time.perf_counter() - started
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    with app.app_context():
        community = db.session.get(Community, community.id)
        now = datetime.now(UTC)
        db.session.execute(
            insert(User),
            [
                dict(
                    username=f"bench_relay_{i}",
                    display_name=f"居民{i}",
                    password_hash="x",
                    login_token=f"bench-relay-{i}",
                    community_id=community.id,
                    phone=f"1470{i:07d}",
                    active=True,
                    created_at=now,
                )
                for i in range(12_000)
            ],
        )
        db.session.commit()
        area = f"坞城街道{community.name}"
        started = time.perf_counter()
        alerts.import_cap(community, cap_doc(area=area, identifier="BENCH-RELAY"), actor=None)
        db.session.flush()
        relay = time.perf_counter() - started
        # Committing would fan it out inline (no broker here): that part is bench.broadcast's.
        db.session.rollback()
    return pdf, relay


def main() -> int:
    folder = tempfile.mkdtemp(prefix="alliance-timings-")
    url = f"sqlite:///{folder}/alliance.db"
    seed = _seed(url)
    pdf, relay = _pdf_and_relay(url)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} on a fresh SQLite demo (load average "
        f"{os.getloadavg()[0]:.1f}).",
        "",
        "| step | seconds | target |",
        "|---|---:|---|",
    ]
    for name, seconds in (("seed-demo", seed), ("monthly PDF", pdf), ("relay to 12,000", relay)):
        ok = "yes" if seconds < TARGETS[name] else "**NO**"
        lines.append(f"| {name} | {seconds:.2f} | < {TARGETS[name]:g} s {ok} |")
    block = "\n".join(lines)
    print(block)
    _write(block)
    return 0


def _write(block: str) -> None:
    results = Path(__file__).resolve().parent / "RESULTS.md"
    begin, end = "<!-- timings:begin -->", "<!-- timings:end -->"
    text = results.read_text(encoding="utf-8")
    if begin not in text:
        text += f"\n## Timings once in timed tests (python -m bench.timings)\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _old, tail = rest.split(end, 1)
    results.write_text(f"{head}{begin}\n{block}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
