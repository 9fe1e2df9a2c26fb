# Everything runs inside .venv; nothing but Python 3.11 and make is needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := alliance

.PHONY: install install-dev run serve test lint i18n i18n-extract db-upgrade seed bench css clean

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
	$(BIN)/gunicorn -c alliance/gunicorn_conf.py 'alliance:create_app()'

# Needs PostgreSQL at 127.0.0.1:5432 (user postgres), Redis at 127.0.0.1:6379 and wrk; drops and
# rebuilds the databases alliance_bench and alliance_bench_small (BENCH_DATABASE_URL overrides).
bench: install-dev
	$(BIN)/python -m bench.generate
	$(BIN)/python -m bench.run

test: install-dev
	$(BIN)/python -m pytest -q

lint: install-dev
	$(BIN)/ruff check alliance tests
	$(BIN)/ruff format --check alliance tests

clean:
	rm -rf $(VENV) instance/*.db
