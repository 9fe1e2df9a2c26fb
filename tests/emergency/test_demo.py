"""The demo's emergency organisation: what the issue asks for, nothing running, idempotent."""

from sqlalchemy import func, select

from alliance.emergency import duty, mobilisation
from alliance.emergency.alert_models import AlertAck, EmergencyAlert
from alliance.emergency.models import (
    CallUp,
    EmergencyPost,
    EmergencyResponse,
    PartyMembership,
    TaskForce,
)
from alliance.extensions import db
from alliance.notifications.models import Broadcast, OutboxMessage
from tests.conftest import login


def test_demo_emergency_organisation(demo_seeded, runner, client):
    # The demo, then the command again: seeding twice changes nothing.
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PartyMembership.id))) == 40
    assert sorted(db.session.scalars(select(TaskForce.kind))) == ["commando", "volunteer"]
    kinds = db.session.execute(
        select(EmergencyPost.kind, func.count()).group_by(EmergencyPost.kind)
    ).all()
    assert dict(kinds) == {"zone": 4, "post": 2}
    response = db.session.scalars(select(EmergencyResponse)).one()
    assert (response.level, response.started_at.month, response.running) == ("IV", 7, False)
    assert (
        db.session.scalar(
            select(func.count(EmergencyResponse.id)).where(
                EmergencyResponse.running_key.is_not(None)
            )
        )
        == 0
    )
    assert db.session.scalar(select(func.count(CallUp.id))) == 2
    assert mobilisation.turnouts([response.id])[response.id] == 34
    alert = db.session.scalars(select(EmergencyAlert)).one()
    assert alert.relayed and alert.references.startswith("qxt@example.gov.cn,")
    assert db.session.scalar(select(func.count(AlertAck.id))) == 120
    # Nothing was sent by seeding: no warning broadcast, no emergency SMS.
    assert db.session.scalar(select(func.count(Broadcast.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind.like("emergency.%"))
        )
        == 0
    )
    community_id = response.community_id
    shifts = duty.shifts_between(
        community_id, response.started_at.replace(year=2000), response.started_at.replace(year=2100)
    )
    assert len(shifts) == 14 and len(duty.without_leader(shifts)) == 1
    login(client, "secretary", "DemoPass123")
    page = client.get("/emergency/").get_data(as_text=True)
    assert "现在没有应急响应，处于平时状态。" in page and "出动 34 人次" in page
    assert "应急名册（" in page and "emergency-banner" not in page
