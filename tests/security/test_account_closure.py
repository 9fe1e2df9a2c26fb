"""Account closure (issue 12, item 1; PIPL art. 47): every table with a personal column is
exported in /me/data and erased on /me/close; the card stops working; figures stay."""

import json
import re

from sqlalchemy import func, select

from alliance.accounts.models import User
from alliance.accounts.personal_data import CLOSED_DISPLAY_NAME
from alliance.cards import services as cards
from alliance.cards.models import Card, Redemption
from alliance.counter import redemptions
from alliance.counter.services import verify
from alliance.extensions import db
from alliance.notifications.services import notify
from alliance.personal import personal_columns
from alliance.volunteers.models import VolunteerApplication
from tests.conftest import PASSWORD
from tests.help_requests.factories import post_need
from tests.merchants.test_applications import application_form
from tests.volunteers.test_volunteers import form as volunteer_form

LOOKS_PERSONAL = re.compile(r"phone|contact|address|building|email|skills|availability")


def _emergency_footprint(world, user):
    """Party identity, a place in a task force and an answer to a call-up (not coming: why)."""
    from alliance.emergency import mobilisation, roster, services

    roster.declare_membership(user, status="member", branch="甲社区党支部", show_on_card=True)
    team = mobilisation.create_task_force(
        world.a, name="突击队", kind="commando", leader=user.username, members=[], actor=None
    )
    services.start_response(
        services.Target(community=world.a),
        kind="flood",
        level="IV",
        reason="暴雨",
        drill=False,
        actor=None,
    )
    call = mobilisation.call_up(
        team, assembly_point="广场", task="", actor=world.users["secretary_a"]
    )
    mobilisation.answer(call, user, coming=False, reason="腿受伤了")
    from alliance.emergency import households

    registered = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="独居的张奶奶",
            estate_id=world.estate_a.id,
            categories=("alone",),
            building="3",
            unit_no="1",
            room="402",
            contact_phone="13900000010",
            needs=("oxygen",),
            responsible="grid",
        ),
        actor=None,
    )
    registered.resident_id = user.id


def _footprint(world, as_user, setup):
    """The resident applies to volunteer (approved: profile and card), to join as a member,
    posts a need with contact and address, gets a notification and uses the card once."""
    resident = as_user("resident")
    assert resident.post("/volunteers/apply", data=volunteer_form(world)).status_code == 303
    application = db.session.scalars(select(VolunteerApplication)).one()
    secretary = as_user("secretary_a")
    assert secretary.post(f"/volunteers/applications/{application.id}/approve").status_code == 303
    resident = as_user("resident")
    assert resident.post("/merchants/apply", data=application_form(world)).status_code == 303
    post_need(world, "resident", description="我家老人腿脚不便，电话13900000009")
    user = world.users["resident"]
    user.phone = "13912345678"  # so the urgent notice also goes by SMS (the outbox row)
    notify([user], "text", {"title": "您的申请已通过", "body": "王*明您好"}, urgent=True)
    _emergency_footprint(world, user)
    card = cards.current_card(user.id, "volunteer")
    from tests.commitments.factories import create_commitment

    offer = create_commitment(setup.firm, title="报税咨询9折", rate=90).offer
    db.session.commit()
    redemptions.redeem(
        merchant=setup.firm,
        staff=world.users["merchant"],
        raw_code=card.code,
        offer_id=offer.id,
        bill_fen=10000,
        idempotency_key="closure-1",
    )
    db.session.commit()
    return user, card.code


def _owned_rows(table, owner, user_id):
    return db.session.execute(select(table).where(table.c[owner] == user_id)).mappings().all()


def test_every_personal_table_is_exported_and_erased(world, as_user, setup, client):
    user, code = _footprint(world, as_user, setup)
    declared = personal_columns(db.metadata)
    known = {"users", "volunteer_profiles", "volunteer_applications", "help_requests"}
    assert known <= {t.name for t in declared}
    covered = {t.name for t, cols in declared.items() if _owned_rows(t, cols[0][1], user.id)}
    assert covered == {t.name for t in declared}, "the footprint must reach every personal table"

    client = as_user("resident")
    data = json.loads(client.get("/me/data").get_data(as_text=True))
    for table, cols in declared.items():
        for _column, _owner, section in cols:
            assert data.get(section), f"{table.name}: section {section!r} missing from /me/data"
    text = json.dumps(data, ensure_ascii=False)
    assert "13900000009" in text and "13855556666" in text and "水电维修" in text

    response = client.post("/me/close", data={"password": PASSWORD, "understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    for table, cols in declared.items():
        for row in _owned_rows(table, cols[0][1], user.id):
            for column, _owner, _section in cols:
                value = row[column.name]
                if table.name == "users":
                    assert value in (None, CLOSED_DISPLAY_NAME) or value.startswith("closed-")
                else:
                    assert value in (None, ""), f"{table.name}.{column.name} kept {value!r}"


def test_the_closed_persons_card_stops_and_the_figures_stay(world, as_user, setup, client):
    user, code = _footprint(world, as_user, setup)
    assert verify(code).valid
    as_user("resident").post("/me/close", data={"password": PASSWORD, "understood": "y"})
    db.session.expire_all()
    assert not verify(code).valid
    assert db.session.scalar(select(func.count(Redemption.id))) == 1
    card = db.session.scalars(select(Card).where(Card.holder_id == user.id)).one()
    assert card.status == "revoked"
    closed = db.session.get(User, user.id)
    assert closed.display_name == CLOSED_DISPLAY_NAME and closed.phone is None


def test_every_column_that_looks_personal_says_what_it_is():
    undecided = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if LOOKS_PERSONAL.search(column.name) and "personal" not in column.info
    ]
    assert not undecided, f"declare personal(...) or not_personal(why): {undecided}"
