"""Fuzzing the public API with schemathesis, from the app's own /api/openapi.json.

Every /api/v1 and /open311/v2 operation gets generated requests (valid and not) against the
WSGI app seeded with the demo district and a cashier token: no 5xx, every status documented,
every documented JSON body as described. Deterministic (derandomized) and bounded.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from alliance.api import tokens as api_tokens
from alliance.extensions import limiter
from alliance.merchants.staff import merchants_of

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = 60


@pytest.fixture
def seeded(app, db):
    """The demo district (members, volunteers with cards, catalogue) and a cashier token."""
    from sqlalchemy import select

    from alliance.accounts.models import User
    from alliance.demo.seed import seed_demo

    seed_demo("alliance2026")
    staff = db.session.scalar(select(User).where(User.username == "merchant"))
    _token, raw = api_tokens.create_token(staff, merchants_of(staff)[0], "fuzz")
    db.session.commit()
    return raw


def api_operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(("/api/v1", "/open311/v2")):
            yield operation


def test_every_api_operation_is_fuzzed(app):
    labels = {f"{op.method.upper()} {op.path}" for op in api_operations(app)}
    assert "POST /api/v1/cards/verify" in labels
    assert "POST /open311/v2/requests.{fmt}" in labels
    assert len(labels) >= 10


def test_api_survives_fuzzing(app, seeded):
    failures = []
    limiter.enabled = False  # 429s are documented, but they would hide everything else
    try:
        for operation in api_operations(app):

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case):
                # A valid token for the bearer operations, so they reach their own validation.
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {seeded}"}
                response = case.call()
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # collect all operations' findings, then fail once
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    finally:
        limiter.enabled = True
    assert not failures, "\n\n".join(failures)
