"""Instructions per request, counted by valgrind: a measure that a busy machine does not move.

    python -m bench.instructions [--only NAME] [--requests 200] [--url sqlite:///...]
                                 [--limits-off] [--district small|large]

On a shared VM the time of one request moves by ±10-30% from minute to minute (and a VM of the
same type ran everything at half speed another day: bench/RESULTS.md, tenth session). Counting
the instructions the interpreter executes does not depend on what else the machine does. Each
endpoint of ``bench.run`` runs in a fresh process under ``valgrind --tool=callgrind`` with its
counting off; after the app is built and WARM_UP requests are made, counting is switched on
(``callgrind_control``) for ``--requests`` requests, then off. With PYTHONHASHSEED fixed, two runs
of the same code agree within 0.2%, so an A/B of a few percent is read in one run each.

The demo district is built on a new SQLite file unless ``--url`` names a database; rate limits
are on (memory storage, limits raised far, as in ``bench.run``'s gunicorn runs) unless
``--limits-off``. Needs valgrind (Debian's package). About 40 s per endpoint.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench import run as bench

WARM_UP = 60


def _child(spec: dict) -> None:
    """The app under callgrind: warm up, say "ready", run the counted requests, say "done"."""
    fixture = bench.Fixture(spec["url"], code=spec["code"], token=spec["token"])
    endpoint = next(e for e in bench.ENDPOINTS if e.name == spec["name"])
    # The limiter reads whether it is on when it is bound to the app.
    app = bench.make_app(fixture.url, RATELIMIT_ENABLED=spec["limits"])
    client = app.test_client()
    headers = {"User-Agent": bench.USER_AGENT}
    if endpoint.login:
        login = bench.LOGINS[spec["district"]][endpoint.login]
        signed_in = client.post(
            "/login", headers=headers, data={"identifier": login, "password": bench.PASSWORD}
        )
        if signed_in.status_code != 303:  # the wrong --district: not the page it should count
            raise SystemExit(f"{endpoint.name}: login as {login} answers {signed_in.status_code}")
    if endpoint.token:
        headers["Authorization"] = f"Bearer {fixture.token}"
    path, body = bench.fill(endpoint.path, fixture), bench.fill(endpoint.body, fixture)
    for _ in range(WARM_UP):
        response = client.open(path, method=endpoint.method, json=body, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"{endpoint.name}: {response.status_code}")
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(spec["requests"]):
        client.open(path, method=endpoint.method, json=body, headers=headers)
    print("done", flush=True)
    sys.stdin.readline()


def count(spec: dict) -> float:
    """Instructions per request of one endpoint, in a fresh process under callgrind."""
    folder = tempfile.mkdtemp(prefix="alliance-callgrind-")
    out = f"{folder}/callgrind.out"
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "CARD_VERIFY_RATE_LIMIT": "10000000/minute",
        "LOGIN_RATE_LIMIT": "10000/minute",
    }
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
        + [sys.executable, "-m", "bench.instructions", "--child", json.dumps(spec)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=bench.ROOT,
        env=env,
    )
    try:
        for line in process.stdout:
            word = line.strip()
            if word in ("ready", "done"):
                switch = "on" if word == "ready" else "off"
                subprocess.run(
                    ["callgrind_control", "-i", switch, str(process.pid)],
                    capture_output=True,
                    check=True,
                )
                process.stdin.write("\n")
                process.stdin.flush()
                if word == "done":
                    process.stdin.close()
                    break
        errors = process.stderr.read()
        process.wait()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    collected = re.search(r"Collected : (\d+)", errors)
    if process.returncode or collected is None:
        raise SystemExit(f"{spec['name']}: callgrind failed\n{errors[-2000:]}")
    return int(collected.group(1)) / spec["requests"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="an endpoint's name (repeatable)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", help="a database with the demo district (default: a new file)")
    parser.add_argument("--limits-off", action="store_true")
    parser.add_argument(
        "--district",
        choices=sorted(bench.LOGINS),
        default="small",
        help="whose logins --url holds: the demo's (small) or bench.generate's (large)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(json.loads(args.child))
        return 0
    url = args.url
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='alliance-instructions-')}/alliance.db"
        bench.build_small(url)
    fixture = bench.prepare(url, bench.LOGINS[args.district])
    print("| endpoint | M instructions per request |\n|---|---:|")
    for endpoint in bench.ENDPOINTS:
        if args.only and endpoint.name not in args.only:
            continue
        spec = {
            "url": url,
            "code": fixture.code,
            "token": fixture.token,
            "name": endpoint.name,
            "requests": args.requests,
            "limits": not args.limits_off,
            "district": args.district,
        }
        print(f"| {endpoint.name} | {count(spec) / 1e6:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
