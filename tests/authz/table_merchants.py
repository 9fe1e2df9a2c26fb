from alliance.accounts import services as accounts
from alliance.extensions import db
from alliance.merchants.models import MerchantStaff
from tests.authz.matrix import LOGIN, Case, everyone, only, signed_in
from tests.merchants.factories import make_application, make_member

ADMINS = ("secretary_a", "street", "secretary_b")


def setup(world) -> dict:
    owner = world.users["merchant"]
    member = make_member(world.a, "矩阵餐厅", owner=owner, estate=world.estate_a)
    clerk = accounts.create_user(
        username="clerk_m", display_name="店员甲", password="x1y2z3w4q5", community=world.a
    )
    db.session.add(MerchantStaff(merchant_id=member.id, user_id=clerk.id))
    db.session.commit()
    owner_link = (
        db.session.query(MerchantStaff).filter_by(merchant_id=member.id, user_id=owner.id).one()
    )
    application = make_application(
        world.users["resident"], name="矩阵申请店", estate=world.estate_a
    )
    return {
        "merchant_a": member.id,
        "merchant_a_owner_link": owner_link.id,
        "merchant_app_a": application.id,
    }


def _only_owner(ok):
    return {**dict.fromkeys(everyone(), 404), "anonymous": LOGIN, "merchant": ok}


ROWS = {
    "merchants.index": Case("GET", "/merchants/", everyone(200)),
    "merchants.detail": Case("GET", "/merchants/{merchant_a}", everyone(200)),
    "merchants_api.index": Case("GET", "/api/v1/merchants", everyone(200)),
    # Street officers belong to no community: they are sent away with a message.
    "merchants.apply": Case("GET", "/merchants/apply", signed_in(200) | {"street": 302}),
    "merchants.my_applications": Case("GET", "/merchants/applications/mine", signed_in(200)),
    "merchants.edit_application": Case(
        "GET",
        "/merchants/applications/{merchant_app_a}/edit",
        {**dict.fromkeys(everyone(), 404), "anonymous": LOGIN, "resident": 200},
    ),
    "merchants.review_queue": Case("GET", "/merchants/review", only(*ADMINS)),
    "merchants.review": Case(
        "GET", "/merchants/review/{merchant_app_a}", only(*ADMINS, secretary_b=404)
    ),
    # Empty forms: nothing is approved or changed; the form comes back (422) or a flash (302).
    "merchants.approve": Case(
        "POST", "/merchants/review/{merchant_app_a}/approve", only(*ADMINS, ok=422, secretary_b=404)
    ),
    "merchants.request_changes": Case(
        "POST",
        "/merchants/review/{merchant_app_a}/request-changes",
        only(*ADMINS, ok=302, secretary_b=404),
    ),
    "merchants.reject": Case(
        "POST", "/merchants/review/{merchant_app_a}/reject", only(*ADMINS, ok=302, secretary_b=404)
    ),
    "merchants.manage": Case("GET", "/merchants/manage", only(*ADMINS)),
    "merchants.manage_detail": Case(
        "GET", "/merchants/manage/{merchant_a}", only(*ADMINS, secretary_b=404)
    ),
    "merchants.change_status": Case(
        "POST", "/merchants/manage/{merchant_a}/status", only(*ADMINS, ok=422, secretary_b=404)
    ),
    "merchants.agreement": Case(
        "GET",
        "/merchants/{merchant_a}/agreement",
        only("secretary_a", "street", "merchant", secretary_b=404),
    ),
    "merchants.mine": Case("GET", "/merchants/mine", signed_in(200)),
    "merchants.staff": Case("GET", "/merchants/mine/{merchant_a}/staff", _only_owner(200)),
    "merchants.add_staff": Case("POST", "/merchants/mine/{merchant_a}/staff", _only_owner(422)),
    # The owner's own link: refused with a message, so every role sees the same state.
    "merchants.remove_staff": Case(
        "POST",
        "/merchants/mine/{merchant_a}/staff/{merchant_a_owner_link}/remove",
        _only_owner(302),
    ),
}
