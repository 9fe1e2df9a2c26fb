"""The migrations are the only way the schema is made: they must build exactly the models."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from alliance import create_app
from alliance.extensions import db


def _assert_migrations_build_the_models(url: str) -> None:
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_migrations_from_empty_match_the_models_on_sqlite(tmp_path, app):
    _assert_migrations_build_the_models(f"sqlite:///{tmp_path / 'migrated.db'}")


def test_migrations_from_empty_match_the_models_on_postgresql(app):
    url = os.environ.get("ALLIANCE_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("set ALLIANCE_TEST_DATABASE_URL to a PostgreSQL URL to check migrations there")
    scratch = f"alliance_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        target = make_url(url).set(database=scratch).render_as_string(hide_password=False)
        _assert_migrations_build_the_models(target)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
        admin.dispose()
