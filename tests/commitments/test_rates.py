"""The rate parser: the Chinese 折 convention stored as an integer percent, never a float."""

from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from alliance.commitments.drafting import parse_rate
from alliance.commitments.errors import InvalidRate
from alliance.commitments.models import rate_label, rate_text
from tests.commitments.factories import create_commitment


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


@pytest.mark.parametrize(
    ("locale", "percent", "text"),
    [
        ("zh_CN", 85, "8.5折"),
        ("zh_CN", 70, "7折"),
        ("en", 85, "15% off (pay 85%)"),
        ("en", 70, "30% off (pay 70%)"),
        ("en", 5, "95% off (pay 5%)"),
    ],
)
def test_rate_text_is_said_the_readers_way(app, locale, percent, text):
    with app.test_request_context("/"), force_locale(locale):
        assert rate_text(percent) == text
        assert rate_label(percent).endswith("折")  # the API's rate_display never changes


def test_english_pages_say_what_comes_off_and_chinese_ones_say_zhe(shop, client, db):
    c = create_commitment(shop, title="面包优惠", rate=85)
    db.session.commit()
    pages = ["/commitments/", f"/commitments/{c.id}", "/merchants/"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "8.5折" in html and "15% off" not in html, url
    client.post("/language", data={"locale": "en"})
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "15% off (pay 85%)" in html and "8.5折" not in html, url
    # The API keeps the Chinese convention whatever the language.
    api = client.get("/api/v1/commitments").get_json()
    assert api["items"][0]["offer"]["rate"] == "8.5折"


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
