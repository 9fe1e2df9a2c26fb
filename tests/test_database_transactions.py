"""How a request's transaction ends: read-only ones commit (psycopg keeps its prepared
statements), ones that wrote without committing are still rolled back."""

import pytest
from sqlalchemy import func, select, text

from alliance import create_app
from alliance.communities.models import StreetOffice
from alliance.extensions import db


@pytest.fixture
def probe_app(app, database_url):
    """A second app on the test database, with routes that write, or only read, and stop."""
    probe = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "probe",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": None,
        }
    )

    @probe.post("/probe/flush-then-fail")
    def flush_then_fail():
        db.session.add(StreetOffice(name="半途街道", code="HALF"))
        db.session.flush()
        return "validation failed", 422

    @probe.get("/probe/dirty")
    def dirty():
        db.session.add(StreetOffice(name="未存街道", code="DIRT"))
        return "not saved"

    @probe.get("/probe/read")
    def read():
        db.session.scalar(select(func.count(StreetOffice.id)).where(StreetOffice.code == "X"))
        if db.engine.dialect.name != "postgresql":
            return "0"
        return str(db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements")))

    yield probe
    with probe.app_context():
        db.session.remove()
        db.engine.dispose()


def _offices(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StreetOffice.id)))


def test_a_request_that_wrote_without_committing_leaves_nothing(app, probe_app):
    client = probe_app.test_client()
    assert client.post("/probe/flush-then-fail").status_code == 422
    assert client.get("/probe/dirty").status_code == 200
    assert _offices(app) == 0


def test_read_only_requests_keep_prepared_statements_on_postgresql(probe_app):
    with probe_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are psycopg's (PostgreSQL)")
    client = probe_app.test_client()
    # psycopg prepares a statement on its 5th run on a connection; a ROLLBACK forgets them all.
    answers = [int(client.get("/probe/read").text) for _ in range(8)]
    assert answers[-1] >= 1, answers
