"""Apps that talk to a Redis or PostgreSQL the test started itself."""

import pytest

from alliance import create_app
from alliance.extensions import limiter
from tests.cards.conftest import api_token, counter  # noqa: F401  (fixtures for these tests)
from tests.conftest import IsolatedClient
from tests.faults.servers import RedisServer
from tests.help_requests.conftest import setup  # noqa: F401


def make_app(database_url: str, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": None,
            **config,
        }
    )
    app.test_client_class = IsolatedClient
    return app


def make_app_on_redis(database_url: str, server: RedisServer, **config):
    """An app whose rate limits count in `server`, giving up on it after half a second."""
    return make_app(
        database_url,
        RATELIMIT_STORAGE_URI=server.url,
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        **config,
    )


@pytest.fixture
def redis_server():
    """A redis-server of the test's own, on a free port (stopped and started by the test)."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def restore_limiter(app):
    """The limiter is one object per process: hand it back to the suite's app afterwards."""
    yield
    limiter.init_app(app)
    # Flask-Limiter has no public way to forget an outage; a later test's Redis must not
    # start out in the fallback left behind by this one.
    limiter._storage_dead = False
    limiter.reset()
