from tests.authz.matrix import Case, only

ROWS = {
    # Only grid workers have a grid; the matrix's grid worker looks after 甲一网格.
    "grid.index": Case("GET", "/grid/", only("grid")),
    # One grid: its worker and the community's own secretary; another community's secretary 404.
    "grid.detail": Case("GET", "/grid/{grid_a}", only("grid", "secretary_a", secretary_b=404)),
    # Another person's grid (or none) is 404 even for a grid worker: tests/dashboard/test_grid.py.
    "grid.visit": Case(
        "POST",
        "/grid/{grid_a}/visits",
        only("grid", ok=303),
        data={"visited_on": "2026-10-08", "place": "3号楼 王大爷"},
    ),
}


def setup(world) -> dict:
    return {"grid_a": world.grid.id}
