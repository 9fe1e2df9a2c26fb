from alliance.accounts.personal_data import close_account, export_personal_data
from alliance.committee.services import meetings, members
from alliance.extensions import db
from tests.committee.factories import hold, make_committee
from tests.conftest import PASSWORD


def test_the_data_download_has_the_posts_and_closing_leaves_the_committee(world, make_user):
    c = make_committee(world, make_user, liaisons=2)
    meeting = hold(world)
    row = next(a for a in meetings.attendance_of(meeting) if a.user_id == c.officers[0].id)
    meetings.tick(meeting, row, "excused", "住院")
    db.session.commit()
    section = export_personal_data(c.officers[0])["committee"]
    assert section["posts"][0]["role"] == "liaison" and section["posts"][0]["current"]
    assert section["attendance"] == [
        {"meeting_date": "2026-06-10", "status": "excused", "sign_in": "", "remark": "住院"}
    ]
    close_account(c.officers[0], PASSWORD)
    db.session.commit()
    assert members.liaison_of(c.shops[0].id) is None
    row = next(a for a in meetings.attendance_of(meeting) if a.user_id == c.officers[0].id)
    assert row.status == "excused" and row.remark == ""
