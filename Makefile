# Everything runs inside .venv; nothing but Python 3.11 and make is needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := alliance

# Background jobs go through Redis under make serve and make worker (inline under make run).
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: install install-dev run serve worker test lint i18n i18n-extract db-upgrade seed bench bench-soak css clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed i18n

install-dev: $(VENV)/.installed-dev i18n

i18n: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d alliance/translations

# Maintainers: refresh the catalogues after changing user-facing text.
i18n-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k _l -k lazy_gettext -o alliance/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i alliance/translations/messages.pot -d alliance/translations

# Maintainers: rebuild static/css/bootstrap.css (committed) after templates use new Bootstrap
# classes: the rules they can use, cut from Bootstrap-Flask's copy of Bootstrap with tinycss2.
css: install-dev
	$(BIN)/python -m bench.build_css

db-upgrade: install
	$(BIN)/flask db upgrade

seed: db-upgrade
	$(BIN)/flask seed-demo --if-empty

run: seed
	@$(BIN)/flask demo-logins
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

serve: db-upgrade
	CELERY_BROKER_URL=$(CELERY_BROKER_URL) $(BIN)/gunicorn -c alliance/gunicorn_conf.py 'alliance:create_app()'

# The Celery worker and its beat (periodic jobs), with the same environment as make serve.
worker: db-upgrade
	CELERY_BROKER_URL=$(CELERY_BROKER_URL) $(BIN)/celery -A alliance.worker worker --beat --loglevel=INFO

# Needs PostgreSQL at 127.0.0.1:5432 (user postgres), Redis at 127.0.0.1:6379 and wrk; drops and
# rebuilds the databases alliance_bench and alliance_bench_small (BENCH_DATABASE_URL overrides).
bench: install-dev
	$(BIN)/python -m bench.generate
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.broadcast
	$(BIN)/python -m bench.timings
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

# Ten minutes of mixed load with its own Redis stopped for 60 s in the middle (bench/soak.py).
SOAK_MINUTES ?= 10
bench-soak: install-dev
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

# Two processes or more (pytest-xdist; each its own database), a test file per process at a time.
TEST_WORKERS ?= auto
test: install-dev
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: install-dev
	$(BIN)/ruff check alliance tests
	$(BIN)/ruff format --check alliance tests

clean:
	rm -rf $(VENV) instance/*.db
