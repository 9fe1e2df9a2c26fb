"""The Celery entry point: `celery -A alliance.worker worker --beat` (see `make worker`)."""

from alliance import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
