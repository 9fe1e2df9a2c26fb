"""A cashier token's "last used" is saved by verification, and verification writes nothing else."""

from sqlalchemy import select

from alliance.api.models import ApiToken
from tests.cards.conftest import bearer


def test_verification_saves_last_used_once(client, db, counter, api_token, count_statements):
    response = client.post(
        "/api/v1/cards/verify", json={"code": counter.code}, headers=bearer(api_token)
    )
    assert response.status_code == 200
    db.session.expire_all()
    first = db.session.scalar(select(ApiToken.last_used_at))
    assert first is not None

    with count_statements() as counter_:
        again = client.post(
            "/api/v1/cards/verify", json={"code": counter.code}, headers=bearer(api_token)
        )
    assert again.status_code == 200
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in counter_.statements)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) == first
