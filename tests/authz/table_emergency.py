from datetime import timedelta

from alliance.db_types import utcnow
from alliance.emergency import alerts, duty, mobilisation, posts, services
from alliance.emergency.services import Target
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in
from tests.emergency.test_alerts import cap_doc


def setup(world) -> dict:
    response = services.start_response(
        Target(community=world.a),
        kind="flood",
        level="IV",
        reason="矩阵",
        drill=True,
        actor=world.users["secretary_a"],
    )
    team = mobilisation.create_task_force(
        world.a,
        name="矩阵突击队",
        kind="commando",
        leader="volunteer",
        members=["merchant"],
        actor=world.users["secretary_a"],
    )
    call = mobilisation.call_up(
        team, assembly_point="矩阵广场", task="", actor=world.users["secretary_a"]
    )
    post = posts.create_post(
        world.a, posts.PostInput(kind="post", name="矩阵先锋岗", place="仓库"), actor=None
    )
    shift = duty.create_shift(
        world.a,
        duty.ShiftInput(starts_at=utcnow(), hours=8, leader="grid", people=("volunteer",)),
        actor=None,
    )
    relayed = alerts.import_cap(world.a, cap_doc(status="Exercise"), actor=None)
    pending = alerts.write_alert(
        world.a,
        alerts.AlertInput(
            event="内涝",
            urgency="Expected",
            severity="Moderate",
            certainty="Likely",
            headline="矩阵预警",
            description="",
            instruction="",
            estate_ids=(world.estate_a.id,),
            grid_ids=(),
            expires_at=utcnow() + timedelta(hours=3),
            drill=True,
        ),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return {
        "alert": relayed.id,
        "pending_alert": pending.id,
        "emergency_response": response.id,
        "team": team.id,
        "call": call.id,
        "post": post.id,
        "shift": shift.id,
    }


COMMANDERS = ("secretary_a", "street")
SECRETARIES = ("secretary_a", "secretary_b")
TEAM_COMMAND = ("volunteer", "secretary_a", "street")
ON_SHIFT = ("grid", "volunteer", "secretary_a")
# A response of community A: B's secretary does not see it at all.
A_ONLY = {"secretary_b": 404}

ROWS = {
    # Everyone signed in: staff get the console, the others what to do now.
    "emergency.index": Case("GET", "/emergency/", signed_in(200)),
    "emergency.start": Case(
        "POST", "/emergency/start", only("secretary_a", "secretary_b", "street", ok=422)
    ),
    "emergency.detail": Case(
        "GET", "/emergency/responses/{emergency_response}", only(*COMMANDERS, "grid", **A_ONLY)
    ),
    "emergency.change_level": Case(
        "POST",
        "/emergency/responses/{emergency_response}/level",
        only(*COMMANDERS, ok=422, **A_ONLY),
    ),
    "emergency.end": Case(
        "POST", "/emergency/responses/{emergency_response}/end", only(*COMMANDERS, ok=422, **A_ONLY)
    ),
    "emergency_api.emergencies": Case("GET", "/api/v1/emergencies", everyone(200)),
    "emergency_api.emergency_report": Case(
        "GET", "/api/v1/emergencies/{emergency_response}/report", everyone(200)
    ),
    # Mobilisation. The team of A: leader `volunteer`, member `merchant`.
    "emergency.party": Case(
        "GET", "/emergency/party", only("volunteer", "merchant", "grid", *SECRETARIES)
    ),
    "emergency.roster": Case("GET", "/emergency/roster", only("grid", *SECRETARIES)),
    "emergency.teams": Case("GET", "/emergency/teams", only("grid", *SECRETARIES)),
    "emergency.create_team": Case("POST", "/emergency/teams", only(*SECRETARIES, ok=422)),
    "emergency.team": Case(
        "GET", "/emergency/teams/{team}", only(*TEAM_COMMAND, "grid", other=404)
    ),
    "emergency.add_member": Case(
        "POST", "/emergency/teams/{team}/members", only("secretary_a", ok=422, **A_ONLY)
    ),
    "emergency.call_up": Case(
        "POST", "/emergency/teams/{team}/call-up", only(*TEAM_COMMAND, ok=422, other=404, grid=403)
    ),
    "emergency.call_up_detail": Case(
        "GET", "/emergency/callups/{call}", only(*TEAM_COMMAND, "merchant", other=404)
    ),
    # Members answer (an empty answer is "cannot" without a reason: 422); commanders do not.
    "emergency.answer": Case(
        "POST",
        "/emergency/callups/{call}/answer",
        only("volunteer", "merchant", ok=422, other=404, secretary_a=403, street=403),
    ),
    "emergency.check_in": Case(
        "POST",
        "/emergency/callups/{call}/check-in",
        only(*TEAM_COMMAND, ok=422, other=404, merchant=403),
    ),
    # The leader (first in the role order) stands the team down; the later commanders find it
    # already stood down (409).
    "emergency.stand_down": Case(
        "POST",
        "/emergency/callups/{call}/stand-down",
        only("volunteer", ok=303, other=404, merchant=403, secretary_a=409, street=409),
    ),
    # Readiness: posts and zones, the duty roster (shift of A: leader grid, volunteer on duty).
    "emergency.posts_index": Case("GET", "/emergency/posts", only("grid", *SECRETARIES)),
    "emergency.create_post": Case("POST", "/emergency/posts", only(*SECRETARIES, ok=422)),
    "emergency.name_responsible": Case(
        "POST", "/emergency/posts/{post}/responsible", only("secretary_a", ok=422, **A_ONLY)
    ),
    "emergency.duty_index": Case("GET", "/emergency/duty", only("grid", *SECRETARIES)),
    "emergency.create_shift": Case("POST", "/emergency/duty", only(*SECRETARIES, ok=422)),
    "emergency.shift": Case("GET", "/emergency/duty/{shift}", only(*ON_SHIFT, other=404)),
    "emergency.sign_on": Case(
        "POST", "/emergency/duty/{shift}/sign-on", only(*ON_SHIFT, ok=422, other=404)
    ),
    "emergency.hand_over": Case(
        "POST", "/emergency/duty/{shift}/hand-over", only(*ON_SHIFT, ok=422, other=404)
    ),
    # Warnings: one relayed (a drill CAP import), one written by secretary_a awaiting approval.
    "emergency.alerts_index": Case("GET", "/emergency/alerts", only("grid", *SECRETARIES)),
    "emergency.import_alert": Case("POST", "/emergency/alerts/import", only(*SECRETARIES, ok=422)),
    "emergency.write_alert": Case("POST", "/emergency/alerts", only(*SECRETARIES, ok=422)),
    "emergency.alert": Case(
        "GET", "/emergency/alerts/{alert}", {**signed_in(200), "secretary_b": 404}
    ),
    # Everyone signed in gets a page: their own community's latest warning or "none now".
    "emergency.latest_alert": Case("GET", "/emergency/alerts/latest", signed_in(200)),
    # The author may not approve (403); the street officer approves (303).
    "emergency.approve_alert": Case(
        "POST",
        "/emergency/alerts/{pending_alert}/approve",
        only("street", ok=303, secretary_a=403, secretary_b=404),
    ),
    # An empty answer is flashed back to the page (303); outside the community: 404.
    "emergency.ack_alert": Case(
        "POST",
        "/emergency/alerts/{alert}/ack",
        {**signed_in(303), "secretary_b": 404, "street": 404},
    ),
    "emergency.alert_notice": Case(
        "GET", "/emergency/alerts/{alert}/notice", only("grid", "secretary_a", "street", other=404)
    ),
    "emergency_api.alerts_index": Case("GET", "/api/v1/alerts", everyone(200)),
    "emergency_api.alert_cap": Case("GET", "/api/v1/alerts/{alert}.cap", everyone(200)),
    "emergency_api.alerts_atom": Case("GET", "/api/v1/alerts.atom", everyone(200)),
}
