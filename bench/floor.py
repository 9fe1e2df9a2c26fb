"""The floor under card verification: the least a Flask view can do for the same answer.

A bare Flask app (no extensions, no hooks) that reads a JSON body, runs four indexed selects on
the demo's SQLite file through SQLAlchemy Core (as verification does: the token, the card with
its holder, the offers, the exchange items) and answers about the same JSON. What it serves per
second against hello-world, in the same minute, is the most any verification written on this
stack could reach: `python -m bench.floor` prints both (bench/RESULTS.md, seventh session), and
`bench.run` measures it beside each database's run (FLOOR_DATABASE_URL names the database).

    python -m bench.floor [--duration 10]
"""

import argparse
import os
import tempfile

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, make_url, text

app = Flask(__name__)
_url = os.environ.get("FLOOR_DATABASE_URL", "sqlite://")
# On PostgreSQL the reads run outside a transaction, as the app's do (alliance.database): no
# BEGIN and ROLLBACK round trips around them.
_engine = create_engine(
    _url,
    **(
        {"isolation_level": "AUTOCOMMIT"}
        if make_url(_url).get_backend_name() == "postgresql"
        else {}
    ),
)
_TOKEN = text("SELECT id, user_id, merchant_id FROM card_api_tokens WHERE token_hash = :h")
_CARD = text(
    "SELECT cards.id, cards.number, cards.kind, cards.status, cards.valid_until, users.display_name,"
    " points_accounts.balance FROM cards JOIN users ON users.id = cards.holder_id"
    " LEFT JOIN points_accounts ON points_accounts.user_id = cards.holder_id"
    " WHERE cards.code = :code"
)
_OFFERS = text(
    "SELECT commitment_offers.id, commitments.title, commitment_offers.rate_percent"
    " FROM commitment_offers JOIN commitments ON commitments.id = commitment_offers.commitment_id"
    " WHERE commitments.merchant_id = :m AND commitments.status = 'published'"
)
_ITEMS = text("SELECT id, title, points, stock FROM points_exchange_items WHERE merchant_id = :m")


@app.get("/")
def ready():  # what bench.run's gunicorn() waits for
    return "ok"


@app.post("/verify")
def verify():
    body = request.get_json()
    with _engine.connect() as conn:
        token = conn.execute(_TOKEN, {"h": request.headers.get("X-Token-Hash", "")}).first()
        card = conn.execute(_CARD, {"code": body["code"]}).first()
        merchant = token.merchant_id if token else 0
        offers = conn.execute(_OFFERS, {"m": merchant}).all()
        items = conn.execute(_ITEMS, {"m": merchant}).all()
    return jsonify(
        valid=card is not None,
        card={"number": card.number, "kind": card.kind, "holder": card.display_name}
        if card
        else None,
        balance=card.balance if card else 0,
        offers=[{"id": o.id, "title": o.title, "rate_percent": o.rate_percent} for o in offers],
        items=[{"id": i.id, "title": i.title, "points": i.points} for i in items],
    )


def main(argv=None) -> int:
    from bench import run as bench

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args(argv)
    args.connections, args.threads = 16, 2
    folder = tempfile.mkdtemp(prefix="alliance-floor-")
    url = f"sqlite:///{folder}/alliance.db"
    bench.build_small(url)
    fixture = bench.prepare(url, bench.LOGINS["small"])
    port = bench.free_port()
    with bench.gunicorn("bench.hello:app", bench.server_env(None, port, 2, "memory://"), port):
        hello = bench.wrk(port, "GET", "/", {}, None, args.duration, args.connections, args.threads)
    floor = bench.measure_floor(url, fixture, 2, "memory://", args)
    for name, result in (("hello-world", hello), ("floor", floor)):
        ratio = result["rps"] / hello["rps"]
        print(f"{name}: {result['rps']:,.0f} req/s ({ratio:.3f} × hello-world)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
