"""A pooled connection is pinged before use only after it was idle (DB_PING_AFTER_IDLE_SECONDS):
a dead idle one is replaced without the visitor noticing; a dead busy one costs one 503, and
the pool is renewed at once."""

from alliance.extensions import db
from tests.faults.conftest import make_app


def _kill_pooled_connection(app):
    """Close the driver connection under the pool's only idle connection (a restarted server)."""
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            raw = conn.connection.dbapi_connection
        raw.close()


def _app(tmp_path, restore_limiter, idle):
    app = make_app(
        f"sqlite:///{tmp_path / 'ping.db'}",
        DB_PING_AFTER_IDLE_SECONDS=idle,
        RATELIMIT_STORAGE_URI="memory://",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )
    with app.app_context():
        db.create_all()
    return app


def test_an_idle_dead_connection_is_replaced_unnoticed(tmp_path, restore_limiter):
    app = _app(tmp_path, restore_limiter, idle=0)
    client = app.test_client()
    assert client.get("/merchants/").status_code == 200
    _kill_pooled_connection(app)
    assert client.get("/merchants/").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_busy_dead_connection_costs_one_503_then_the_pool_is_new(tmp_path, restore_limiter):
    app = _app(tmp_path, restore_limiter, idle=3600)
    client = app.test_client()
    assert client.get("/merchants/").status_code == 200
    _kill_pooled_connection(app)
    assert client.get("/merchants/").status_code == 503
    assert client.get("/merchants/").status_code == 200
    with app.app_context():
        db.engine.dispose()
