from flask import render_template

from alliance.commitments.models import CommitmentKind, CommitmentStatus
from alliance.commitments.published import published_for_merchants
from tests.commitments.factories import create_commitment, create_merchant


def test_groups_published_commitments_by_merchant_in_fixed_queries(
    app, world, db, count_statements
):
    shops = [create_merchant(world.a, n) for n in range(1, 4)]
    create_commitment(
        shops[0],
        kind=CommitmentKind.SERVICE,
        title="义诊",
        service={"what": "免费中医义诊", "when_text": "每月第一个周六上午"},
    )
    create_commitment(shops[0], title="会员优惠", rate=68)
    create_commitment(shops[1], title="草稿", status=CommitmentStatus.DRAFT)
    ids = [m.id for m in shops]
    db.session.commit()
    db.session.expire_all()

    with count_statements() as counter, app.test_request_context("/"):
        result = published_for_merchants(ids)
        html = render_template("commitments/_merchant_commitments.html", commitments=result[ids[0]])
    assert counter.count <= 3
    assert [c.title for c in result[ids[0]]] == ["会员优惠", "义诊"]  # integrity first
    assert result[ids[1]] == [] and result[ids[2]] == []
    assert "6.8折" in html and "每月第一个周六上午" in html and "信誉" in html


def test_empty_input_runs_no_query(db, count_statements):
    with count_statements() as counter:
        assert published_for_merchants([]) == {}
    assert counter.count == 0
