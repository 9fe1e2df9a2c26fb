"""Template filters: times are shown in Asia/Shanghai exactly as Babel would show them."""

from datetime import UTC, date, datetime

import pytest
from flask_babel import format_datetime

from alliance.templating import fen_to_yuan, localtime


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 1, 1, 16, 30, tzinfo=UTC),  # 00:30 the next day in Shanghai
        datetime(2026, 1, 1, 16, 30),  # naive values are UTC
        datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize(
    "fmt", ["yyyy-MM-dd HH:mm", "yyyy-MM-dd", "HH:mm", "yyyy-MM-dd'T'HH:mm", "M月d日 HH:mm"]
)
def test_localtime_matches_babel(app, value, fmt):
    with app.test_request_context():
        assert localtime(value, fmt) == format_datetime(value, fmt)


def test_localtime_crosses_midnight_into_shanghai(app):
    with app.test_request_context():
        assert localtime(datetime(2026, 1, 1, 16, 30, tzinfo=UTC)) == "2026-01-02 00:30"
        assert localtime(date(2026, 1, 1), "yyyy-MM-dd") == "2026-01-01"
        assert localtime(None) == ""


def test_yuan():
    assert fen_to_yuan(1049) == "10.49"
    assert fen_to_yuan(-5) == "-0.05"
    assert fen_to_yuan(None) == ""
