from alliance.commitments.models import BrokenCommitmentReport, CommitmentStatus
from alliance.extensions import db
from tests.authz.matrix import Case, everyone, only, signed_in
from tests.commitments.factories import create_commitment, create_merchant

ADMIN_A = ("secretary_a", "street")


def setup(world) -> dict:
    shop = create_merchant(world.a, 901, name="矩阵面馆", staff=[world.users["merchant"]])
    published = create_commitment(shop, title="矩阵承诺", rate=85)
    pending = create_commitment(shop, title="待审承诺", status=CommitmentStatus.PENDING)
    draft = create_commitment(shop, title="草稿承诺", status=CommitmentStatus.DRAFT)
    report = BrokenCommitmentReport(
        commitment_id=published.id,
        community_id=shop.community_id,
        reporter_id=world.users["resident"].id,
        text="没有给折扣，店员说不知道",
    )
    db.session.add(report)
    db.session.commit()
    return {
        "published_commitment": published.id,
        "pending_commitment": pending.id,
        "draft_commitment": draft.id,
        "commitment_report": report.id,
    }


ROWS = {
    "commitments.index": Case("GET", "/commitments/", everyone(200)),
    "commitments.detail": Case("GET", "/commitments/{published_commitment}", everyone(200)),
    "commitments.history": Case(
        "GET", "/commitments/{published_commitment}/history", everyone(200)
    ),
    "commitments.mine": Case("GET", "/commitments/mine", only("merchant")),
    "commitments.create": Case("GET", "/commitments/new", only("merchant")),
    "commitments.edit": Case("GET", "/commitments/{draft_commitment}/edit", only("merchant")),
    "commitments.submit": Case(
        "POST", "/commitments/{draft_commitment}/submit", only("merchant", ok=302)
    ),
    "commitments.correct": Case(
        "POST", "/commitments/{published_commitment}/correct", only("merchant", ok=302)
    ),
    # Public commitment: other people get 403; another community's secretary 404.
    "commitments.withdraw": Case(
        "GET",
        "/commitments/{published_commitment}/withdraw",
        only("merchant", *ADMIN_A, secretary_b=404),
    ),
    "commitments.review": Case("GET", "/commitments/review", only(*ADMIN_A, "secretary_b")),
    "commitments.approve": Case(
        "POST",
        "/commitments/{pending_commitment}/approve",
        only(*ADMIN_A, ok=302, secretary_b=404),
    ),
    "commitments.reject": Case(
        "GET", "/commitments/{pending_commitment}/reject", only(*ADMIN_A, secretary_b=404)
    ),
    "commitments.record_note": Case(
        "GET", "/commitments/{published_commitment}/notes", only(*ADMIN_A, secretary_b=404)
    ),
    "commitments.report": Case("GET", "/commitments/{published_commitment}/report", signed_in(200)),
    "commitments.reports": Case("GET", "/commitments/reports", only(*ADMIN_A, "secretary_b")),
    "commitments.handle_report": Case(
        "GET",
        "/commitments/reports/{commitment_report}/handle",
        only(*ADMIN_A, secretary_b=404),
    ),
    "commitments_api.index": Case("GET", "/api/v1/commitments", everyone(200)),
}
