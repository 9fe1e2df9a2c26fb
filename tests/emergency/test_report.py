"""GET /api/v1/emergencies/<id>/report: the figures come from the records, nothing typed."""

from alliance.emergency import hazards, households, services, shelters, supplies
from alliance.emergency.hazard_models import HazardCheck
from alliance.emergency.services import Target
from alliance.extensions import db

FIELDS = {
    "id",
    "drill",
    "turnouts",
    "hazards_checked",
    "hazards_found",
    "hazards_closed",
    "households_visited",
    "people_moved",
    "people_in_shelters",
    "people_returned",
    "good_deeds",
    "supplies_issued",
}


def test_the_report_counts_the_records_of_the_response(world, client):
    secretary = world.users["secretary_a"]
    response = services.start_response(
        Target(community=world.a), kind="flood", level="III", reason="暴雨", drill=True, actor=None
    )
    first = hazards.create_point(
        world.a, hazards.PointInput(kind="slope", name="北坡", grid_id=world.grid.id), actor=None
    )
    hazards.create_point(
        world.a, hazards.PointInput(kind="river", name="南桥", grid_id=world.grid.id), actor=None
    )
    found = hazards.start_round(world.a, name="雨中排查", inspector="", actor=secretary)
    checks = db.session.query(HazardCheck).filter_by(round_id=found.id).all()
    opened = [
        hazards.record_check(
            check, result="found" if check.point_id == first.id else "ok", note="裂缝", actor=None
        )
        for check in checks
    ]
    (notice,) = [n for n in opened if n is not None]
    notice.responsible_id = world.users["volunteer"].id
    notice.rechecker_id = world.users["grid"].id
    hazards.report_fixed(notice, note="已加固", actor=world.users["volunteer"])
    hazards.recheck(notice, passed=True, note="", actor=world.users["grid"])
    household = households.create_household(
        world.a,
        households.HouseholdInput(
            head_name="刘奶奶",
            estate_id=world.estate_a.id,
            categories=("alone",),
            responsible="volunteer",
        ),
        actor=None,
    )
    households.record_visit(household, result="moved", reason="", actor=world.users["volunteer"])
    shelter = shelters.create_shelter(
        world.a, name="小学", place="", capacity=10, contact_phone="", offers="", actor=None
    )
    back = shelters.transfer(
        shelter, people=3, from_place="", household_id=household.id, override=False, actor=None
    )
    shelters.check_in(back, actor=None)
    inside = shelters.transfer(
        shelter, people=2, from_place="", household_id=None, override=False, actor=None
    )
    shelters.check_in(inside, actor=None)
    shelters.record_return(back, actor=None, override_reason="家属接回，社区书记同意")
    store = supplies.create_store(world.a, name="仓库", place="", actor=None)
    bags = supplies.create_item(world.a, kind="sandbag", name="", minimum=0, actor=None)
    supplies.move(store, bags, kind="receive", count=500, actor=None)
    supplies.move(store, bags, kind="issue", count=200, recipient="北坡", actor=None)
    supplies.move(store, bags, kind="return", count=20, actor=None)
    db.session.commit()

    body = client.get(f"/api/v1/emergencies/{response.id}/report").get_json()
    assert set(body) == FIELDS
    assert body == {
        "id": response.id,
        "drill": True,
        "turnouts": 0,
        "hazards_checked": 2,
        "hazards_found": 1,
        "hazards_closed": 1,
        "households_visited": 1,
        "people_moved": 5,
        "people_in_shelters": 2,
        "people_returned": 3,
        "good_deeds": 0,
        "supplies_issued": {"沙袋": 180},
    }
    text = client.get(f"/api/v1/emergencies/{response.id}/report").get_data(as_text=True)
    assert "刘奶奶" not in text
    assert client.get("/api/v1/emergencies/999999/report").status_code == 404


def test_the_report_is_in_the_openapi_document(world, client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/emergencies/{emergency_id}/report"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(spec["components"]["schemas"]["EmergencyReport"]["properties"]) == FIELDS


def test_volumes_in_the_report_are_json_numbers(world, client):
    """2.5 m³ of gravel came out as the string "2.5" though the schema says numbers."""
    response = services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    store = supplies.create_store(world.a, name="料场", place="", actor=None)
    gravel = supplies.create_item(world.a, kind="gravel", name="", minimum=0, actor=None)
    boats = supplies.create_item(world.a, kind="boat", name="", minimum=0, actor=None)
    supplies.move(store, gravel, kind="receive", count="10", actor=None)
    supplies.move(store, boats, kind="receive", count=2, actor=None)
    supplies.move(store, gravel, kind="issue", count="2.5", recipient="河堤", actor=None)
    supplies.move(store, boats, kind="issue", count=1, recipient="一队", actor=None)
    db.session.commit()
    body = client.get(f"/api/v1/emergencies/{response.id}/report").get_json()
    assert body["supplies_issued"] == {"砂石料": 2.5, "冲锋舟": 1}
    assert all(type(n) in (int, float) for n in body["supplies_issued"].values())
    spec = client.get("/api/openapi.json").get_json()
    values = spec["components"]["schemas"]["EmergencyReport"]["properties"]["supplies_issued"]
    assert values["additionalProperties"]["type"] == "number"


def test_a_return_in_a_later_response_lowers_the_response_it_was_issued_in(world, client):
    """100 sandbags issued in A came back during B: B's report said -90 issued."""
    store = supplies.create_store(world.a, name="一号仓库", place="", actor=None)
    bags = supplies.create_item(world.a, kind="sandbag", name="", minimum=0, actor=None)
    supplies.move(store, bags, kind="receive", count=500, actor=None)
    first = services.start_response(
        Target(community=world.a), kind="flood", level="IV", reason="暴雨", drill=False, actor=None
    )
    supplies.move(store, bags, kind="issue", count=100, recipient="河堤", actor=None)
    db.session.commit()
    services.end_response(first, summary="雨停", actor=None)
    db.session.commit()
    second = services.start_response(
        Target(community=world.a),
        kind="flood",
        level="III",
        reason="再降暴雨",
        drill=False,
        actor=None,
    )
    supplies.move(store, bags, kind="issue", count=30, recipient="一队", actor=None)
    db.session.commit()
    # 120 come back during B: B's own 30 (the latest issue) first, then 90 of A's 100.
    supplies.move(store, bags, kind="return", count=120, actor=world.users["grid"])
    db.session.commit()
    report = lambda r: client.get(f"/api/v1/emergencies/{r.id}/report").get_json()  # noqa: E731
    assert report(second)["supplies_issued"] == {"沙袋": 0}
    assert report(first)["supplies_issued"] == {"沙袋": 10}
    assert supplies.total_of(bags) == 490
    # The last 10 come back after both responses ended: still A's.
    services.end_response(second, summary="解除", actor=None)
    supplies.move(store, bags, kind="return", count=10, actor=None)
    db.session.commit()
    assert report(first)["supplies_issued"] == {"沙袋": 0}
    assert report(second)["supplies_issued"] == {"沙袋": 0}
