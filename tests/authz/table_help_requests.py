from alliance.api import tokens as api_tokens
from alliance.co_building.models import CoBuildingUnit
from alliance.extensions import db
from alliance.help_requests import catalogue, intake
from alliance.notifications.services import notify
from alliance.projects import services as projects_services
from tests.authz.matrix import LOGIN, Case, everyone, only, signed_in

SECRETARIES = ("secretary_a", "secretary_b")
# Who sees an order posted by community A's resident: the requester, A's secretary, the street
# officer, A's grid worker; nobody else learns it exists.
SEES_ORDER = {
    **dict.fromkeys(everyone(), 404),
    "anonymous": LOGIN,
    "resident": 200,
    "secretary_a": 200,
    "street": 200,
    "grid": 200,
}


def setup(world) -> dict:
    cats = {c.code: c for c in catalogue.ensure_catalogue(world.a)}
    catalogue.ensure_catalogue(world.b)
    order = intake.submit_request(
        world.a,
        world.users["resident"],
        intake.RequestInput(
            category_id=cats["repair"].id,
            title="楼道灯坏了",
            estate_id=world.estate_a.id,
            contact_phone="13900000009",
        ),
    )
    unit = CoBuildingUnit(street_office_id=world.office.id, name="矩阵环保公司")
    db.session.add(unit)
    db.session.flush()
    project = projects_services.save_project(
        world.a,
        world.users["secretary_a"],
        projects_services.ProjectInput(title="矩阵项目", request_ids=[order.id]),
    )
    key, _raw = api_tokens.issue_key(world.a, world.users["secretary_a"], "矩阵系统")
    notify([world.users["resident"].id], "text", {"title": "矩阵消息"})
    db.session.commit()
    from alliance.notifications.models import Notification

    note = db.session.query(Notification).filter_by(kind="text").one()
    return {
        "order_a": order.id,
        "order_a_token": order.token,
        "category_a": cats["repair"].id,
        "unit": unit.id,
        "project_a": project.id,
        "key_a": key.id,
        "note_resident": note.id,
    }


ROWS = {
    "help_requests.new": Case("GET", "/requests/new", signed_in(200)),
    "help_requests.mine": Case("GET", "/requests/mine", signed_in(200)),
    # Providers' queue: members' staff, volunteers and grid workers (orders dispatched to them).
    "help_requests.orders": Case("GET", "/requests/orders", only("merchant", "volunteer", "grid")),
    # Grid workers see the queue of their own grid's orders (tests/dashboard/test_grid.py).
    "help_requests.queue": Case("GET", "/requests/queue", only(*SECRETARIES, "grid")),
    "help_requests.escalations": Case("GET", "/requests/escalations", only("street")),
    "help_requests.detail": Case("GET", "/requests/{order_a}", SEES_ORDER),
    # No photo on this order: those who may see it get a 404 too, the others never reach it.
    "help_requests.photo": Case("GET", "/requests/{order_a}/photo", signed_in(404)),
    "help_requests.dispatch": Case(
        "GET", "/requests/{order_a}/dispatch", only("secretary_a", secretary_b=404)
    ),
    # Accepting a submitted order is never allowed: 409 for those who see it, 404 for the rest.
    "help_requests.act": Case(
        "POST",
        "/requests/{order_a}/actions/accept",
        {**SEES_ORDER, "resident": 409, "secretary_a": 409, "street": 409, "grid": 409},
    ),
    "help_requests.transparency": Case("GET", "/requests/transparency", everyone(200)),
    # Empty summary: the secretary of A saves "no summary" (303); B's secretary does not see it.
    "help_requests.summary": Case(
        "POST",
        "/requests/{order_a}/summary",
        only("secretary_a", "secretary_b", ok=303, secretary_b=404),
    ),
    "help_requests.categories": Case("GET", "/requests/categories", signed_in(200)),
    "help_requests.categories_defaults": Case(
        "POST", "/requests/categories/defaults", only(*SECRETARIES, ok=302)
    ),
    "help_requests.category_edit": Case(
        "GET", "/requests/categories/{category_a}/edit", only("secretary_a", secretary_b=404)
    ),
    "co_building.units": Case("GET", "/requests/units", only(*SECRETARIES, "street")),
    "co_building.unit_edit": Case("GET", "/requests/units/{unit}/edit", only("street")),
    "co_building.resources": Case("GET", "/requests/resources", signed_in(200)),
    "co_building.resource_new": Case(
        "GET",
        "/requests/resources/new?community={a}",
        only("secretary_a", "street", secretary_b=404),
    ),
    "projects.projects": Case("GET", "/requests/projects", signed_in(200)),
    "projects.project_detail": Case(
        "GET", "/requests/projects/{project_a}", signed_in(200) | {"secretary_b": 404}
    ),
    "projects.project_new": Case("GET", "/requests/projects/new", only(*SECRETARIES)),
    "projects.project_edit": Case(
        "GET", "/requests/projects/{project_a}/edit", only("secretary_a", secretary_b=404)
    ),
    "open311_keys.keys": Case("GET", "/requests/keys", only(*SECRETARIES)),
    "open311_keys.key_revoke": Case(
        "POST", "/requests/keys/{key_a}/revoke", only("secretary_a", ok=302, secretary_b=404)
    ),
    "notifications.index": Case("GET", "/inbox/", signed_in(200)),
    "notifications.read": Case(
        "POST",
        "/inbox/{note_resident}/read",
        {**dict.fromkeys(everyone(), 404), "anonymous": LOGIN, "resident": 302},
    ),
    "notifications.read_all": Case("POST", "/inbox/read-all", everyone(302)),
    # Open311 and the jurisdiction list are public.
    "open311.discovery": Case("GET", "/open311/v2/discovery.json", everyone(200)),
    "open311.service_list": Case(
        "GET", "/open311/v2/services.json?jurisdiction_id=AAA", everyone(200)
    ),
    "open311.service_definition": Case(
        "GET", "/open311/v2/services/repair.xml?jurisdiction_id=AAA", everyone(200)
    ),
    "open311.request_list": Case(
        "GET", "/open311/v2/requests.xml?jurisdiction_id=AAA", everyone(200)
    ),
    "open311.request_detail": Case(
        "GET", "/open311/v2/requests/{order_a}.json?jurisdiction_id=AAA", everyone(200)
    ),
    "open311.token_detail": Case(
        "GET", "/open311/v2/tokens/{order_a_token}.json?jurisdiction_id=AAA", everyone(200)
    ),
    "open311.communities": Case("GET", "/api/v1/communities", everyone(200)),
}
