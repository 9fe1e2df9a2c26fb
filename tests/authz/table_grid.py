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
    # The register of non-member businesses: only the grid's own worker keeps it.
    "grid.add_business": Case(
        "POST",
        "/grid/{grid_a}/businesses",
        only("grid", ok=303),
        data={"name": "矩阵理发店", "kind": "理发店"},
    ),
    "grid.edit_business": Case("GET", "/grid/businesses/{business_a}", only("grid")),
    "grid.retire_business": Case(
        "POST", "/grid/businesses/{business_a}/retire", only("grid", ok=303)
    ),
    # Putting a member shop into a grid: the community's own secretary (another's: 404).
    "grid.place_shop": Case(
        "POST",
        "/grid/{grid_a}/shops",
        only("secretary_a", ok=303, secretary_b=404),
        data={"merchant_id": "{shop_a}"},
    ),
}


def setup(world) -> dict:
    from alliance.extensions import db
    from alliance.grid.models import GridBusiness
    from tests.commitments.factories import create_merchant

    business = GridBusiness(community_id=world.a.id, grid_id=world.grid.id, name="矩阵五金店")
    db.session.add(business)
    shop = create_merchant(world.a, 91, name="矩阵面馆")
    shop.estate_id = world.estate_a.id
    db.session.commit()
    return {"grid_a": world.grid.id, "business_a": business.id, "shop_a": shop.id}
