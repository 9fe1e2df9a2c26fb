"""Verification costs a fixed number of SQL statements, however many past redemptions exist."""

from datetime import UTC, date, datetime

from sqlalchemy import insert

from alliance.cards.models import Redemption
from tests.cards.conftest import bearer
from tests.conftest import login


def _history(db, counter, n, start):
    rows = [
        dict(
            card_id=counter.card_id,
            holder_id=counter.card.holder_id,
            offer_id=counter.free_id,
            merchant_id=counter.shop_id,
            community_id=counter.shop.community_id,
            staff_id=None,
            code_type="static",
            offer_title="饮料9折",
            rate_percent=90,
            bill_fen=1000,
            saving_fen=100,
            period_key="-",
            local_day=date(2025, 1, 1),
            slot=None,
            idempotency_key=f"h{start + i}",
            fingerprint="x",
            created_at=datetime.now(UTC),
        )
        for i in range(n)
    ]
    db.session.execute(insert(Redemption), rows)
    db.session.commit()


def _count(client, count_statements, path, **kwargs):
    with count_statements() as counter:
        response = client.open(path, **kwargs)
    assert response.status_code == 200
    return counter.count


def test_api_verification_statements_are_constant(client, counter, api_token, db, count_statements):
    kwargs = {"method": "POST", "json": {"code": counter.code}, "headers": bearer(api_token)}
    # The token's first use records last_used_at (then at most every 5 minutes): warm it up.
    client.open("/api/v1/cards/verify", **kwargs)
    _history(db, counter, 10, 0)
    small = _count(client, count_statements, "/api/v1/cards/verify", **kwargs)
    _history(db, counter, 190, 10)
    large = _count(client, count_statements, "/api/v1/cards/verify", **kwargs)
    assert small == large
    # 7 for the card, token and offers; the points domain adds its balance and items.
    assert large <= 10


def test_counter_page_statements_are_constant(counter, as_user, db, count_statements):
    client = as_user("merchant")
    _history(db, counter, 10, 0)
    small = _count(client, count_statements, f"/c/{counter.code}")
    _history(db, counter, 190, 10)
    large = _count(client, count_statements, f"/c/{counter.code}")
    assert small == large


def test_holder_history_and_reports_are_bounded(app, counter, db, count_statements):
    _history(db, counter, 10, 0)
    volunteer, secretary, merchant = (app.test_client() for _ in range(3))
    for c, name in ((volunteer, "volunteer"), (secretary, "secretary_a"), (merchant, "merchant")):
        login(c, name)
    paths = [
        (volunteer, "/me/card/history"),
        (merchant, "/cards/merchant?month=2025-01"),
        (secretary, "/cards/report?month=2025-01"),
    ]
    small = [_count(c, count_statements, p) for c, p in paths]
    _history(db, counter, 190, 10)
    large = [_count(c, count_statements, p) for c, p in paths]
    assert small == large


def test_counter_page_reads_the_cashiers_members_once(counter, as_user, count_statements):
    """The rate limit's key and the page both need the member the cashier works for: the
    first asks the database, the second takes its answer."""
    client = as_user("merchant")
    client.get(f"/c/{counter.code}")
    with count_statements() as counted:
        response = client.get(f"/c/{counter.code}")
    assert response.status_code == 200
    assert "有效" in response.get_data(as_text=True)
    staff_reads = [s for s in counted.statements if "merchant_staff" in s]
    assert len(staff_reads) == 1, staff_reads
