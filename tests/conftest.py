"""Fixtures built on the app factory.

The suite runs on a SQLite file by default and on PostgreSQL when ALLIANCE_TEST_DATABASE_URL is
set. The schema is made once per session; every test starts from empty tables.
"""

import os
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import JSON, event, null, text

from alliance import create_app
from alliance.accounts import services as accounts
from alliance.accounts.models import Role
from alliance.communities.models import Community, Estate, Grid, StreetOffice
from alliance.extensions import db as _db
from alliance.extensions import limiter

PASSWORD = "Passw0rd!x"


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production: fresh `g` and DB session.

    Without this the request would reuse the test's app context, sharing the logged-in user
    cached in `g` and the test's session between requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (test_gw0, test_gw1, …),
    made on first use: the suite empties tables between tests and may not share them."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("ALLIANCE_TEST_DATABASE_URL")
    if url:
        return _database_of_this_worker(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    os.environ.pop("ALLIANCE_ENV", None)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            # /healthz asks the database on every probe here (tests/test_health.py checks the cache).
            "HEALTHZ_CACHE_SECONDS": 0,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": None,
            # Quiet hours would hold SMS depending on when the suite runs; tests set them.
            "SMS_QUIET_HOURS": "",
            "CELERY_BROKER_URL": "",
            "SMS_PROVIDER": "log",
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _empty_tables():
    engine = _db.engine
    tables = list(reversed(_db.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _postgresql_only(request, database_url):
    # @pytest.mark.postgresql (pyproject): a test of PostgreSQL's own behaviour.
    if request.node.get_closest_marker("postgresql") and not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only (ALLIANCE_TEST_DATABASE_URL)")


@pytest.fixture(autouse=True)
def _fresh_state(app):
    with app.app_context():
        yield
        _db.session.remove()
        _empty_tables()
    limiter.reset()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


DEMO_PASSWORD = "DemoPass123"
_demo_rows: dict[str, list[dict]] = {}


@pytest.fixture
def demo_seeded(app, runner):
    """The demo community exactly as `flask seed-demo --password DemoPass123` leaves it.

    The command runs once per test process (about 7 s); later tests get the same rows copied
    back from memory, a fraction of a second. Tests of the command itself still run it.
    """
    if not _demo_rows:
        result = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
        assert result.exit_code == 0, result.output
        with _db.engine.connect() as conn:
            for table in _db.metadata.sorted_tables:
                # A JSON column's None must go back as SQL NULL, not as JSON 'null'.
                json = [c.name for c in table.c if isinstance(c.type, JSON)]
                _demo_rows[table.name] = [
                    {**row, **{name: null() for name in json if row[name] is None}}
                    for row in map(dict, conn.execute(table.select()).mappings())
                ]
        return DEMO_PASSWORD
    engine = _db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Rows go in table by table; constraints are checked by the data that made them.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in _db.metadata.sorted_tables:
            rows = _demo_rows.get(table.name)
            if rows:
                conn.execute(table.insert(), rows)
        if engine.dialect.name == "postgresql":
            for table in _db.metadata.sorted_tables:
                if "id" in table.c and _demo_rows.get(table.name) and table.c.id.autoincrement:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'(SELECT max(id) FROM "{table.name}"))'
                        )
                    )
    return DEMO_PASSWORD


def login(client, username, password=PASSWORD, **extra):
    return client.post("/login", data={"identifier": username, "password": password, **extra})


def office_with_community(
    code="XY", name="新园街道", community_code="CCC", community_name="丙社区"
) -> tuple[StreetOffice, Community]:
    """Another street office with one community of its own (committed)."""
    office = StreetOffice(code=code, name=name)
    _db.session.add(office)
    _db.session.flush()
    community = Community(code=community_code, name=community_name, street_office_id=office.id)
    _db.session.add(community)
    _db.session.commit()
    return office, community


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(
        username=None,
        *,
        community=None,
        roles=(Role.RESIDENT,),
        display_name=None,
        phone=None,
        street_office_id=None,
        password=PASSWORD,
    ):
        n = next(counter)
        user = accounts.create_user(
            username=username or f"user{n}",
            display_name=display_name or f"测试用户{n}",
            password=password,
            phone=phone,
            community=community,
            street_office_id=street_office_id,
            roles=roles,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def world(db, make_user):
    """One street office with communities A and B, and a person for every role in the matrix."""
    office = StreetOffice(code="WC", name="坞城街道")
    db.session.add(office)
    db.session.flush()
    a = Community(code="AAA", name="甲社区", street_office_id=office.id)
    b = Community(code="BBB", name="乙社区", street_office_id=office.id)
    db.session.add_all([a, b])
    db.session.flush()
    estate_a = Estate(community_id=a.id, name="甲一小区")
    estate_b = Estate(community_id=b.id, name="乙一小区")
    db.session.add_all([estate_a, estate_b])
    db.session.commit()
    users = {
        "resident": make_user("resident", community=a, roles=(Role.RESIDENT,)),
        "volunteer": make_user("volunteer", community=a, roles=(Role.VOLUNTEER, Role.RESIDENT)),
        "merchant": make_user("merchant", community=a, roles=(Role.MERCHANT_STAFF,)),
        "grid": make_user("grid", community=a, roles=(Role.GRID_WORKER, Role.RESIDENT)),
        "secretary_a": make_user("secretary_a", community=a, roles=(Role.SECRETARY,)),
        "secretary_b": make_user("secretary_b", community=b, roles=(Role.SECRETARY,)),
        "street": make_user("street", roles=(Role.STREET_OFFICER,), street_office_id=office.id),
        "resident_b": make_user("resident_b", community=b, roles=(Role.RESIDENT,)),
    }
    grid = Grid(
        community_id=a.id, estate_id=estate_a.id, name="甲一网格", worker_id=users["grid"].id
    )
    db.session.add(grid)
    db.session.commit()
    return SimpleNamespace(
        office=office, a=a, b=b, estate_a=estate_a, estate_b=estate_b, grid=grid, users=users
    )


@pytest.fixture
def as_user(client):
    """Log the test client in as a username; returns the client."""

    def _as(username, password=PASSWORD):
        client.post("/logout")
        response = login(client, username, password)
        assert response.status_code == 303, f"login as {username} failed"
        return client

    return _as


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(db):
    """with count_statements() as counter: ...; counter.count is the number of SQL statements."""

    @contextmanager
    def counting():
        counter = StatementCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
