from sqlalchemy import func, select

from alliance.commitments.models import (
    BrokenCommitmentReport,
    Commitment,
    CommitmentStatus,
    Offer,
)
from alliance.communities.models import Community
from alliance.extensions import db


def _published(community_id):
    return db.session.scalar(
        select(func.count(Commitment.id)).where(
            Commitment.community_id == community_id,
            Commitment.status == CommitmentStatus.PUBLISHED,
        )
    )


def test_demo_publishes_the_storys_79_commitments_idempotently(runner, client):
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
    ysmz = db.session.scalars(select(Community).where(Community.code == "YSMZ")).one()
    assert _published(ysmz.id) == 79
    kinds = dict(
        db.session.execute(
            select(Commitment.kind, func.count())
            .where(
                Commitment.status == CommitmentStatus.PUBLISHED, Commitment.community_id == ysmz.id
            )
            .group_by(Commitment.kind)
        ).all()
    )
    assert set(kinds) == {"integrity", "service", "points"}
    rates = set(db.session.scalars(select(Offer.rate_percent)))
    assert {68, 70, 85} <= rates
    pending = db.session.scalar(
        select(func.count(Commitment.id)).where(Commitment.status == CommitmentStatus.PENDING)
    )
    assert pending >= 1
    assert db.session.scalar(select(func.count(BrokenCommitmentReport.id))) == 1

    before = db.session.scalar(select(func.count(Commitment.id)))
    assert runner.invoke(args=["seed-demo", "--password", "DemoPass123"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Commitment.id))) == before

    home = client.get("/").get_data(as_text=True)
    assert "公示承诺" in home and ">79<" in home
    board = client.get("/commitments/?community=YSMZ").get_data(as_text=True)
    assert "共公示承诺 79 项" in board
    clinic = client.get("/commitments/?q=中医 义诊").get_data(as_text=True)
    assert "每月第一个周六上午" in clinic
    queue = client.get("/api/v1/commitments?q=6.8折").get_json()
    assert queue["items"] and queue["items"][0]["offer"]["rate"] == "6.8折"
