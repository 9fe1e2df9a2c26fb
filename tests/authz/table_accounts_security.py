from alliance.accounts import reset_links
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in

ROWS = {
    # A resident asking for their own link is sent to /me; community B's secretary gets a 404.
    "account_security.create_reset_link": Case(
        "POST",
        "/people/{a_resident}/reset-link",
        only("secretary_a", "street", resident=302, secretary_b=404),
    ),
    "account_security.reset_password": Case("GET", "/reset/{reset_token}", everyone(200)),
    "account_security.my_data": Case("GET", "/me/data", signed_in(200)),
    "account_security.close_account": Case("GET", "/me/close", signed_in(200)),
}


def setup(world) -> dict:
    token = reset_links.create_reset_link(world.users["resident_b"], by=world.users["secretary_b"])
    db.session.commit()
    return {"reset_token": token}
