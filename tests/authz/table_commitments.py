from alliance.extensions import db
from tests.authz.matrix import Case, everyone
from tests.commitments.factories import create_commitment, create_merchant


def setup(world) -> dict:
    shop = create_merchant(world.a, 901, name="矩阵面馆", staff=[world.users["merchant"]])
    published = create_commitment(shop, title="矩阵承诺", rate=85)
    db.session.commit()
    return {"published_commitment": published.id}


ROWS = {
    "commitments.detail": Case("GET", "/commitments/{published_commitment}", everyone(200)),
}
