"""The migrations are the only way the schema is made: they must build exactly the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from alliance import create_app
from alliance.extensions import db


def test_migrations_from_empty_match_the_models(tmp_path, app):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
