"""PostgreSQL stopped and started again while cashiers and visitors keep sending requests.

The cluster is the test's own (initdb on a free port), not the machine's shared server.
"""

import threading
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from alliance.accounts import services as accounts
from alliance.accounts.models import Role
from alliance.api import tokens as api_tokens
from alliance.cards import services as cards
from alliance.cards.models import Redemption
from alliance.communities.models import Community, StreetOffice
from alliance.config import _engine_options
from alliance.extensions import db
from tests.cards.conftest import bearer, make_volunteer
from tests.commitments.factories import create_commitment, create_merchant
from tests.conftest import PASSWORD
from tests.faults.conftest import make_app
from tests.faults.servers import PostgresServer


@pytest.fixture
def postgres():
    server = PostgresServer().init().start()
    yield server
    server.destroy()


def _seed():
    office = StreetOffice(code="WC", name="坞城街道")
    db.session.add(office)
    db.session.flush()
    community = Community(code="AAA", name="甲社区", street_office_id=office.id)
    db.session.add(community)
    db.session.flush()
    staff = accounts.create_user(
        username="merchant", display_name="店员", password=PASSWORD, community=community,
        roles=(Role.MERCHANT_STAFF,),
    )  # fmt: skip
    holder = accounts.create_user(
        username="volunteer", display_name="志愿者", password=PASSWORD, community=community,
        roles=(Role.VOLUNTEER, Role.RESIDENT),
    )  # fmt: skip
    shop = create_merchant(community, 1, name="明珠面馆", staff=[staff])
    offer = create_commitment(shop, title="饮料9折", rate=90).offer
    make_volunteer(holder, community)
    card = cards.issue_card(holder, "volunteer")
    _token, raw = api_tokens.create_token(staff, shop, "收银机")
    db.session.commit()
    return card.code, offer.id, raw


def _wait_for(condition, what: str, results: list, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {what}: {Counter((k, s) for k, s, _ in results)}"
            )
        time.sleep(0.05)


def test_requests_during_a_postgres_restart_get_503_and_lose_nothing(postgres, restore_limiter):
    app = make_app(
        postgres.url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(postgres.url),
        RATELIMIT_STORAGE_URI="memory://",
        CARD_VERIFY_RATE_LIMIT="100000/minute",
    )
    with app.app_context():
        db.create_all()
        code, offer_id, token = _seed()

    signed_in = app.test_client()
    assert (
        signed_in.post("/login", data={"identifier": "volunteer", "password": PASSWORD}).status_code
        == 303
    )

    results: list[tuple[str, int, str]] = []  # (kind, status, detail)
    acknowledged: dict[str, int] = {}  # Idempotency-Key -> bill_fen of every 201
    refused: dict[str, int] = {}  # the same for every 503
    stop = threading.Event()

    def cashier(lane: int):
        client = app.test_client()
        n = 0
        while not stop.is_set():
            n += 1
            key, bill = str(uuid.uuid4()), 1000 + lane * 100_000 + n
            response = client.post(
                "/api/v1/redemptions",
                json={"code": code, "offer_id": offer_id, "bill_fen": bill, "confirm": True},
                headers={**bearer(token), "Idempotency-Key": key},
            )
            results.append(("api", response.status_code, response.headers.get("Retry-After", "")))
            if response.status_code == 201:
                acknowledged[key] = bill
            elif response.status_code == 503:
                assert response.is_json and response.json["error"]["code"] == 503
                refused[key] = bill
                stop.wait(0.02)  # a cashier's till does not retry in a busy loop

    def visitor():
        client = app.test_client()
        while not stop.is_set():
            for path, kind in (("/commitments/", "page"), ("/healthz", "health")):
                response = client.get(path)
                text = response.get_data(as_text=True)
                results.append((kind, response.status_code, text))
            response = signed_in.get("/inbox/")
            results.append(("signed_in", response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=cashier, args=(i,)) for i in range(2)]
    threads.append(threading.Thread(target=visitor))
    for thread in threads:
        thread.start()

    def count(kind, status):
        return sum(1 for k, s, _ in results if k == kind and s == status)

    try:
        _wait_for(lambda: count("api", 201) >= 10, "redemptions while PostgreSQL runs", results)
        postgres.stop()
        for kind in ("api", "page", "health", "signed_in"):
            _wait_for(
                lambda kind=kind: count(kind, 503) >= 3,
                f"503s for {kind} while it is down",
                results,
            )
        before = count("api", 201)
        postgres.start()
        _wait_for(
            lambda: count("api", 201) >= before + 10, "redemptions after the restart", results
        )
        _wait_for(
            lambda: count("signed_in", 200) >= 1, "a signed-in page after the restart", results
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    statuses = Counter((kind, status) for kind, status, _ in results)
    assert {status for _kind, status, _ in results} <= {200, 201, 503}, statuses
    for kind, status, detail in results:
        if status == 503 and kind == "api":
            assert detail == "30", "the API's 503 says when to retry"
        if status == 503 and kind == "page":
            assert "没有保存" in detail and "Traceback" not in detail
        if status == 503 and kind == "health":
            assert '"unavailable"' in detail

    client = app.test_client()
    with app.app_context():
        stored = dict(
            db.session.execute(select(Redemption.idempotency_key, Redemption.bill_fen)).all()
        )
    # Every acknowledged redemption is recorded, as it was sent; none of the refused ones is.
    assert {k: stored.get(k) for k in acknowledged} == acknowledged
    assert not set(refused) & set(stored), "a 503 saved nothing"
    # The cashier retries what was refused (same key): each is recorded exactly once.
    for key, bill in refused.items():
        again = client.post(
            "/api/v1/redemptions",
            json={"code": code, "offer_id": offer_id, "bill_fen": bill, "confirm": True},
            headers={**bearer(token), "Idempotency-Key": key},
        )
        assert again.status_code == 201, again.get_json()
    with app.app_context():
        total = db.session.scalar(select(func.count(Redemption.id)))
        assert total == len(acknowledged) + len(refused)
        db.session.remove()
        db.engine.dispose()
