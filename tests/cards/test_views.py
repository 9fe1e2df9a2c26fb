"""Pages: the holder's card, verification at the counter, redemption, history, reports, admin."""

import io
import re

import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from alliance.cards import codes
from alliance.cards.models import Card, Redemption
from alliance.validators import mask_name
from tests.pages import verdict


def test_my_card_shows_kind_number_masked_name_and_a_qr_of_the_url_only(counter, as_user):
    client = as_user("volunteer")
    client.get("/")  # the welcome flash
    page = client.get("/me/card")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "志愿者卡" in html and counter.card.number in html
    name = counter.card.holder.display_name
    assert mask_name(name) in html and name not in html
    assert re.search(r'<svg [^>]*class="qr"', html) and "<script>" not in html
    assert "style=" not in html.split("<main", 1)[1]
    png = client.get(f"/me/card/{counter.card_id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert [d.text for d in decoded] == [f"http://localhost/c/{counter.code}"]


def test_site_url_setting_is_used_in_the_qr(app, counter, as_user):
    app.config["SITE_URL"] = "https://alliance.example.cn"
    try:
        client = as_user("volunteer")
        png = client.get(f"/me/card/{counter.card_id}/qr.png")
        decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
        assert decoded[0].text == f"https://alliance.example.cn/c/{counter.code}"
    finally:
        app.config.pop("SITE_URL")


def test_rotating_endpoint_gives_a_code_that_verifies(counter, as_user):
    client = as_user("volunteer")
    data = client.get(f"/me/card/{counter.card_id}/rotating.json").get_json()
    assert data["url"].endswith("/c/" + data["code"])
    assert data["qr"].startswith("data:image/svg+xml;base64,")
    assert 0 < data["expires_in"] <= 30
    merchant = as_user("merchant")
    html = merchant.get("/c/" + data["code"]).get_data(as_text=True)
    assert verdict(html) == "有效" and "动态码" in html


def test_other_people_cannot_see_someone_elses_card_images(counter, as_user):
    client = as_user("resident")
    assert client.get(f"/me/card/{counter.card_id}/qr.png").status_code == 404
    assert client.get(f"/me/card/{counter.card_id}/rotating.json").status_code == 404


def test_anyone_else_learns_only_valid_or_not(counter, client, as_user):
    page = client.get(f"/c/{counter.code}").get_data(as_text=True)
    assert verdict(page) == "有效" and "这是一张有效的联盟卡" in page
    assert counter.card.number not in page and "王" not in page
    assert "面条" not in page
    resident = as_user("resident")
    page = resident.get(f"/c/{counter.code}").get_data(as_text=True)
    assert counter.card.number not in page
    bad = client.get("/c/" + "x" * 3000)
    assert bad.status_code == 200 and verdict(bad.get_data(as_text=True)) == "无效"
    assert client.get("/c/%E5%8D%A1%E5%8D%A1").status_code == 200


def test_merchant_sees_reason_kind_masked_name_and_own_offers(counter, as_user, db):
    client = as_user("merchant")
    html = client.get(f"/c/{counter.code}").get_data(as_text=True)
    assert verdict(html) == "有效" and "志愿者卡" in html and "王*明" in html
    assert "面条85折" in html and "饮料9折" in html and "静态码" in html
    counter.card.status = "suspended"
    db.session.commit()
    html = client.get(f"/c/{counter.code}").get_data(as_text=True)
    assert verdict(html) == "无效" and "卡已暂停" in html
    html = client.get("/c/not-a-real-code-at-all-xx").get_data(as_text=True)
    assert "无法识别的卡" in html


def _key(html):
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_redeem_once_even_when_the_form_is_sent_twice(counter, as_user, db):
    client = as_user("merchant")
    key = _key(client.get(f"/c/{counter.code}").get_data(as_text=True))
    form = {"offer_id": counter.daily_id, "bill": "12.34", "key": key}
    first = client.post(f"/c/{counter.code}/redeem", data=form)
    second = client.post(f"/c/{counter.code}/redeem", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    receipt = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "¥10.49" in receipt and "¥1.85" in receipt
    assert db.session.scalar(select(func.count(Redemption.id))) == 1
    # A new form (new key) for the same once-a-day offer is refused with a clear message.
    key2 = _key(client.get(f"/c/{counter.code}").get_data(as_text=True))
    third = client.post(f"/c/{counter.code}/redeem", data={**form, "key": key2})
    assert third.status_code == 409 and "上限" in third.get_data(as_text=True)


def test_cashier_reading_english_sees_what_comes_off(counter, as_user):
    client = as_user("merchant")
    client.post("/language", data={"locale": "en"})
    html = client.get(f"/c/{counter.code}").get_data(as_text=True)
    assert "15% off (pay 85%)" in html and "10% off (pay 90%)" in html and "8.5折" not in html
    form = {"offer_id": counter.daily_id, "bill": "100", "key": _key(html)}
    receipt = client.get(client.post(f"/c/{counter.code}/redeem", data=form).headers["Location"])
    assert "15% off (pay 85%)" in receipt.get_data(as_text=True)
    client.post("/language", data={"locale": "zh_CN"})
    assert "8.5折" in client.get(receipt.request.path).get_data(as_text=True)


def test_bad_bill_amounts_get_a_message(counter, as_user):
    client = as_user("merchant")
    for bill in ("-1", "abc", "12.345", "1e9", "100001"):
        response = client.post(
            f"/c/{counter.code}/redeem",
            data={"offer_id": counter.free_id, "bill": bill, "key": "k" + bill},
        )
        assert response.status_code == 422, bill
        assert "最多两位小数" in response.get_data(as_text=True)


def test_suspended_merchant_staff_get_only_valid_and_cannot_redeem(counter, as_user, db):
    counter.shop.status = "suspended"
    db.session.commit()
    client = as_user("merchant")
    html = client.get(f"/c/{counter.code}").get_data(as_text=True)
    assert counter.card.number not in html
    response = client.post(
        f"/c/{counter.code}/redeem", data={"offer_id": counter.free_id, "key": "z1"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Redemption.id))) == 0


def test_scan_accepts_number_url_or_code(counter, as_user):
    client = as_user("merchant")
    assert "BarcodeDetector" not in client.get("/scan").get_data(as_text=True)
    for text in (f"https://x.example/c/{counter.code}", counter.code):
        response = client.post("/scan", data={"text": text})
        assert response.status_code == 302 and response.headers["Location"].endswith(counter.code)
    by_number = client.post("/scan", data={"text": counter.card.number.lower()})
    assert by_number.status_code == 200 and counter.code not in by_number.get_data(as_text=True)
    missing = client.post("/scan", data={"text": "AAA-999999"})
    assert "没有找到这张卡" in missing.get_data(as_text=True)


def test_history_and_reports(counter, as_user, db, runner):
    client = as_user("merchant")
    key = _key(client.get(f"/c/{counter.code}").get_data(as_text=True))
    client.post(
        f"/c/{counter.code}/redeem", data={"offer_id": counter.free_id, "bill": "100", "key": key}
    )
    volunteer = as_user("volunteer")
    history = volunteer.get("/me/card/history").get_data(as_text=True)
    assert "明珠面馆" in history and "累计节省 ¥10.00" in history
    merchant = as_user("merchant")
    report = merchant.get("/cards/merchant").get_data(as_text=True)
    assert "核销 1 次" in report and "¥10.00" in report
    csv_text = merchant.get("/cards/merchant.csv").get_data(as_text=True)
    assert counter.card.number in csv_text and "10.00" in csv_text
    secretary = as_user("secretary_a")
    report = secretary.get("/cards/report").get_data(as_text=True)
    assert "明珠面馆" in report and "节省 ¥10.00" in report
    csv_text = secretary.get("/cards/report.csv").get_data(as_text=True)
    assert "明珠面馆" in csv_text
    other = as_user("secretary_b")
    assert "明珠面馆" not in other.get("/cards/report").get_data(as_text=True)


def test_secretary_issues_suspends_reissues_and_prints(counter, world, as_user, db, make_user):
    client = as_user("secretary_a")
    response = client.post("/cards/issue", data={"person": "merchant", "kind": "alliance"})
    assert response.status_code == 302
    card = db.session.scalars(select(Card).where(Card.kind == "alliance")).one()
    assert card.holder_id == world.users["merchant"].id
    dup = client.post(
        "/cards/issue", data={"person": "merchant", "kind": "alliance"}, follow_redirects=True
    )
    assert "已经有一张" in dup.get_data(as_text=True)
    client.post(f"/cards/{counter.card_id}/status", data={"action": "reissue", "reason": "丢失"})
    db.session.expire_all()
    assert db.session.get(Card, counter.card_id).status == "lost"
    printed = client.get(f"/cards/{card.id}/print").get_data(as_text=True)
    assert (
        "85.6" not in printed
        and card.number in printed
        and re.search(r'<svg [^>]*class="qr"', printed)
    )
    sheet = client.get("/cards/print").get_data(as_text=True)
    assert sheet.count('class="print-card') >= 2
    assert as_user("secretary_b").get(f"/cards/{card.id}").status_code == 404


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "/me/card" in response.get_data(as_text=True)


def test_api_tokens_in_settings(counter, as_user, db):
    client = as_user("merchant")
    page = client.post("/cards/tokens", data={"name": "前台", "merchant_id": counter.shop_id})
    raw = re.search(r"<code>(alc_[^<]+)</code>", page.get_data(as_text=True)).group(1)
    from alliance.api.tokens import user_for_token

    assert user_for_token(raw).username == "merchant"
    token_id = db.session.scalars(select(Card.id)).first()  # any id; real one below
    from alliance.api.models import ApiToken

    token_id = db.session.scalars(select(ApiToken.id)).one()
    client.post(f"/cards/tokens/{token_id}/revoke")
    db.session.expire_all()
    assert user_for_token(raw) is None
    assert codes.parse_code(raw) is None
