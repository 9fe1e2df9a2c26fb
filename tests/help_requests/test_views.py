"""The pages: posting a need, the story's two examples end to end, bad input, isolation."""

import io
from datetime import timedelta

from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from alliance.db_types import utcnow
from alliance.extensions import db
from alliance.help_requests import queues
from alliance.help_requests.models import HelpRequest, HelpRequestEvent, ServiceCategory
from alliance.notifications.models import Notification
from tests.help_requests.factories import post_need


def _png(size=(40, 30), **save):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "JPEG", **save)
    return buf.getvalue()


def _form(world, setup, **extra):
    data = {
        "category_id": str(setup.cat_a["repair"].id),
        "title": "楼道漏水",
        "description": "3号楼2单元楼道漏水",
        "estate_id": str(world.estate_a.id),
        "building": "3号楼2单元",
        "shop_id": "",
        "urgency": "urgent",
        "contact_method": "phone",
        "contact_phone": "13900000001",
    }
    data.update(extra)
    return data


def _order_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count(HelpRequest.id)))


def _act(client, order_id, action, **data):
    order = db.session.get(HelpRequest, order_id)
    db.session.refresh(order)
    return client.post(
        f"/requests/{order_id}/actions/{action}",
        data={"version": order.version, "confirm": "1", **data},
    )


# --- posting ------------------------------------------------------------------------------


def test_resident_posts_a_need_with_a_photo_stripped_of_metadata(as_user, world, setup, _uploads):
    client = as_user("resident")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    photo = _png(exif=exif.tobytes())
    assert b"SecretCam" in photo
    response = client.post(
        "/requests/new",
        data=_form(world, setup, photo=(io.BytesIO(photo), "leak.jpg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    order = db.session.scalars(select(HelpRequest)).one()
    assert order.state == "submitted" and order.urgency == "urgent"
    assert order.due_at - order.submitted_at == timedelta(hours=12)
    stored = (_uploads / order.photo_name).read_bytes()
    assert b"SecretCam" not in stored and Image.open(io.BytesIO(stored)).format == "JPEG"
    page = client.get(response.headers["Location"])
    assert "楼道漏水" in page.get_data(as_text=True)
    assert client.get(f"/requests/{order.id}/photo").status_code == 200
    # The secretary of A heard about it; B's secretary cannot see the photo or the order.
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == world.users["secretary_a"].id
            )
        )
        == 1
    )
    as_user("secretary_b")
    assert client.get(f"/requests/{order.id}/photo").status_code == 404
    assert client.get(f"/requests/{order.id}").status_code == 404


