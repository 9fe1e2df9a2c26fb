from alliance.emergency import services
from alliance.emergency.services import Target
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in


def setup(world) -> dict:
    response = services.start_response(
        Target(community=world.a),
        kind="flood",
        level="IV",
        reason="矩阵",
        drill=True,
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return {"emergency_response": response.id}


COMMANDERS = ("secretary_a", "street")
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
}
