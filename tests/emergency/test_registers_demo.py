"""The demo's flood-season registers: what the issue lists, idempotent, reported up."""

from sqlalchemy import func, select

from alliance.communities.models import Estate
from alliance.emergency.hazard_models import HazardCheck, HazardPoint, RectificationNotice
from alliance.emergency.household_models import Household
from alliance.emergency.models import EmergencyResponse
from alliance.emergency.shelter_models import Shelter
from alliance.emergency.supply_models import Pledge, StockMove, SupplyStore
from alliance.extensions import db
from alliance.merchants.models import Merchant


def _count(column, *where):
    return db.session.scalar(select(func.count(column)).where(*where))


def test_demo_registers(demo_seeded, runner, client):
    # The demo, then the command again: seeding twice changes nothing.
    result = runner.invoke(args=["seed-demo", "--password", "DemoPass123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _count(HazardPoint.id) == 60
    assert _count(HazardCheck.id, HazardCheck.result.is_not(None)) == 60
    assert _count(HazardCheck.id, HazardCheck.result == "found") == 7
    assert _count(RectificationNotice.id, RectificationNotice.state == "closed") == 5
    assert _count(Household.id) == 40
    assert len(set(db.session.scalars(select(Household.estate_id)))) == 4
    assert _count(SupplyStore.id) == 2
    # Two community shelters, and the members' beds (a shelter) and kitchen (a meal point).
    assert _count(Shelter.id) == 4
    assert _count(Shelter.id, Shelter.merchant_id.is_not(None)) == 2
    assert _count(Shelter.id, Shelter.kind == "meal_point") == 1
    assert _count(Pledge.id) == 3
    # The map: four estate outlines, each estate's points inside its outline's box, and
    # every shelter and store placed.
    estates = {
        e.id: e for e in db.session.scalars(select(Estate).where(Estate.outline.is_not(None)))
    }
    assert len(estates) == 4
    for point in db.session.scalars(select(HazardPoint)):
        lats = [p[0] for p in estates[point.estate_id].outline]
        lngs = [p[1] for p in estates[point.estate_id].outline]
        assert min(lats) < point.latitude < max(lats) and min(lngs) < point.longitude < max(lngs)
    assert _count(Shelter.id, Shelter.latitude.is_not(None)) >= 2
    assert _count(SupplyStore.id, SupplyStore.longitude.is_not(None)) == 2
    assert _count(Household.id, Household.latitude.is_not(None)) == 40
    shop = db.session.scalars(select(Merchant).where(Merchant.name == "惠民超市")).one()
    page = client.get(f"/merchants/{shop.id}").get_data(as_text=True)
    assert "协议储备：饮用水 200 箱，应急时可调用" in page
    july = db.session.scalars(select(EmergencyResponse)).one()
    body = client.get(f"/api/v1/emergencies/{july.id}/report").get_json()
    assert body["households_visited"] == 40
    assert (body["people_moved"], body["people_in_shelters"], body["people_returned"]) == (
        12,
        0,
        12,
    )
    assert body["supplies_issued"] == {"沙袋": 200, "编织袋": 300, "救生衣": 12}
    assert (body["hazards_checked"], body["hazards_found"], body["hazards_closed"]) == (60, 7, 5)
    assert body["turnouts"] > 0
    # A new user reads the demo: one household per door, no grandfather registered as pregnant,
    # the July summary saying what the records say, stock received before it went out.
    doors = [(h.estate_id, h.place) for h in db.session.scalars(select(Household))]
    assert len(set(doors)) == 40
    for head, categories in db.session.execute(select(Household.head_name, Household.categories)):
        assert not ("pregnant" in categories and head.endswith("爷爷")), head
    assert f"出动党员和志愿者 {body['turnouts']} 人次" in july.summary
    assert f"转移低洼处群众 {body['people_moved']} 人" in july.summary
    assert f"整改销号 {body['hazards_closed']} 处" in july.summary
    first_issue = db.session.scalar(select(func.min(StockMove.at)).where(StockMove.kind == "issue"))
    last_receipt = db.session.scalar(
        select(func.max(StockMove.at)).where(StockMove.kind == "receive")
    )
    assert last_receipt < first_issue
