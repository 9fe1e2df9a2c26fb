"""Warnings: CAP 1.2 import and its refusals, the written warning and its second person, the
relay through the broadcast, CAP/JSON/Atom out, acknowledgements; drills say 演练."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, insert, select

from alliance.accounts.models import User
from alliance.clock import LOCAL_TZ
from alliance.emergency import alerts, cap, services
from alliance.emergency.alert_models import AlertAck, EmergencyAlert
from alliance.emergency.services import EmergencyError, Target
from alliance.extensions import db
from alliance.help_requests.models import HelpRequest
from alliance.notifications.models import Broadcast, Notification, OutboxMessage

NS = "urn:oasis:names:tc:emergency:cap:1.2"


def cap_doc(
    *,
    ns=NS,
    status="Actual",
    area="坞城街道甲社区",
    expires=None,
    info=True,
    identifier="CN-METEO-20260712-001",
    doctype="",
):
    expires = expires or (datetime.now(UTC) + timedelta(hours=6))
    exp = expires.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()
    body = (
        f"""
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>{exp}</expires>
    <senderName>区气象台</senderName>
    <headline>区气象台发布暴雨橙色预警</headline>
    <description>预计未来3小时降雨量将达50毫米以上。</description>
    <instruction>低洼地带居民注意转移，地下车库及时撤离车辆。</instruction>
    <area><areaDesc>{area}</areaDesc></area>
  </info>"""
        if info
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<alert xmlns="{ns}">
  <identifier>{identifier}</identifier>
  <sender>qxt@example.gov.cn</sender>
  <sent>2026-07-12T08:00:00+08:00</sent>
  <status>{status}</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>{body}
</alert>""".encode()


def _import(world, data, runner, tmp_path):
    path = tmp_path / "alert.xml"
    path.write_bytes(data)
    return runner.invoke(args=["alerts", "import", str(path), "--community", "AAA"])


def test_cli_import_relays_to_everyone_of_the_community(world, runner, tmp_path):
    world.users["resident"].phone = "13800001111"
    db.session.commit()
    result = _import(world, cap_doc(), runner, tmp_path)
    assert result.exit_code == 0, result.output
    alert = db.session.scalars(select(EmergencyAlert)).one()
    assert (alert.relayed, alert.drill, alert.imported_identifier) == (
        True,
        False,
        "CN-METEO-20260712-001",
    )
    broadcast = db.session.get(Broadcast, alert.broadcast_id)
    assert (broadcast.audience, broadcast.emergency, broadcast.sms) == ("all", True, True)
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "broadcast.emergency")
        )
    )
    community_a = set(db.session.scalars(select(User.id).where(User.community_id == world.a.id)))
    assert told == community_a
    sms = db.session.scalars(select(OutboxMessage.text)).all()
    assert sms and "区气象台发布暴雨橙色预警" in sms[0] and "/emergency/alerts/" in sms[0]
    assert "演练" not in sms[0]


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        (cap_doc(ns="urn:oasis:names:tc:emergency:cap:1.1"), "这不是 CAP 1.2 预警文件"),
        (cap_doc(info=False), "CAP 文件没有 info"),
        (cap_doc(expires=datetime.now(UTC) - timedelta(minutes=1)), "这份预警已经过期"),
        (cap_doc(area="南苑街道乙某社区"), "这份预警的区域不包括甲社区"),
        (cap_doc(status="Test"), "不是正式预警或演练"),
        (b"<alert>", "这不是一个 XML 文件"),
        (
            cap_doc(doctype='<!DOCTYPE alert [<!ENTITY x "boom">]>'),
            "不允许的 XML 声明",
        ),
        (cap_doc().replace(b"<urgency>Immediate</urgency>", b"<urgency>Now</urgency>"), "urgency"),
        (cap_doc().replace(b"<event>\xe6\x9a\xb4\xe9\x9b\xa8</event>", b""), "info/event"),
        (cap_doc().replace(b"2026-07-12T08:00:00+08:00", b"2026-07-12 08:00"), "时间格式"),
    ],
)
def test_bad_cap_files_are_refused_with_the_reason_and_nothing_is_relayed(
    world, runner, tmp_path, doc, reason
):
    result = _import(world, doc, runner, tmp_path)
    assert result.exit_code != 0
    assert reason in result.output
    assert db.session.scalar(select(func.count(Broadcast.id))) == 0
    assert db.session.scalar(select(func.count(EmergencyAlert.id))) == 0


