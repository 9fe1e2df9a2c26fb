"""Every route, every role, one table: a new route missing from the tables fails here."""

import importlib
import pkgutil

import pytest

import tests.authz as authz_pkg
from tests.authz.matrix import ROLES
from tests.conftest import login

IGNORED_ENDPOINTS = {"static", "bootstrap.static"}


def _tables():
    for info in pkgutil.iter_modules(authz_pkg.__path__):
        if info.name.startswith("table_"):
            yield importlib.import_module(f"tests.authz.{info.name}")


def all_rows() -> dict:
    rows = {}
    for module in _tables():
        for endpoint, case in module.ROWS.items():
            assert endpoint not in rows, f"{endpoint} is in two tables"
            rows[endpoint] = case
    return rows


ROWS = all_rows()


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED_ENDPOINTS
    missing = sorted(endpoints - set(ROWS))
    assert not missing, f"routes missing from tests/authz tables: {missing}"
    stale = sorted(set(ROWS) - endpoints)
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


def test_every_row_covers_every_role():
    for endpoint, case in ROWS.items():
        assert set(case.expect) == set(ROLES), endpoint


@pytest.fixture
def ids(world):
    values = {"a": world.a.id, "b": world.b.id, "a_resident": world.users["resident"].id}
    for module in _tables():
        setup = getattr(module, "setup", None)
        if setup:
            values.update(setup(world))
    return values


@pytest.mark.parametrize("endpoint", sorted(ROWS))
def test_route_answers_each_role_as_expected(app, ids, endpoint):
    case = ROWS[endpoint]
    path = case.path.format(**ids)
    failures = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            assert login(client, role).status_code == 303, role
        data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in case.data.items()}
        kwargs = {"json": case.json} if case.json is not None else {"data": data}
        response = client.open(path, method=case.method, **kwargs)
        expected = case.expect[role]
        if expected == 302 and case.method == "POST":
            expected = 303  # the view edge: a POST that redirects answers See Other
        if response.status_code != expected:
            failures.append(f"{role}: {response.status_code} != {expected}")
    assert not failures, f"{case.method} {path}: " + "; ".join(failures)
