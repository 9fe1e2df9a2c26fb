"""The audit log reads as sentences in local time, with filters and the raw change a tap away."""

import re

from alliance.audit.services import acting_as
from alliance.extensions import db
from alliance.volunteers import services as volunteers
from alliance.volunteers.models import VolunteerApplication


def _apply(world, name="陈阿姨"):
    application = VolunteerApplication(
        community_id=world.a.id,
        user_id=world.users["resident"].id,
        name=name,
        phone="13900002222",
        estate_id=world.estate_a.id,
        building="1号楼",
    )
    db.session.add(application)
    db.session.commit()
    return application


def _sentences(html):
    return re.findall(r'class="mb-1 fs-5 audit-sentence">([^<]*)<', html)


def test_an_approval_reads_as_a_sentence_with_the_raw_change_behind_it(app, as_user, world):
    application = _apply(world)
    secretary = world.users["secretary_a"]
    with app.test_request_context(), acting_as(secretary):
        volunteers.approve(db.session.get(VolunteerApplication, application.id), secretary)
        db.session.commit()
    html = as_user("secretary_a").get(f"/communities/{world.a.id}/audit").get_data(as_text=True)
    name = secretary.display_name
    assert f"{name} 批准了 志愿者申请 #{application.id}（陈阿姨）" in _sentences(html)
    assert "查看具体改动" in html and "approved" in html  # the raw change, one tap away


def test_filters_by_person_kind_and_date(app, as_user, world, make_user):
    first = _apply(world, "甲")
    second = _apply(world, "乙")
    secretary = world.users["secretary_a"]
    with app.test_request_context(), acting_as(secretary):
        volunteers.approve(db.session.get(VolunteerApplication, first.id), secretary)
        volunteers.reject(db.session.get(VolunteerApplication, second.id), secretary, "名额已满")
        db.session.commit()
    client = as_user("secretary_a")
    base = f"/communities/{world.a.id}/audit"
    everything = _sentences(client.get(base).get_data(as_text=True))
    assert any("驳回了 志愿者申请" in s for s in everything)
    only_profiles = _sentences(client.get(f"{base}?kind=VolunteerProfile").get_data(as_text=True))
    assert only_profiles and all("志愿者 #" in s for s in only_profiles)
    someone_else = _sentences(client.get(f"{base}?actor=999999").get_data(as_text=True))
    assert someone_else == []
    future = _sentences(client.get(f"{base}?since=2099-01-01").get_data(as_text=True))
    assert future == []
    today = client.get(f"{base}?since=2000-01-01&until=2099-12-31&actor={secretary.id}")
    assert len(_sentences(today.get_data(as_text=True))) == len(everything)
    bad = client.get(f"{base}?since=yesterday")
    assert bad.status_code == 200
    assert "日期格式应为" in bad.get_data(as_text=True)


def test_every_kind_of_record_reads_in_words(app):
    """The log names every kind of record it can hold in words (值班安排, not DutyAssignment),
    in the sentences and in the kind filter."""
    from alliance.audit.models import AuditEntry
    from alliance.audit.sentences import KINDS

    with app.app_context():
        audited = {
            m.class_.__name__
            for m in db.Model.registry.mappers
            if m.class_ is not AuditEntry and not getattr(m.class_, "__audit_skip__", False)
        }
    assert sorted(audited - set(KINDS)) == []


def test_a_voided_redemption_reads_as_voided(app, as_user, world):
    from alliance.audit.models import AuditEntry

    db.session.add(
        AuditEntry(
            actor_id=world.users["merchant"].id,
            community_id=world.a.id,
            action="void",
            object_type="Redemption",
            object_id=7,
            before={"voided_at": None},
            after={"void_reason": "金额输错"},
        )
    )
    db.session.commit()
    html = as_user("secretary_a").get(f"/communities/{world.a.id}/audit").get_data(as_text=True)
    assert f"{world.users['merchant'].display_name} 作废了 核销记录 #7" in _sentences(html)