def test_non_images_are_refused_with_a_clear_message(as_user, world, setup):
    client = as_user("resident")
    response = client.post(
        "/requests/new",
        data=_form(world, setup, photo=(io.BytesIO(b"%PDF-1.4 not an image"), "x.jpg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "不是有效的图片" in response.get_data(as_text=True)
    assert _order_count() == 0


def test_oversized_uploads_get_413_with_a_clear_message(as_user, world, setup):
    client = as_user("resident")
    big = b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10)
    response = client.post(
        "/requests/new",
        data=_form(world, setup, photo=(io.BytesIO(big), "big.jpg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)
    assert _order_count() == 0


def test_missing_fields_and_unknown_category_change_nothing(as_user, world, setup):
    client = as_user("resident")
    response = client.post("/requests/new", data=_form(world, setup, title=""))
    assert response.status_code == 400 and "请用一句话说明需求" in response.get_data(as_text=True)
    response = client.post("/requests/new", data=_form(world, setup, category_id="99999"))
    assert response.status_code == 400 and "服务类别" in response.get_data(as_text=True)
    # Another community's category is unknown here too.
    response = client.post(
        "/requests/new", data=_form(world, setup, category_id=str(setup.cat_b["repair"].id))
    )
    assert response.status_code == 400
    response = client.post("/requests/new", data=_form(world, setup, estate_id="", shop_id=""))
    assert response.status_code == 400 and "请选择地点" in response.get_data(as_text=True)
    response = client.post("/requests/new", data=_form(world, setup, contact_phone="12345"))
    assert response.status_code == 400 and "手机号" in response.get_data(as_text=True)
    assert _order_count() == 0


def test_only_grid_workers_post_on_behalf_of_a_household(as_user, world, setup):
    client = as_user("resident")
    response = client.post("/requests/new", data=_form(world, setup, on_behalf_name="王大爷"))
    assert response.status_code == 400 and "只有网格员" in response.get_data(as_text=True)
    assert _order_count() == 0
    client = as_user("grid")
    assert "代住户提交" in client.get("/requests/new").get_data(as_text=True)
    response = client.post(
        "/requests/new",
        data=_form(world, setup, on_behalf_name="王大爷", on_behalf_phone="13700000000"),
    )
    assert response.status_code == 303
    order = db.session.scalars(select(HelpRequest)).one()
    assert order.requester_id == world.users["grid"].id
    assert (order.on_behalf_name, order.on_behalf_phone) == ("王大爷", "13700000000")


# --- the story ----------------------------------------------------------------------------


def test_story_tax_help_for_small_firms(as_user, world, setup, client):
    """Small firms ask for tax help → dispatched to the accounting firm → lectures → reviewed."""
    as_user("resident")
    response = client.post(
        "/requests/new",
        data=_form(
            world,
            setup,
            category_id=str(setup.cat_a["tax"].id),
            title="小微企业不懂税务申报",
            urgency="normal",
        ),
    )
    assert response.status_code == 303
    order_id = db.session.scalars(select(HelpRequest.id)).one()
    as_user("secretary_a")
    page = client.get(f"/requests/{order_id}/dispatch").get_data(as_text=True)
    # The accounting firm (finance member) is the first suggestion, with the reason shown.
    assert page.index("诚信会计师事务所") < page.index("明珠面馆")
    assert "经营类别「财税」相近 +15" in page
    assert (
        _act(client, order_id, "dispatch", provider=f"merchant:{setup.firm.id}").status_code == 303
    )
    as_user("merchant")
    assert "小微企业不懂税务申报" in client.get("/requests/orders").get_data(as_text=True)
    for action in ("accept", "start"):
        assert _act(client, order_id, action).status_code == 303
    assert _act(client, order_id, "finish", note="3场讲座，26家企业参加").status_code == 303
    as_user("resident")
    assert _act(client, order_id, "review", rating="5", note="讲得很清楚").status_code == 303
    db.session.expire_all()
    order = db.session.get(HelpRequest, order_id)
    assert order.state == "reviewed" and order.rating == 5
    page = client.get(f"/requests/{order_id}").get_data(as_text=True)
    assert "3场讲座，26家企业参加" in page and "诚信会计师事务所" in page
    # The inbox shows an unread count in the navigation.
    assert "收件箱（" in client.get("/").get_data(as_text=True)


def test_story_herb_residue_escalated_to_the_street_office(
    as_user, world, setup, client, make_user
):
    """A pharmacy cannot dispose of herb residue → escalated → outside company → resolved."""
    from alliance.merchants.models import MerchantStaff

    owner = make_user("pharmacist", community=world.a, roles=("merchant_staff",))
    db.session.add(MerchantStaff(merchant_id=setup.pharmacy.id, user_id=owner.id, is_owner=True))
    db.session.commit()
    as_user("pharmacist")
    response = client.post(
        "/requests/new",
        data=_form(
            world,
            setup,
            category_id=str(setup.cat_a["environment"].id),
            title="中药药渣无法处理",
            estate_id="",
            shop_id=str(setup.pharmacy.id),
        ),
    )
    assert response.status_code == 303
    order_id = db.session.scalars(select(HelpRequest.id)).one()
    as_user("secretary_a")
    assert _act(client, order_id, "escalate", note="").status_code == 400  # a reason is needed
    assert _act(client, order_id, "escalate", note="社区无处置资质").status_code == 303
    as_user("street")
    page = client.get("/requests/escalations").get_data(as_text=True)
    assert "中药药渣无法处理" in page and "甲社区" in page
    # The list's filters (state, category) narrow it with their values as bind parameters.
    for query, shown in (
        ("state=escalated", True),
        ("state=done", False),
        ("category=environment", True),
        ("category=tax", False),
    ):
        listed = client.get(f"/requests/escalations?{query}").get_data(as_text=True)
        assert ("中药药渣无法处理" in listed) is shown, query
    assert "绿源环保科技有限公司" in client.get(f"/requests/{order_id}").get_data(as_text=True)
    assert (
        _act(client, order_id, "assign_unit", provider=f"unit:{setup.unit.id}").status_code == 303
    )
    assert _act(client, order_id, "finish", note="已签订清运协议，每周清运").status_code == 303
    db.session.expire_all()
    order = db.session.get(HelpRequest, order_id)
    assert order.state == "done" and order.provider_unit_id == setup.unit.id
    as_user("pharmacist")
    assert _act(client, order_id, "review", rating="5").status_code == 303


# --- bad transitions on the page ----------------------------------------------------------


def test_wrong_transitions_answer_409_or_403_and_change_nothing(as_user, world, setup, client):
    order = post_need(world)
    client = as_user("resident")
    response = _act(client, order.id, "accept")
    assert response.status_code == 409 and "不能接单" in response.get_data(as_text=True)
    response = _act(client, order.id, "review", rating="5")
    assert response.status_code == 409
    response = _act(client, order.id, "escalate", note="x")
    assert response.status_code == 403
    # JSON callers get a JSON error.
    response = client.post(f"/requests/{order.id}/actions/accept", json={})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == 409
    # A replayed dispatch (same version) is refused the second time.
    client = as_user("secretary_a")
    first = client.post(
        f"/requests/{order.id}/actions/dispatch",
        data={"version": 1, "provider": f"merchant:{setup.firm.id}", "confirm": "1"},
    )
    again = client.post(
        f"/requests/{order.id}/actions/dispatch",
        data={"version": 1, "provider": f"merchant:{setup.other.id}", "confirm": "1"},
    )
    assert first.status_code == 303 and again.status_code == 409
    db.session.expire_all()
    assert db.session.get(HelpRequest, order.id).provider_merchant_id == setup.firm.id
    assert (
        db.session.scalar(
            select(func.count(HelpRequestEvent.id)).where(HelpRequestEvent.action == "dispatch")
        )
        == 1
    )
    assert client.post(f"/requests/{order.id}/actions/fly").status_code == 404


def test_someone_elses_order_cannot_be_reviewed(as_user, world, setup):
    order = post_need(world)
    client = as_user("volunteer")
    assert _act(client, order.id, "review", rating="5").status_code == 404
    db.session.expire_all()
    assert db.session.get(HelpRequest, order.id).rating is None


def test_communities_are_isolated(as_user, world, setup):
    order_b = post_need(world, "resident_b", community=world.b)
    client = as_user("secretary_a")
    assert client.get(f"/requests/{order_b.id}").status_code == 404
    assert client.get(f"/requests/{order_b.id}/dispatch").status_code == 404
    assert (
        _act(client, order_b.id, "dispatch", provider=f"merchant:{setup.firm.id}").status_code
        == 404
    )
    assert f"#{order_b.id}" not in client.get("/requests/queue").get_data(as_text=True)


def test_overdue_orders_are_flagged_with_text_and_icon(as_user, world, setup):
    order = post_need(world, title="独居老人家里停电", code="elderly", urgency="emergency")
    order.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    post_need(world, title="还没到期的需求")
    client = as_user("secretary_a")
    page = client.get("/requests/queue").get_data(as_text=True)
    assert "已超时" in page and "⚠" in page
    assert page.index("独居老人家里停电") < page.index("还没到期的需求")
    page = client.get("/requests/queue?overdue=1").get_data(as_text=True)
    assert "独居老人家里停电" in page and "还没到期的需求" not in page


# --- bounded statement counts -------------------------------------------------------------


def _many(world, n, username="resident"):
    for i in range(n):
        post_need(world, username, title=f"需求{i}")


def _count(client, path, count_statements):
    with count_statements() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_queues_and_lists_use_a_fixed_number_of_statements(app, world, setup, count_statements):
    from alliance.help_requests import workflow
    from alliance.help_requests.workflow import Provider
    from tests.conftest import login

    def dispatch_all():
        for order in db.session.scalars(
            select(HelpRequest).where(HelpRequest.state == "submitted")
        ):
            action = "escalate" if order.id % 2 else "dispatch"
            workflow.transition(
                order,
                action,
                world.users["secretary_a"],
                provider=Provider("merchant", setup.firm.id),
                note="上报",
            )
        db.session.commit()

    paths = {
        "secretary_a": [
            "/requests/queue",
            "/requests/transparency",
            "/requests/resources",
            "/requests/projects",
            "/inbox/",
        ],
        "resident": ["/requests/mine"],
        "merchant": ["/requests/orders"],
        "street": ["/requests/escalations"],
    }
    clients = {u: app.test_client() for u in paths}
    for username, c in clients.items():
        assert login(c, username).status_code == 303
    _many(world, 2)
    dispatch_all()
    few = {(u, p): _count(clients[u], p, count_statements) for u, ps in paths.items() for p in ps}
    _many(world, 15)
    dispatch_all()
    many = {(u, p): _count(clients[u], p, count_statements) for u, ps in paths.items() for p in ps}
    assert few == many
    order = db.session.scalars(select(HelpRequest).limit(1)).first()
    client = clients["secretary_a"]
    order2 = post_need(world, title="派单建议")
    first = _count(client, f"/requests/{order2.id}/dispatch", count_statements)
    from tests.commitments.factories import create_merchant

    for n in range(10, 20):
        create_merchant(world.a, n, category="finance")
    db.session.commit()
    assert _count(client, f"/requests/{order2.id}/dispatch", count_statements) == first
    assert order is not None


def test_the_queue_pages_through_every_open_order_in_its_order(as_user, world, setup):
    """The queue reads a page of its lines and their total in one statement: the second page
    holds the rest, in the same order, and a page past the end is empty with the same total."""
    for k in range(23):
        post_need(world, title=f"第{k:02d}号需求")
    client = as_user("secretary_a")
    first, second = (client.get(f"/requests/queue?page={n}").get_data(as_text=True) for n in (1, 2))
    titles = [f"第{k:02d}号需求" for k in range(23)]
    on_first = [t for t in titles if t in first]
    on_second = [t for t in titles if t in second]
    assert len(on_first) == 20 and len(on_second) == 3 and not set(on_first) & set(on_second)
    assert sorted(on_first, key=first.index) == titles[:20]  # due first, then by number
    assert "共 23 条" in first and "共 23 条" in second
    beyond = client.get("/requests/queue?page=9").get_data(as_text=True)
    assert "共 23 条" in beyond and not any(t in beyond for t in titles)


def test_order_lines_come_in_the_order_asked_for_any_number_of_ids(world, setup):
    """The lines' statement takes a page of ids at once (queues.LINES_AT_ONCE): more are read
    in turns, fewer leave the rest of its slots empty, and unknown ids are left out."""
    orders = [post_need(world, title=f"第{k:02d}号") for k in range(25)]
    ids = [o.id for o in reversed(orders)]
    assert [line.id for line in queues.orders_for_list(ids)] == ids
    assert [line.title for line in queues.orders_for_list(ids[:3])] == [
        "第24号",
        "第23号",
        "第22号",
    ]
    assert [line.id for line in queues.orders_for_list([ids[0], 999_999, ids[1]])] == ids[:2]
    assert queues.orders_for_list([]) == []


def test_transparency_page_is_anonymous(client, world, setup):
    post_need(world, title="王秀英家13912345678水管坏了", code="repair")
    page = client.get("/requests/transparency").get_data(as_text=True)
    assert "13912345678" not in page and "3号楼" not in page
    assert "测试用户" not in page  # no names
    assert "甲一小区" in page and "维修服务" in page


def test_the_queue_lists_what_still_needs_doing_and_all_states_on_request(as_user, world, setup):
    finished = post_need(world, title="去年已办结的需求")
    finished.state = "closed"
    finished.due_at = utcnow() - timedelta(days=400)
    in_work = post_need(world, title="正在办理的需求")
    in_work.state = "in_progress"
    db.session.commit()
    client = as_user("secretary_a")
    page = client.get("/requests/queue").get_data(as_text=True)
    assert "正在办理的需求" in page and "去年已办结的需求" not in page
    assert '<option value="open" selected>' in page
    everything = client.get("/requests/queue?state=").get_data(as_text=True)
    # Finished orders come after everything still in work, however old their deadline.
    assert everything.index("正在办理的需求") < everything.index("去年已办结的需求")


def test_dispatch_and_cancel_ask_again_without_javascript(as_user, world, setup, client):
    order = post_need(world)
    client = as_user("secretary_a")
    asked = client.post(
        f"/requests/{order.id}/actions/dispatch",
        data={"version": order.version, "provider": f"merchant:{setup.firm.id}"},
    )
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "确认派给 诚信会计师事务所" in text and 'name="confirm" value="1"' in text
    db.session.expire_all()
    assert db.session.get(HelpRequest, order.id).state == "submitted"
    done = _act(client, order.id, "dispatch", provider=f"merchant:{setup.firm.id}")
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpRequest, order.id).state == "dispatched"

    client = as_user("resident")
    asked = client.post(
        f"/requests/{order.id}/actions/cancel", data={"version": order.version, "note": "不需要了"}
    )
    assert asked.status_code == 200 and "确认撤销工单" in asked.get_data(as_text=True)
    assert 'name="note" value="不需要了"' in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HelpRequest, order.id).state == "dispatched"
    assert _act(client, order.id, "cancel", note="不需要了").status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpRequest, order.id).state == "cancelled"


def test_the_public_sees_category_estate_and_the_approved_summary_only(
    client, as_user, world, setup
):
    order = post_need(world, title="独居老人家中水管漏水, 云水明珠一期", code="repair")
    page = client.get("/requests/transparency").get_data(as_text=True)
    assert "独居老人家中水管漏水" not in page and "维修服务" in page and "甲一小区" in page
    secretary = as_user("secretary_a")
    detail = secretary.get(f"/requests/{order.id}").get_data(as_text=True)
    assert "公开摘要" in detail
    saved = secretary.post(
        f"/requests/{order.id}/summary",
        data={"summary": "为3位独居老人修水管，回访电话13912345678"},
    )
    assert saved.status_code == 303
    page = client.get("/requests/transparency").get_data(as_text=True)
    assert "为3位独居老人修水管" in page  # short numbers read as written
    assert "13912345678" not in page and "***********" in page
    too_long = secretary.post(f"/requests/{order.id}/summary", data={"summary": "长" * 61})
    assert too_long.status_code == 422
    form = as_user("resident").get("/requests/new").get_data(as_text=True)
    assert "您写的标题、详情、联系方式和照片都不公开" in form
    assert (
        as_user("resident").post(f"/requests/{order.id}/summary", data={"summary": "x"}).status_code
        == 403
    )


def test_the_queue_filter_form_follows_categories_choices_and_language(as_user, world, setup):
    """The filter form is kept per filters, categories and language (alliance.fragments): a
    renamed or new category, another choice and another language all show on the next page."""
    client = as_user("secretary_a")
    category = db.session.scalars(
        select(ServiceCategory).where(ServiceCategory.community_id == world.a.id)
    ).first()
    page = client.get("/requests/queue").get_data(as_text=True)
    assert f'<option value="{category.code}" >{category.name}</option>' in page
    category.name = "改名后的类别"
    db.session.add(ServiceCategory(community_id=world.a.id, code="pets", name="宠物纠纷"))
    db.session.commit()
    page = client.get("/requests/queue").get_data(as_text=True)
    assert f'<option value="{category.code}" >改名后的类别</option>' in page
    assert '<option value="pets" >宠物纠纷</option>' in page
    # Each choice alone makes another form (each visit differs from the last in one choice).
    chosen = client.get("/requests/queue?state=done&overdue=1").get_data(as_text=True)
    assert '<option value="done" selected>' in chosen and 'value="1" checked' in chosen
    assert '<option value="pets" >' in chosen
    chosen = client.get("/requests/queue?state=done&overdue=1&category=pets").get_data(as_text=True)
    assert '<option value="pets" selected>宠物纠纷</option>' in chosen
    chosen = client.get("/requests/queue?state=done&category=pets").get_data(as_text=True)
    assert 'value="1" checked' not in chosen
    chosen = client.get("/requests/queue?state=closed&category=pets").get_data(as_text=True)
    assert '<option value="closed" selected>' in chosen
    # A state or category that is none of the options selects nothing: one kept form for all
    # of them, not one per address typed.
    kept = current_app.extensions["alliance_fragments"]
    before = sum(1 for key in kept if key[0] == "order-filters")
    for typed in ("?state=x1&category=y1", "?state=x2&category=y2", "?state=x3&category=y3"):
        page = client.get(f"/requests/queue{typed}").get_data(as_text=True)
        assert "selected>" not in page.split('id="category"')[0].split('id="state"')[1]
    assert sum(1 for key in kept if key[0] == "order-filters") == before + 1
    client.post("/language", data={"locale": "en"})
    english = client.get("/requests/queue").get_data(as_text=True)
    assert '<option value="" >All statuses</option>' in english