def test_an_exercise_is_relayed_as_a_drill_and_published_as_exercise(
    world, runner, tmp_path, client
):
    assert _import(world, cap_doc(status="Exercise"), runner, tmp_path).exit_code == 0
    alert = db.session.scalars(select(EmergencyAlert)).one()
    assert alert.drill
    sms = db.session.scalars(select(OutboxMessage.text)).all()
    assert all("【演练】" in t for t in sms)
    notes = db.session.scalars(select(Notification)).all()
    assert all(n.params["title"].startswith("【演练】") for n in notes)
    r = client.get(f"/api/v1/alerts/{alert.id}.cap")
    assert r.status_code == 200 and r.mimetype == "application/cap+xml"
    parsed = cap.parse_alert(r.data)
    assert parsed.status == "Exercise"
    root = ET.fromstring(r.data)
    refs = root.find(f"{{{NS}}}references").text
    assert refs == "qxt@example.gov.cn,CN-METEO-20260712-001,2026-07-12T08:00:00+08:00"
    # Importing the same official alert again is refused.
    result = _import(world, cap_doc(status="Exercise"), runner, tmp_path)
    assert result.exit_code != 0 and "已经导入过了" in result.output


def test_public_json_cap_and_atom(world, runner, tmp_path, client):
    _import(world, cap_doc(), runner, tmp_path)
    alert = db.session.scalars(select(EmergencyAlert)).one()
    body = client.get("/api/v1/alerts").get_json()
    item = body["items"][0]
    assert set(item) == {"id", "identifier", "headline", "severity", "sent", "expires", "cap_url"}
    assert item["identifier"] == f"gongfu-alliance.AAA.{alert.id}"
    assert item["cap_url"].endswith(f"/api/v1/alerts/{alert.id}.cap")
    assert item["sent"].endswith("+08:00") and item["severity"] == "Severe"
    doc = client.get(f"/api/v1/alerts/{alert.id}.cap")
    parsed = cap.parse_alert(doc.data)  # our own structural CAP 1.2 check passes
    assert parsed.identifier == item["identifier"]
    assert parsed.infos[0].headline == "区气象台发布暴雨橙色预警"
    atom = client.get("/api/v1/alerts.atom")
    assert atom.mimetype == "application/atom+xml"
    feed = ET.fromstring(atom.data)
    links = [
        link.get("href")
        for link in feed.iter("{http://www.w3.org/2005/Atom}link")
        if link.get("type") == "application/cap+xml"
    ]
    assert links == [item["cap_url"]]
    assert client.get("/api/v1/alerts/999.cap").status_code == 404


def _written(world, **kw):
    data = dict(
        event="内涝",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        headline="甲一小区地下车库可能进水",
        description="今晚有大到暴雨。",
        instruction="请今晚8点前将车辆移出地下车库。",
        estate_ids=(world.estate_a.id,),
        grid_ids=(),
        expires_at=datetime.now(UTC) + timedelta(hours=12),
        drill=False,
    )
    data.update(kw)
    return alerts.write_alert(world.a, alerts.AlertInput(**data), actor=world.users["secretary_a"])


def test_a_written_warning_needs_a_second_person(world, as_user, make_user):
    alert = _written(world)
    db.session.commit()
    assert not alert.relayed
    assert db.session.scalar(select(func.count(Broadcast.id))) == 0
    # The author cannot approve their own warning.
    r = as_user("secretary_a").post(f"/emergency/alerts/{alert.id}/approve")
    assert r.status_code == 403 and "第二个人" in r.get_data(as_text=True)
    # Residents do not see it before it is relayed.
    assert as_user("resident").get(f"/emergency/alerts/{alert.id}").status_code == 404
    r = as_user("street").post(f"/emergency/alerts/{alert.id}/approve")
    assert r.status_code == 303
    db.session.expire_all()
    alert = db.session.get(EmergencyAlert, alert.id)
    assert alert.relayed and alert.approved_by_id == world.users["street"].id
    assert as_user("resident").get(f"/emergency/alerts/{alert.id}").status_code == 200
    r = as_user("street").post(f"/emergency/alerts/{alert.id}/approve")
    assert r.status_code == 409


def test_during_a_drill_a_warning_cannot_go_out_as_real(world):
    services.start_response(
        Target(community=world.a),
        kind="flood",
        level="IV",
        reason="防汛演练",
        drill=True,
        actor=world.users["secretary_a"],
    )
    with pytest.raises(EmergencyError) as exc:
        _written(world)
    assert exc.value.code == "drill_as_real" and "演练" in str(exc.value.message)
    drill = _written(world, drill=True)
    alerts.approve(drill, actor=world.users["street"])
    db.session.commit()
    assert db.session.get(Broadcast, drill.broadcast_id).title.startswith("【演练】")


def test_written_warning_bad_input(world, as_user):
    client = as_user("secretary_a")
    r = client.post(
        "/emergency/alerts",
        data={
            "event": "内涝",
            "urgency": "Expected",
            "severity": "Moderate",
            "certainty": "Likely",
            "headline": "标题",
            "estate_ids": [str(world.estate_b.id)],
            "expires_at": "2030-01-01T08:00",
        },
    )
    assert r.status_code == 422 and "请选择本社区的小区和网格。" in r.get_data(as_text=True)
    r = client.post(
        "/emergency/alerts",
        data={
            "event": "内涝",
            "urgency": "Now",
            "severity": "Moderate",
            "certainty": "Likely",
            "headline": "标题",
            "estate_ids": [str(world.estate_a.id)],
            "expires_at": "2020-01-01T08:00",
        },
    )
    assert r.status_code == 422
    assert db.session.scalar(select(func.count(EmergencyAlert.id))) == 0


