"""The grid's register of businesses outside the alliance: kept by the grid worker, shown beside
the members (phones whole only to the worker), and the subject of a 代办 order."""

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.extensions import db
from alliance.grid.models import GridBusiness
from alliance.help_requests import catalogue
from alliance.help_requests.models import HelpRequest
from tests.commitments.factories import create_merchant

PHONE = "13712345678"


def _register(client, world, **data):
    return client.post(
        f"/grid/{world.grid.id}/businesses",
        data={
            "name": "老王理发店",
            "kind": "理发店",
            "address": "5号楼底商",
            "contact_name": "王师傅",
            "contact_phone": PHONE,
            **data,
        },
    )


def test_the_grid_worker_registers_edits_and_retires_a_business(world, as_user):
    shop = create_merchant(world.a, 7, name="网格里的面馆")
    shop.estate_id = world.estate_a.id
    db.session.commit()
    client = as_user("grid")
    assert _register(client, world).status_code == 303
    page = client.get("/grid/").get_data(as_text=True)
    assert "其他商户（非联盟，1）" in page
    assert "老王理发店" in page and "理发店" in page and "5号楼底商" in page
    assert "网格里的面馆" in page  # the members beside them
    assert PHONE in page  # the worker sees the whole number

    business = db.session.scalars(select(GridBusiness)).one()
    secretary_view = as_user("secretary_a").get(f"/grid/{world.grid.id}").get_data(as_text=True)
    assert "老王理发店" in secretary_view
    assert "137****5678" in secretary_view and PHONE not in secretary_view

    client = as_user("grid")
    url = f"/grid/businesses/{business.id}"
    assert "老王理发店" in client.get(url).get_data(as_text=True)
    edited = client.post(
        url, data={"name": "老王美发", "kind": "理发店", "contact_phone": "13799998888"}
    )
    assert edited.status_code == 303
    assert "老王美发" in client.get("/grid/").get_data(as_text=True)

    bad = client.post(url, data={"name": "老王美发", "contact_phone": "12345"})
    assert bad.status_code == 422 and "请填写有效的手机号。" in bad.get_data(as_text=True)
    empty = _register(client, world, name="")
    assert empty.status_code == 422 and "请填写商户名称。" in empty.get_data(as_text=True)

    assert client.post(f"{url}/retire").status_code == 303
    page = client.get("/grid/").get_data(as_text=True)
    assert "老王美发" not in page and "网格内还没有登记其他商户。" in page
    assert client.get(url).status_code == 404


def test_another_grid_worker_cannot_touch_the_register(world, as_user, make_user):
    from alliance.communities.models import Grid

    other = make_user("grid2", community=world.a, roles=(Role.GRID_WORKER,))
    db.session.add(
        Grid(
            community_id=world.a.id,
            estate_id=world.estate_a.id,
            name="甲二网格",
            worker_id=other.id,
        )
    )
    db.session.commit()
    _register(as_user("grid"), world)
    business = db.session.scalars(select(GridBusiness)).one()
    client = as_user("grid2")
    assert _register(client, world, name="别人的店").status_code == 404
    assert client.get(f"/grid/businesses/{business.id}").status_code == 404
    assert client.post(f"/grid/businesses/{business.id}/retire").status_code == 404
    assert "老王理发店" not in client.get("/grid/").get_data(as_text=True)
    db.session.refresh(business)
    assert business.active and db.session.query(GridBusiness).count() == 1


def test_a_business_of_the_register_is_the_subject_of_a_daiban_order(world, as_user, make_user):
    category = catalogue.ensure_catalogue(world.a)[0]
    db.session.commit()
    client = as_user("grid")
    _register(client, world)
    business = db.session.scalars(select(GridBusiness)).one()
    form = client.get(f"/requests/new?business={business.id}").get_data(as_text=True)
    assert f'<option selected value="{business.id}">老王理发店</option>' in form
    response = client.post(
        "/requests/new",
        data={
            "category_id": str(category.id),
            "title": "店门口下水道堵了",
            "business_id": str(business.id),
            "urgency": "normal",
            "contact_method": "phone",
            "contact_phone": "13900000003",
        },
    )
    assert response.status_code == 303
    order = db.session.scalars(select(HelpRequest)).one()
    assert (order.business_id, order.grid_id, order.estate_id) == (
        business.id,
        world.grid.id,
        world.estate_a.id,
    )
    assert order.on_behalf_name == "王师傅"  # who asked
    detail = client.get(f"/requests/{order.id}").get_data(as_text=True)
    assert "老王理发店" in detail
    assert "店门口下水道堵了" in client.get("/grid/").get_data(as_text=True)

    # Not a business of the worker's own grid: refused, nothing saved.
    make_user("grid2", community=world.a, roles=(Role.GRID_WORKER,))
    refused = as_user("grid2").post(
        "/requests/new",
        data={
            "category_id": str(category.id),
            "title": "冒名",
            "business_id": str(business.id),
            "urgency": "normal",
            "contact_method": "phone",
            "contact_phone": "13900000003",
        },
    )
    assert refused.status_code == 400
    assert "请选择自己网格内登记的商户。" in refused.get_data(as_text=True)
    assert db.session.query(HelpRequest).count() == 1
