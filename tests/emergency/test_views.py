"""The console, the banner on every page, the CLI and the public API."""

from sqlalchemy import select

from alliance.emergency import services
from alliance.emergency.models import EmergencyResponse, ResponseChange
from alliance.emergency.services import Target
from alliance.extensions import db

BANNER = 'class="alert alert-danger emergency-banner'


def _start(world, who="secretary_a", target=None, level="IV", drill=False):
    response = services.start_response(
        target or Target(community=world.a),
        kind="flood",
        level=level,
        reason="强降雨",
        drill=drill,
        actor=world.users[who],
    )
    db.session.commit()
    return response


def test_secretary_starts_from_the_console_and_every_page_shows_the_banner(world, as_user):
    client = as_user("secretary_a")
    page = client.get("/emergency/").get_data(as_text=True)
    assert "现在没有应急响应" in page and BANNER not in page
    r = client.post(
        "/emergency/start",
        data={"target": f"c{world.a.id}", "kind": "flood", "level": "IV", "reason": "强降雨"},
    )
    assert r.status_code == 303
    response = db.session.scalars(select(EmergencyResponse)).one()
    assert r.headers["Location"].endswith(f"/emergency/responses/{response.id}")
    for user, path in [("resident", "/"), ("volunteer", "/me"), ("grid", "/requests/new")]:
        page = as_user(user).get(path).get_data(as_text=True)
        assert BANNER in page, (user, path)
        assert "Ⅳ级应急响应" in page and 'href="/emergency/"' in page
    # Community B is not covered.
    assert BANNER not in as_user("resident_b").get("/").get_data(as_text=True)
    # The home page says what to do now.
    home = as_user("resident").get("/").get_data(as_text=True)
    assert "应急状态：现在要做的事" in home and "我需要帮助" in home


def test_the_banner_says_drill_and_follows_the_level(world, as_user):
    response = _start(world, drill=True)
    page = as_user("resident").get("/").get_data(as_text=True)
    assert "Ⅳ级应急响应" in page and "演练" in page
    client = as_user("secretary_a")
    r = client.post(
        f"/emergency/responses/{response.id}/level",
        data={"level-level": "II", "level-reason": "水位超警戒"},
    )
    assert r.status_code == 303
    assert "Ⅱ级应急响应" in as_user("resident").get("/").get_data(as_text=True)


def test_ending_asks_for_a_summary_then_the_banner_goes(world, as_user):
    response = _start(world)
    client = as_user("secretary_a")
    r = client.post(f"/emergency/responses/{response.id}/end", data={"end-summary": ""})
    assert r.status_code == 422
    assert "终止应急响应请填写总结。" in r.get_data(as_text=True)
    r = client.post(f"/emergency/responses/{response.id}/end", data={"end-summary": "平安度汛"})
    assert r.status_code == 303
    detail = client.get(f"/emergency/responses/{response.id}").get_data(as_text=True)
    assert "终止" in detail and "平安度汛" in detail and BANNER not in detail
    # Ending it again (another tab): refused, clearly.
    r = client.post(f"/emergency/responses/{response.id}/end", data={"end-summary": "again"})
    assert r.status_code == 409
    assert "这次应急响应已经终止。" in r.get_data(as_text=True)


def test_bad_input_on_the_console_is_refused_with_a_reason(world, as_user):
    client = as_user("secretary_a")
    r = client.post(
        "/emergency/start",
        data={"target": f"c{world.a.id}", "kind": "flood", "level": "V", "reason": "x"},
    )
    assert r.status_code == 422
    _start(world)
    r = client.post(
        "/emergency/start",
        data={"target": f"c{world.a.id}", "kind": "flood", "level": "III", "reason": "再启动"},
    )
    assert r.status_code == 409
    assert "已经有正在运行的应急响应" in r.get_data(as_text=True)
    assert db.session.query(EmergencyResponse).count() == 1


def test_a_street_officer_of_another_office_gets_404(world, make_user, db):
    from alliance.accounts.models import Role
    from alliance.communities.models import StreetOffice
    from tests.conftest import login

    other = StreetOffice(code="XY", name="新园街道")
    db.session.add(other)
    db.session.commit()
    make_user("street_x", roles=(Role.STREET_OFFICER,), street_office_id=other.id)
    response = _start(world)
    from flask import current_app

    client = current_app.test_client()
    login(client, "street_x")
    r = client.post(f"/emergency/responses/{response.id}/end", data={"end-summary": "越权"})
    assert r.status_code == 404
    assert db.session.get(EmergencyResponse, response.id).ended_at is None
    # The own office's officer may end the community's response.
    client = current_app.test_client()
    login(client, "street")
    r = client.post(f"/emergency/responses/{response.id}/end", data={"end-summary": "街道终止"})
    assert r.status_code == 303


def test_a_secretary_cannot_end_the_street_offices_response(world, as_user):
    response = _start(world, who="street", target=Target(street_office=world.office))
    page = as_user("secretary_a").get(f"/emergency/responses/{response.id}").get_data(as_text=True)
    assert "终止应急响应" not in page
    r = as_user("secretary_a").post(
        f"/emergency/responses/{response.id}/end", data={"end-summary": "x"}
    )
    assert r.status_code == 403


