import pytest

from alliance import create_app


@pytest.fixture
def app_with_broker(app):
    """Another app on the suite's database whose Celery talks to a real broker at `url`."""
    made = []

    def make(url: str, **config):
        other = create_app(
            {
                **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")},
                "TESTING": True,
                "SMS_QUIET_HOURS": "",
                "CELERY_BROKER_URL": url,
                "CELERY": {**app.config["CELERY"], "task_publish_retry": False},
                **config,
            }
        )
        made.append(other)
        return other

    yield make
    app.extensions["celery"].set_default()
    for other in made:
        # Not pool.force_close_all(): kombu shares connection pools per broker URL, process-wide.
        with other.app_context():
            from alliance.extensions import db

            db.engine.dispose()
