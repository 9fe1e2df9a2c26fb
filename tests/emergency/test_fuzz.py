"""Whatever arrives — a mangled CAP file, odd form values — the answer is a reason, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.emergency import cap
from alliance.extensions import limiter
from tests.emergency.test_alerts import cap_doc

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from(
    ["IV", "I", "Ⅳ", "flood", "c1", "office", "", "²", "-1", "\x00"]
)


@FUZZ
@given(
    st.binary(max_size=400)
    | st.builds(lambda n, b: cap_doc()[:n] + b, st.integers(0, 900), st.binary(max_size=20))
)
def test_any_bytes_are_a_cap_alert_or_a_reason(data):
    try:
        alert = cap.parse_alert(data)
    except cap.CapError as exc:
        assert str(exc.message)
    else:
        assert alert.infos


@pytest.fixture
def secretary(world, as_user):
    return as_user("secretary_a")


@FUZZ
@given(target=TEXT, kind=TEXT, level=TEXT, reason=TEXT, drill=TEXT)
def test_the_start_form_never_fails(secretary, world, target, kind, level, reason, drill):
    limiter.reset()
    r = secretary.post(
        "/emergency/start",
        data={"target": target, "kind": kind, "level": level, "reason": reason, "drill": drill},
    )
    assert r.status_code in (303, 409, 422), r.status_code