def test_cli_starts_changes_and_ends(world, runner):
    r = runner.invoke(
        args=[
            "emergency",
            "start",
            "AAA",
            "--level",
            "IV",
            "--kind",
            "flood",
            "--reason",
            "强降雨",
            "--drill",
        ]
    )
    assert r.exit_code == 0, r.output
    response = db.session.scalars(select(EmergencyResponse)).one()
    assert (response.level, response.drill, response.community_id) == ("IV", True, world.a.id)
    r = runner.invoke(
        args=["emergency", "start", "AAA", "--level", "III", "--kind", "flood", "--reason", "x"]
    )
    assert r.exit_code != 0 and "已经有正在运行的应急响应" in r.output
    r = runner.invoke(args=["emergency", "level", "AAA", "--level", "V", "--reason", "x"])
    assert r.exit_code != 0
    r = runner.invoke(
        args=[
            "emergency",
            "level",
            "AAA",
            "--level",
            "III",
            "--reason",
            "加强",
            "--by",
            "secretary_a",
        ]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["emergency", "end", "AAA", "--summary", "平安"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["emergency", "end", "AAA", "--summary", "平安"])
    assert r.exit_code != 0 and "no emergency response is running" in r.output
    db.session.expire_all()
    changes = db.session.scalars(select(ResponseChange).order_by(ResponseChange.id)).all()
    assert [(c.action, c.source, c.actor_id) for c in changes] == [
        ("start", "cli", None),
        ("raise", "web", world.users["secretary_a"].id),
        ("end", "cli", None),
    ]
    r = runner.invoke(
        args=["emergency", "start", "WC", "--level", "II", "--kind", "storm", "--reason", "台风"]
    )
    assert r.exit_code == 0, r.output
    assert services.running_for(Target(street_office=world.office)).scope == "street_office"
    r = runner.invoke(
        args=["emergency", "start", "NOPE", "--level", "II", "--kind", "storm", "--reason", "x"]
    )
    assert r.exit_code != 0 and "no community or street office" in r.output


def test_public_api_lists_responses_without_personal_data(world, client):
    ended = _start(world)
    services.end_response(ended, summary="结束", actor=world.users["secretary_a"])
    db.session.commit()
    running = _start(world, who="street", target=Target(street_office=world.office), level="III")
    body = client.get("/api/v1/emergencies").get_json()
    assert body["total"] == 2
    item = body["items"][0]
    assert set(item) == {"id", "scope", "code", "kind", "level", "drill", "started_at", "ended_at"}
    assert (item["id"], item["scope"], item["code"], item["level"]) == (
        running.id,
        "street_office",
        "WC",
        "III",
    )
    assert body["items"][1]["code"] == "AAA" and body["items"][1]["ended_at"]
    active = client.get("/api/v1/emergencies?active=1").get_json()
    assert [i["id"] for i in active["items"]] == [running.id]
    assert client.get("/api/v1/emergencies?active=yes").status_code == 400
    assert client.get("/api/v1/emergencies?bogus=1").status_code == 400
    doc = client.get("/api/openapi.json").get_json()
    assert "/api/v1/emergencies" in doc["paths"]


def test_the_start_form_offers_the_kinds_of_event_in_english(world, as_user):
    """The kinds were turned into text at import time, so English readers got 防汛, 台风暴雨…"""
    client = as_user("secretary_a")
    client.post("/language", data={"locale": "en"})
    page = client.get("/emergency/").get_data(as_text=True)
    assert ">Flood</option>" in page
    assert "台风暴雨" not in page and "其他突发事件" not in page
    client.post("/language", data={"locale": "zh_CN"})
    assert ">防汛</option>" in client.get("/emergency/").get_data(as_text=True)


def test_the_banner_reaches_exactly_the_people_the_response_covers(world, as_user):
    """The login loader tells whether a banner is due (no statement of its own in normal
    times): the community's response shows to its people and the office, not next door."""
    assert BANNER not in as_user("resident").get("/").get_data(as_text=True)
    community = _start(world)
    assert BANNER in as_user("resident").get("/").get_data(as_text=True)
    assert BANNER in as_user("street").get("/").get_data(as_text=True)
    assert BANNER not in as_user("resident_b").get("/").get_data(as_text=True)
    services.end_response(community, summary="平安", actor=world.users["secretary_a"])
    db.session.commit()
    assert BANNER not in as_user("street").get("/").get_data(as_text=True)
    _start(world, who="street", target=Target(street_office=world.office))
    assert BANNER in as_user("resident_b").get("/").get_data(as_text=True)
    assert BANNER in as_user("street").get("/").get_data(as_text=True)


def test_an_office_wide_response_stays_in_its_office(world, as_user, make_user, db):
    """Each person's banner is judged by their own community's office (the login loader asks
    for every user in one statement: it must not take another user's office)."""
    from alliance.accounts.models import Role
    from tests.conftest import office_with_community

    other, far = office_with_community(community_code="XYA", community_name="新园社区")
    make_user("far_resident", community=far, roles=(Role.RESIDENT,))
    _start(world, who="street", target=Target(street_office=world.office))
    assert BANNER in as_user("resident").get("/").get_data(as_text=True)
    assert BANNER not in as_user("far_resident").get("/").get_data(as_text=True)
    world.users["street_xy"] = make_user(
        "street_xy", roles=(Role.STREET_OFFICER,), street_office_id=other.id
    )
    _start(world, who="street_xy", target=Target(street_office=other))
    assert BANNER in as_user("far_resident").get("/").get_data(as_text=True)
