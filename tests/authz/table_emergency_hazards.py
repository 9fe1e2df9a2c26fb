from alliance.emergency import hazards
from alliance.emergency.hazard_models import HazardCheck, HazardCheckPhoto
from alliance.extensions import db
from tests.authz.matrix import Case, only

SECRETARIES = ("secretary_a", "secretary_b")


def setup(world) -> dict:
    secretary = world.users["secretary_a"]
    in_grid = hazards.create_point(
        world.a,
        hazards.PointInput(kind="low_lying", name="矩阵低洼点", grid_id=world.grid.id),
        actor=secretary,
    )
    hazards.create_point(
        world.a,
        hazards.PointInput(kind="slope", name="矩阵斜坡", responsible="volunteer"),
        actor=secretary,
    )
    found = hazards.start_round(world.a, name="矩阵排查", inspector="volunteer", actor=secretary)
    checks = {c.point_id: c for c in db.session.query(HazardCheck).filter_by(round_id=found.id)}
    notice = hazards.record_check(
        checks[in_grid.id], result="found", note="积水", actor=world.users["grid"]
    )
    notice.responsible_id = world.users["volunteer"].id
    volunteers = next(c for pid, c in checks.items() if pid != in_grid.id)
    photo = HazardCheckPhoto(
        check_id=checks[in_grid.id].id, community_id=world.a.id, name="matrix-photo.jpg"
    )
    db.session.add(photo)
    db.session.commit()
    return {
        "hazard_point": in_grid.id,
        "hazard_round": found.id,
        "hazard_check": volunteers.id,
        "hazard_notice": notice.id,
        "hazard_photo": photo.id,
    }


# Other community's rows are 404; in community A the staff see, the named people act.
NOT_THERE = {"resident": 404, "merchant": 404, "secretary_b": 404, "street": 404}

ROWS = {
    "emergency.hazards_index": Case("GET", "/emergency/hazards", only("grid", *SECRETARIES)),
    "emergency.create_hazard": Case("POST", "/emergency/hazards", only(*SECRETARIES, ok=422)),
    "emergency.hazard": Case(
        "GET", "/emergency/hazards/{hazard_point}", only("grid", "secretary_a", secretary_b=404)
    ),
    # An empty form is 422 for the point's own secretary.
    "emergency.edit_hazard": Case(
        "POST", "/emergency/hazards/{hazard_point}", only("secretary_a", ok=422, secretary_b=404)
    ),
    "emergency.retire_hazard": Case(
        "POST",
        "/emergency/hazards/{hazard_point}/retire",
        only("secretary_a", ok=422, secretary_b=404),
    ),
    # The photo's row names no file in the matrix: 404 even for those allowed past the check;
    # tests/emergency/test_hazard_points.py serves real ones.
    "emergency.hazard_photo": Case(
        "GET", "/emergency/hazards/photos/{hazard_photo}", only(ok=404, other=404)
    ),
    "emergency.start_hazard_round": Case(
        "POST", "/emergency/hazards/rounds", only(*SECRETARIES, ok=422)
    ),
    # The inspector (volunteer) sees the points assigned to them.
    "emergency.hazard_round": Case(
        "GET",
        "/emergency/hazards/rounds/{hazard_round}",
        only("grid", "secretary_a", "volunteer", other=404),
    ),
    "emergency.hazard_check": Case(
        "GET",
        "/emergency/hazards/checks/{hazard_check}",
        only("grid", "secretary_a", "volunteer", other=404),
    ),
    # An empty result is 422; the grid worker sees the point but it is not theirs to record.
    "emergency.record_hazard_check": Case(
        "POST",
        "/emergency/hazards/checks/{hazard_check}",
        only("secretary_a", "volunteer", ok=422, other=404, grid=403),
    ),
    "emergency.hazard_notice": Case(
        "GET",
        "/emergency/hazards/notices/{hazard_notice}",
        only("grid", "secretary_a", "volunteer", other=404),
    ),
    "emergency.edit_hazard_notice": Case(
        "POST",
        "/emergency/hazards/notices/{hazard_notice}",
        only("secretary_a", ok=422, other=404, grid=403, volunteer=403),
    ),
    "emergency.hazard_fixed": Case(
        "POST",
        "/emergency/hazards/notices/{hazard_notice}/fixed",
        only("volunteer", ok=422, other=404, grid=403, secretary_a=403),
    ),
    "emergency.hazard_recheck": Case(
        "POST",
        "/emergency/hazards/notices/{hazard_notice}/recheck",
        only("secretary_a", ok=422, other=404, grid=403, volunteer=403),
    ),
}
