from hypothesis import given
from hypothesis import strategies as st

from alliance.validators import mask_name, mask_phone, normalize_phone, password_problem


def test_mainland_mobiles_are_accepted_in_common_spellings():
    for raw in (
        "13812345678",
        "+86 138 1234 5678",
        "+8613812345678",
        "138-1234-5678",
        "(138)12345678",
    ):
        assert normalize_phone(raw) == "13812345678"


def test_non_mobiles_are_refused():
    for raw in (
        "",
        "12345678901",
        "1381234567",
        "138123456789",
        "010-62345678",
        "+1 212 555 0100",
        "23812345678",
        "一三八一二三四五六七八",
        "13812345678" * 5,
    ):
        assert normalize_phone(raw) is None


@given(st.text(max_size=60))
def test_phone_normaliser_never_raises_and_returns_11_digits(text):
    result = normalize_phone(text)
    assert result is None or (len(result) == 11 and result.isdigit() and result.startswith("1"))


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("王小明") == "王*明"
    assert mask_name("李雷") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"


@given(st.text(max_size=200))
def test_password_rule_never_raises(text):
    assert password_problem(text) is None or isinstance(password_problem(text), str)


def test_password_rule_examples():
    assert password_problem("Secure123pw") is None
    assert password_problem("short1") is not None
    assert password_problem("12345678") is not None
    assert password_problem("onlyletters") is not None