def test_upload_form_imports_or_refuses(world, as_user):
    import io

    client = as_user("secretary_a")
    r = client.post(
        "/emergency/alerts/import",
        data={"file": (io.BytesIO(cap_doc(area="别处")), "alert.xml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "这份预警的区域不包括甲社区" in r.get_data(as_text=True)
    r = client.post(
        "/emergency/alerts/import",
        data={"file": (io.BytesIO(cap_doc()), "alert.xml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303


def test_acknowledgements_and_need_help_creates_an_urgent_order(world, as_user, runner, tmp_path):
    services.start_response(
        Target(community=world.a),
        kind="flood",
        level="III",
        reason="暴雨",
        drill=False,
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    _import(world, cap_doc(), runner, tmp_path)
    alert = db.session.scalars(select(EmergencyAlert)).one()
    # The resident sees it on /emergency/ and answers.
    page = as_user("resident").get("/emergency/").get_data(as_text=True)
    assert "区气象台发布暴雨橙色预警" in page
    r = as_user("resident").post(f"/emergency/alerts/{alert.id}/ack", data={"answer": "safe"})
    assert r.status_code == 303
    r = as_user("volunteer").post(f"/emergency/alerts/{alert.id}/ack", data={"answer": "help"})
    assert r.status_code == 303
    order = db.session.scalars(select(HelpRequest)).one()
    assert order.category.code == "emergency" and order.urgency == "emergency"
    assert order.due_at - order.submitted_at == timedelta(hours=1)
    # Tapping again changes the answer, never a second order.
    as_user("volunteer").post(f"/emergency/alerts/{alert.id}/ack", data={"answer": "help"})
    assert db.session.scalar(select(func.count(HelpRequest.id))) == 1
    assert db.session.scalar(select(func.count(AlertAck.id))) == 2
    # Another community's resident: 404; a bad answer: refused.
    assert (
        as_user("resident_b")
        .post(f"/emergency/alerts/{alert.id}/ack", data={"answer": "safe"})
        .status_code
        == 404
    )
    console = as_user("secretary_a").get("/emergency/").get_data(as_text=True)
    assert "生效中的预警" in console and f'href="/emergency/alerts/{alert.id}"' in console
    page = as_user("grid").get(f"/emergency/alerts/{alert.id}").get_data(as_text=True)
    assert "回执情况" in page and "喇叭广播稿" in page
    summary = alerts.ack_summary(alert)
    total = sum(r.recipients for r in summary)
    assert total == db.session.scalar(
        select(func.count(User.id)).where(User.community_id == world.a.id)
    )
    assert sum(r.safe for r in summary) == 1 and sum(r.help for r in summary) == 1
    assert sum(r.not_yet for r in summary) == total - 2
    data = as_user("resident").get("/me/data").get_json()
    assert data["emergency"]["warning_answers"][0]["answer"] == "safe"


def test_relaying_to_12000_recipients_costs_the_same_statements_as_to_one(world, count_statements):
    """The relay queues one broadcast whatever the community's size (its speed: make bench)."""
    with count_statements() as few:
        alerts.import_cap(world.a, cap_doc(identifier="CN-METEO-SMALL"), actor=None)
        db.session.flush()
    db.session.rollback()
    now = datetime.now(UTC)
    db.session.execute(
        insert(User),
        [
            dict(
                username=f"bulk{i}",
                display_name=f"居民{i}",
                password_hash="x",
                login_token=f"tok-{i}",
                community_id=world.a.id,
                phone=f"138{i:08d}",
                active=True,
                created_at=now,
            )
            for i in range(12_000)
        ],
    )
    db.session.commit()
    with count_statements() as many:
        alert = alerts.import_cap(world.a, cap_doc(), actor=None)
        db.session.flush()
    assert len(many.statements) == len(few.statements)
    # The request wrote one broadcast and nothing per recipient: the worker fans it out.
    assert db.session.get(Broadcast, alert.broadcast_id).recipients >= 12_000
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    db.session.rollback()


def test_latest_warning_is_the_own_communitys_newest_relayed_one(world, as_user):
    """/emergency/alerts/latest is what the service worker keeps for a phone without signal."""
    assert "目前没有社区发布的预警" in as_user("resident").get("/emergency/alerts/latest").text
    older = alerts.import_cap(world.a, cap_doc(status="Exercise"), actor=None)
    older.sent_at = datetime.now(UTC) - timedelta(days=1)
    newer = _written(world, headline="甲一小区今晚停车场封闭")
    alerts.approve(newer, actor=world.users["street"])
    _written(world, headline="尚未审核的预警不算")
    db.session.commit()
    page = as_user("resident").get("/emergency/alerts/latest").text
    assert "甲一小区今晚停车场封闭" in page and "区气象台" not in page
    # Another community's resident does not see A's warning.
    other = as_user("resident_b").get("/emergency/alerts/latest").text
    assert "目前没有社区发布的预警" in other and "停车场" not in other
