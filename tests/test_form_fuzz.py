"""Hypothesis on form input: amounts in yuan, dates, Chinese text with rare characters and emoji.

Whatever people type, the answer is a page with a clear message or the thing saved exactly as
typed: never a 500, never a float.
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from alliance.accounts.models import User
from alliance.counter.forms import yuan_to_fen
from alliance.extensions import limiter
from alliance.merchants.models import MerchantApplication
from tests.conftest import login

FORM_SETTINGS = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Chinese text as people type it: common and rare characters (CJK Extension B, e.g. 𠮷),
# full-width punctuation, emoji (with ZWJ sequences and skin tones), and plain ASCII.
RARE = "𠮷𡈽𪚥𠀋𤭢𧺯〇㐀䶵鿏"
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🇨🇳", "❤️", "🧧"]
chinese_text = st.lists(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from(list(RARE)),
        st.sampled_from(EMOJI),
        st.sampled_from(list("，。！？、（）“”·—…")),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    min_size=1,
    max_size=30,
).map("".join)


@pytest.fixture
def no_limits():
    limiter.enabled = False
    yield
    limiter.enabled = True


# --- amounts in yuan → fen ------------------------------------------------------------


@given(st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False))
def test_yuan_amounts_become_exact_fen(amount):
    assert yuan_to_fen(f"{amount:.2f}") == int(amount * 100)
    assert yuan_to_fen(f"¥{amount:.2f}元") == int(amount * 100)


@given(st.text(max_size=30))
def test_yuan_parser_refuses_with_value_error_only(text):
    try:
        fen = yuan_to_fen(text)
    except ValueError:
        return
    assert fen is None or (isinstance(fen, int) and 0 <= fen <= 10_000_000)


@given(st.decimals(min_value=Decimal("0.001"), max_value=100_000, places=3, allow_nan=False))
def test_fractions_of_a_fen_are_refused(amount):
    if amount == amount.quantize(Decimal("0.01")):
        return
    with pytest.raises(ValueError):
        yuan_to_fen(str(amount))


# --- dates ----------------------------------------------------------------------------


@given(text=st.one_of(st.text(max_size=20), st.dates().map(date.isoformat)))
def test_offer_dates_parse_or_say_why(app, text):
    from alliance.commitments.forms import CommitmentForm

    with app.test_request_context():
        form = CommitmentForm(formdata=MultiDict({"valid_from": text}), meta={"csrf": False})
        form.valid_from.validate(form)
        if form.valid_from.errors:
            assert all(str(message) for message in form.valid_from.errors)
        elif text.strip():
            assert form.valid_from.data == date.fromisoformat(text.strip())


# --- registration and the merchant application ----------------------------------------


@FORM_SETTINGS
@given(name=chinese_text)
def test_registration_keeps_any_chinese_name(app, client, world, no_limits, name):
    phone = f"1380013{abs(hash(name)) % 10_000:04d}"
    response = client.post(
        "/register",
        data={
            "display_name": name,
            "phone": phone,
            "community_id": str(world.a.id),
            "password": "Passw0rd!x",
            "confirm": "Passw0rd!x",
        },
    )
    assert response.status_code in (200, 303, 400, 422)
    if response.status_code == 303:
        with app.app_context():
            user = db_user(phone)
            assert user is not None and user.display_name == name.strip()
        client.post("/logout")
    else:
        assert "text/html" in response.content_type
        assert 'class="invalid-feedback' in response.get_data(as_text=True) or (
            "alert" in response.get_data(as_text=True)
        )


def db_user(phone):
    from alliance.extensions import db

    return db.session.scalar(select(User).where(User.phone == phone))


@FORM_SETTINGS
@given(name=chinese_text, address=chinese_text, offer=chinese_text, contact=chinese_text)
def test_merchant_application_keeps_chinese_text(
    app, client, world, make_user, no_limits, name, address, offer, contact
):
    from alliance.extensions import db

    user = make_user(community=world.a)
    login(client, user.username)
    response = client.post(
        "/merchants/apply",
        data={
            "name": name,
            "category": "catering",
            "estate_id": "",
            "address": address,
            "contact_name": contact,
            "contact_phone": "13800138000",
            "offer_text": offer,
        },
    )
    client.post("/logout")
    assert response.status_code in (200, 303, 400, 422)
    with app.app_context():
        saved = db.session.scalar(
            select(MerchantApplication).where(MerchantApplication.applicant_id == user.id)
        )
        if response.status_code == 303:
            assert saved is not None
            assert (saved.name, saved.address) == (name.strip(), address.strip())
            assert saved.offer_text.strip() == offer.strip()
        else:
            assert saved is None  # nothing half-saved
            assert "invalid-feedback" in response.get_data(as_text=True)
