"""Configuration: safe defaults here, secrets and deployment choices from the environment."""

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'alliance.db'}"
    # Accept the common "postgres://" and "postgresql://" spellings; we talk through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _engine_options(url: str) -> dict:
    """Pool settings. PostgreSQL: each gunicorn worker keeps DB_POOL_SIZE connections open and
    opens up to DB_MAX_OVERFLOW more under load (workers x (size + overflow) must stay below the
    server's max_connections)."""
    # No pool_pre_ping: it asked the database on every request (see DB_PING_AFTER_IDLE_SECONDS).
    options: dict = {}
    if url.startswith("postgresql"):
        # A server that does not answer (not one that refuses) must not hold a worker for long.
        connect_timeout = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
        options["connect_args"] = {"connect_timeout": connect_timeout}
        options["pool_timeout"] = int(os.environ.get("DB_POOL_TIMEOUT", "10"))
        options["pool_size"] = int(os.environ.get("DB_POOL_SIZE", "5"))
        options["max_overflow"] = int(os.environ.get("DB_MAX_OVERFLOW", "5"))
        options["pool_recycle"] = int(os.environ.get("DB_POOL_RECYCLE", "1800"))
    return options


def _ratelimit_storage_options(uri: str) -> dict:
    """A Redis that does not answer must not hold a request: fail fast, then fall back."""
    if uri.startswith(("redis://", "rediss://", "redis+")):
        timeout = float(os.environ.get("RATELIMIT_REDIS_TIMEOUT", "0.5"))
        return {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    return {}


DEFAULT_SECRET_KEY = "dev-only-change-me"
MIN_SECRET_KEY_LENGTH = 32


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = _engine_options(SQLALCHEMY_DATABASE_URI)
    # A pooled connection idle this long is pinged before use and replaced if dead (a restarted
    # database); one in use within the last seconds is trusted, and a failure on it invalidates
    # the whole pool (alliance.database._ping_after_idle). 0 pings at every checkout.
    DB_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DB_PING_AFTER_IDLE_SECONDS", "2"))
    # PostgreSQL: plain reads outside a transaction, BEGIN at the first write (alliance.database).
    DB_READS_OUTSIDE_TRANSACTIONS = os.environ.get("DB_READS_OUTSIDE_TRANSACTIONS", "1") == "1"
    # True: every SQLite transaction starts with BEGIN IMMEDIATE (see alliance/database.py).
    SQLITE_IMMEDIATE_TRANSACTIONS = os.environ.get("SQLITE_IMMEDIATE_TRANSACTIONS") == "1"
    # The emergency map's tiles ({z}/{x}/{y}); unset: points on a plain background.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    # How long a SQLite writer waits for the lock; past it the request answers 503.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "30000"))
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")

    # Pages compressed by the app itself (static files are compressed once, see assets.py).
    # Brotli at level 4 costs about as much CPU as gzip 6 and saves a fifth more on a weak signal.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 4
    COMPRESS_MIMETYPES = ["text/html", "application/json", "application/xml", "text/xml"]

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # /healthz asks the database at most once per this many seconds per worker (alliance.health).
    HEALTHZ_CACHE_SECONDS = float(os.environ.get("HEALTHZ_CACHE_SECONDS", "1"))
    RATELIMIT_HEADERS_ENABLED = True
    # Redis away: count in each process's memory meanwhile (a warning in the log once per
    # outage), probe Redis again after 1, 2, 4 … 32 s and go back to it by itself.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = _ratelimit_storage_options(RATELIMIT_STORAGE_URI)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Failed sign-ins per login name that has no account: the same 5 in 15 minutes as the
    # database lockout of a real account, so the locked answer does not tell them apart.
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per 15 minutes"
    # Reverse proxies in front of the site (nginx: 1). Their X-Forwarded-For/-Proto are
    # believed, for that many hops only: per-address limits then see the client, not the proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Cards: verification per client address and per member (brute-forcing codes).
    CARD_VERIFY_RATE_LIMIT = os.environ.get("CARD_VERIFY_RATE_LIMIT", "60/minute")
    # Cards: the site root put in QR codes (<SITE_URL>/c/<code>); the request's host when unset.
    SITE_URL = os.environ.get("SITE_URL")
    # Background jobs' broker (Redis); /readyz probes it and the worker's heartbeat there.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL")
    WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "180"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    FORCE_HTTPS = False

    # Notifications (alliance/notifications/sms.py and outbox.py).
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER") or ("http" if SMS_GATEWAY_URL else "log")
    SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
    SMS_DEFAULT_SIGNATURE = "共富联盟"
    # Local (Asia/Shanghai) hours when SMS waits, except emergency warnings; "" turns it off.
    SMS_QUIET_HOURS = os.environ.get("SMS_QUIET_HOURS", "22:00-07:00")
    SMS_MAX_ATTEMPTS = 5
    SMS_RETRY_BASE_SECONDS = 60
    # A claim older than this is taken to be a dead worker's; the send is retried with the same
    # idempotency key so the gateway drops it if it had already taken it.
    SMS_SEND_LEASE_SECONDS = int(os.environ.get("SMS_SEND_LEASE_SECONDS", "300"))
    # Broadcasts per community per hour (notices and emergency warnings counted apart).
    BROADCASTS_PER_HOUR = int(os.environ.get("BROADCASTS_PER_HOUR", "5"))
    # Celery (Flask's documented pattern): without CELERY_BROKER_URL tasks run inline, in the
    # process that queued them (make run, the tests); make serve and make worker set it.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
    CELERY = {
        "task_eager_propagates": True,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        # Redis re-delivers a message nobody acknowledged after this many seconds.
        "broker_transport_options": {
            "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "600"))
        },
        "timezone": "Asia/Shanghai",
    }

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "alliance2026")
    # Star levels 一星 to 五星: confirmed service hours, increasing (checked at start-up).
    STAR_LEVEL_HOURS = os.environ.get("STAR_LEVEL_HOURS", "100,300,600,1000,1500")
    WTF_CSRF_TIME_LIMIT = None


class ProductionConfig(Config):
    PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = os.environ.get("FORCE_HTTPS", "1") == "1"
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STORAGE_OPTIONS: dict = {}
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SMS_QUIET_HOURS = ""


def check_production_config(config) -> None:
    """Production refuses to start with a guessable session key: anyone knowing it can sign
    a session cookie for any account."""
    if not config.get("PRODUCTION"):
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in production "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )


def config_for(name: str | None) -> type[Config]:
    return {"production": ProductionConfig, "testing": TestConfig}.get(name or "", Config)
