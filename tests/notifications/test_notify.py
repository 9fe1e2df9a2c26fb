"""notify(): kinds and parameters, rendered in the reader's language; channels per preference."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from alliance.extensions import db
from alliance.notifications import services
from alliance.notifications.models import Notification, OutboxMessage
from tests.conftest import login


def _only(user_id):
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)).one()


def test_a_notification_reads_in_the_readers_language(world):
    resident = world.users["resident"]
    services.notify([resident.id], "card.issued", {"number": "YSMZ-000123"}, link="/me/card")
    db.session.commit()
    note = _only(resident.id)
    assert note.kind == "card.issued" and note.params == {"number": "YSMZ-000123"}
    with force_locale("zh_CN"):
        assert note.title == "您的联盟卡已发放，卡号 YSMZ-000123"
    with force_locale("en"):
        assert note.title == "Your alliance card has been issued: number YSMZ-000123"
        assert note.body == "Open “My card” to show it."


def test_the_inbox_page_follows_the_readers_language(client, world):
    resident = world.users["resident"]
    services.notify([resident.id], "points.awarded", {"points": 30, "reason": "助老活动"})
    db.session.commit()
    login(client, "resident")
    assert "您获得 30 积分：助老活动" in client.get("/inbox/").get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    page = client.get("/inbox/").get_data(as_text=True)
    assert "You earned 30 points: 助老活动" in page


def test_codes_in_parameters_are_translated_when_read(world):
    resident = world.users["resident"]
    services.notify([resident.id], "order.step", {"title": "修水管", "action": "start"})
    db.session.commit()
    note = _only(resident.id)
    with force_locale("zh_CN"):
        assert note.title == "工单“修水管”：开始办理"
    with force_locale("en"):
        assert note.title.startswith("Order “修水管”: ") and "开始" not in note.title


def test_unknown_kind_is_refused_and_nobody_is_told_twice(world):
    resident = world.users["resident"]
    with pytest.raises(services.UnknownKind):
        services.notify([resident.id], "no.such.kind", {})
    told = services.notify(
        [resident.id, resident, None, world.users["secretary_a"]],
        "card.issued",
        {"number": "1"},
        skip=world.users["secretary_a"],
    )
    db.session.commit()
    assert told == 1 and _only(resident.id)


def test_urgent_kinds_go_by_sms_by_default_others_only_to_the_inbox(world, db):
    resident = world.users["resident"]
    resident.phone = "13800138000"
    db.session.commit()
    services.notify([resident.id], "card.issued", {"number": "A-1"})
    services.notify([resident.id], "card.lost", {"number": "A-1"}, community_id=world.a.id)
    db.session.commit()
    sms = db.session.scalars(select(OutboxMessage)).all()
    assert [m.kind for m in sms] == ["card.lost"]
    assert sms[0].state == "sent" and sms[0].address == "13800138000"
    assert sms[0].text == "【甲社区】您的联盟卡 A-1 已挂失停用：如非本人操作，请联系社区。"


def test_urgent_flag_sends_one_message_by_sms(world, db):
    resident = world.users["resident"]
    resident.phone = "13800138000"
    db.session.commit()
    services.notify([resident.id], "points.awarded", {"points": 5, "reason": "x"}, urgent=True)
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["points.awarded"]


def test_sms_is_written_in_the_recipients_language(world, db):
    resident = world.users["resident"]
    resident.phone, resident.locale = "13800138000", "en"
    db.session.commit()
    services.notify([resident.id], "card.lost", {"number": "A-1"}, community_id=world.a.id)
    db.session.commit()
    text = db.session.scalars(select(OutboxMessage.text)).one()
    assert text.startswith("【甲社区】Your alliance card A-1 was reported lost")


def test_preferences_turn_channels_on_and_off_per_kind(world, db):
    resident = world.users["resident"]
    resident.phone = "13800138000"
    db.session.commit()
    services.set_preferences(
        resident.id, {"card.lost": (False, False), "card.issued": (True, True)}
    )
    db.session.commit()
    services.notify([resident.id], "card.lost", {"number": "A-1"})
    services.notify([resident.id], "card.issued", {"number": "A-2"})
    db.session.commit()
    assert db.session.scalars(select(Notification.kind)).all() == ["card.issued"]
    assert db.session.scalars(select(OutboxMessage.kind)).all() == ["card.issued"]


def test_no_mobile_number_means_inbox_only(world, db):
    resident = world.users["resident"]
    resident.phone = None
    db.session.commit()
    services.notify([resident.id], "card.lost", {"number": "A-1"})
    db.session.commit()
    assert _only(resident.id).kind == "card.lost"
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_rows_stored_before_kinds_show_their_words(world, db):
    resident = world.users["resident"]
    db.session.add(
        Notification(
            user_id=resident.id,
            kind="text",
            params={"title": "工单「修水管」：派单", "body": "请尽快"},
        )
    )
    db.session.commit()
    note = _only(resident.id)
    with force_locale("en"):
        assert (note.title, note.body) == ("工单「修水管」：派单", "请尽快")
