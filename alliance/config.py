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
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        options["pool_size"] = int(os.environ.get("DB_POOL_SIZE", "5"))
        options["max_overflow"] = int(os.environ.get("DB_MAX_OVERFLOW", "5"))
        options["pool_recycle"] = int(os.environ.get("DB_POOL_RECYCLE", "1800"))
    return options


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = _engine_options(SQLALCHEMY_DATABASE_URI)
    # True: every SQLite transaction starts with BEGIN IMMEDIATE (see alliance/database.py).
    SQLITE_IMMEDIATE_TRANSACTIONS = os.environ.get("SQLITE_IMMEDIATE_TRANSACTIONS") == "1"
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_SIZE = "lg"

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Cards: verification per client address and per member (brute-forcing codes).
    CARD_VERIFY_RATE_LIMIT = os.environ.get("CARD_VERIFY_RATE_LIMIT", "60/minute")
    # Cards: the site root put in QR codes (<SITE_URL>/c/<code>); the request's host when unset.
    SITE_URL = os.environ.get("SITE_URL")

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
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = os.environ.get("FORCE_HTTPS", "1") == "1"
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SMS_QUIET_HOURS = ""


def config_for(name: str | None) -> type[Config]:
    return {"production": ProductionConfig, "testing": TestConfig}.get(name or "", Config)
