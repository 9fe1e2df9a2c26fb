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

    # Pages compressed by the app itself (static files are compressed once, see assets.py).
    # Brotli at level 4 costs about as much CPU as gzip 6 and saves a fifth more on a weak signal.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 4
    COMPRESS_MIMETYPES = ["text/html", "application/json", "application/xml", "text/xml"]

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


def config_for(name: str | None) -> type[Config]:
    return {"production": ProductionConfig, "testing": TestConfig}.get(name or "", Config)
