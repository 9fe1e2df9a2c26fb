"""The rate parser: the Chinese 折 convention stored as an integer percent, never a float."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance.commitments.models import rate_label
from alliance.commitments.services import InvalidRate, parse_rate


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("8.5", 85),
        ("8.5折", 85),
        ("85%", 85),
        ("６.８折", 68),  # full-width digits from a Chinese keyboard
        ("7折", 70),
        ("7", 70),
        (" 8.50 折 ", 85),
        ("0.5折", 5),
        ("99%", 99),
        ("9.9", 99),
        ("85％", 85),
    ],
)
def test_accepts_the_usual_ways_of_writing_a_rate(app, text, percent):
    assert parse_rate(text) == percent


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0折", "0折"),
        ("0", "0折"),
        ("10折", "10折"),
        ("11折", "10折"),
        ("85", "85%"),  # bare numbers are 折: 85折 is nonsense, the message shows how to write %
        ("100%", "10折"),
        ("0%", "0折"),
        ("打八五折", "数字"),
        ("abc", "数字"),
        ("", "请填写"),
        ("8.55折", "0.1折"),
        ("85.5%", "0.1折"),
        ("-8折", "数字"),
        ("8,5", "数字"),
    ],
)
def test_refuses_bad_rates_with_a_clear_message(app, text, message):
    with pytest.raises(InvalidRate) as excinfo:
        parse_rate(text)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("percent", "label"), [(85, "8.5折"), (68, "6.8折"), (70, "7折"), (5, "0.5折")]
)
def test_rate_label(percent, label):
    assert rate_label(percent) == label


@given(st.text(max_size=30))
def test_never_raises_anything_but_invalid_rate(text):
    try:
        result = parse_rate(text)
    except InvalidRate:
        return
    assert isinstance(result, int) and 1 <= result <= 99


@given(st.integers(min_value=1, max_value=99))
def test_round_trips_every_valid_rate(percent):
    assert parse_rate(rate_label(percent)) == percent
    assert parse_rate(f"{percent}%") == percent
    assert parse_rate(str(Decimal(percent) / 10)) == percent
