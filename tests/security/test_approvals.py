"""Concurrent approval of one application answers 409, never 500 (issue 12, item 15)."""

from sqlalchemy import func, select

from alliance.merchants.models import Merchant, MerchantApplication
from alliance.volunteers.models import VolunteerApplication, VolunteerProfile
from tests.merchants.test_applications import agreement_form, application_form
from tests.security.test_races import _race
from tests.volunteers.test_volunteers import form as volunteer_form


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_racing_volunteer_approvals_approve_once(app, as_user, world, db):
    assert as_user("resident").post("/volunteers/apply", data=volunteer_form(world)).status_code
    application_id = db.session.scalars(select(VolunteerApplication.id)).one()
    statuses = _race(
        app,
        "secretary_a",
        8,
        lambda c, _i: c.post(f"/volunteers/applications/{application_id}/approve"),
    )
    assert sorted(set(statuses)) == [303, 409], statuses
    assert statuses.count(303) == 1
    assert _count(db, VolunteerProfile) == 1


def test_racing_member_approvals_admit_once(app, as_user, world, db):
    as_user("resident").post("/merchants/apply", data=application_form(world))
    application_id = db.session.scalars(select(MerchantApplication.id)).one()
    statuses = _race(
        app,
        "secretary_a",
        8,
        lambda c, _i: c.post(f"/merchants/review/{application_id}/approve", data=agreement_form()),
    )
    assert 500 not in statuses and statuses.count(303) == 1, statuses
    assert set(statuses) <= {303, 404, 409}
    assert _count(db, Merchant) == 1


def test_a_second_decision_answers_409_with_the_reason(as_user, world, db):
    as_user("resident").post("/volunteers/apply", data=volunteer_form(world))
    application_id = db.session.scalars(select(VolunteerApplication.id)).one()
    client = as_user("secretary_a")
    assert client.post(f"/volunteers/applications/{application_id}/approve").status_code == 303
    again = client.post(f"/volunteers/applications/{application_id}/approve")
    assert again.status_code == 409 and "已经审核过了" in again.get_data(as_text=True)
