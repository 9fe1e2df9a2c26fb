"""Forgot password: a code by SMS to the phone on the account, limited per phone and address."""

import re

from sqlalchemy import select

from alliance.notifications.models import OutboxMessage
from tests.conftest import login


def _codes(db, phone):
    rows = db.session.scalars(
        select(OutboxMessage.text)
        .where(OutboxMessage.address == phone, OutboxMessage.kind == "account.reset_code")
        .order_by(OutboxMessage.id)
    ).all()
    return [re.search(r"\d{6}", text).group() for text in rows]


def test_a_resident_resets_the_password_with_an_sms_code(app, client, world, make_user, db):
    make_user("forgetful", community=world.a, phone="13812340000")
    assert "忘记密码" in client.get("/login").get_data(as_text=True)
    asked = client.post("/password/forgot", data={"phone": "138 1234 0000"})
    assert asked.status_code == 303
    codes = _codes(db, "13812340000")
    assert len(codes) == 1
    form = {"phone": "13812340000", "password": "NewSecret99", "confirm": "NewSecret99"}
    wrong = client.post(
        "/password/sms-reset", data={**form, "code": "000000" if codes[0] != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and "验证码不对或已过期" in wrong.get_data(as_text=True)
    done = client.post("/password/sms-reset", data={**form, "code": codes[0]})
    assert done.status_code == 303
    assert login(client, "forgetful", "NewSecret99").status_code == 303
    # Used once.
    again = client.post("/password/sms-reset", data={**form, "code": codes[0]})
    assert again.status_code == 422


def test_unknown_phones_get_the_same_answer_and_codes_are_rationed(client, world, make_user, db):
    make_user("often", community=world.a, phone="13812341111")
    unknown = client.post("/password/forgot", data={"phone": "13999990000"})
    assert unknown.status_code == 303
    assert db.session.scalar(select(OutboxMessage.id).limit(1)) is None
    client.post("/password/forgot", data={"phone": "13812341111"})
    client.post("/password/forgot", data={"phone": "13812341111"})  # within the minute
    assert len(_codes(db, "13812341111")) == 1


def test_asking_is_limited_per_address(app, client, world):
    app.config["SMS_RESET_RATE_LIMIT"] = "2/hour"
    statuses = [
        client.post("/password/forgot", data={"phone": f"1380000000{k}"}).status_code
        for k in range(3)
    ]
    assert statuses == [303, 303, 429]
