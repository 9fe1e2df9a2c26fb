"""Exchange items (兑换项目) under members' points-exchange commitments, and where points can
be spent."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from alliance.accounts.models import User
from alliance.clock import local_today
from alliance.commitments.models import Commitment, CommitmentKind, CommitmentStatus
from alliance.communities.models import Community
from alliance.database import lock_for_write
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import Merchant, MerchantStatus
from alliance.points.errors import PointsError
from alliance.points.inputs import MAX_ITEM_POINTS, MAX_STOCK, parse_points, whole_number
from alliance.points.models import ExchangeItem
from alliance.points.scoring import item_limit


def points_commitments(merchant_ids) -> list[Commitment]:
    """Published points-exchange commitments (积分兑换承诺) of these members."""
    if not merchant_ids:
        return []
    return list(
        db.session.scalars(
            select(Commitment)
            .where(
                Commitment.merchant_id.in_(merchant_ids),
                Commitment.kind == CommitmentKind.POINTS,
                Commitment.status == CommitmentStatus.PUBLISHED,
            )
            .order_by(Commitment.merchant_id, Commitment.id)
        )
    )


@dataclass
class ItemInput:
    title: str
    description: str
    points: object
    stock: object
    per_person_limit: object  # "" or None: no limit
    active: bool = True


def _checked_item(data: ItemInput, community_id: int) -> dict:
    title = (data.title or "").strip()
    if not title:
        raise PointsError(_l("请填写兑换什么。"), code="title_required", field="title")
    if len(title) > 80:
        raise PointsError(_l("名称不能超过80字。"), code="title_too_long", field="title")
    description = (data.description or "").strip()
    if len(description) > 300:
        raise PointsError(
            _l("说明不能超过300字。"), code="description_too_long", field="description"
        )
    points = parse_points(data.points, maximum=MAX_ITEM_POINTS)
    limit = item_limit(community_id, local_today())
    if points > limit:
        raise PointsError(
            _l("按现行兑换规则，一个兑换项目不能超过%(n)d分。", n=limit),
            code="over_exchange_rule",
            field="points",
        )
    stock = whole_number(data.stock, "stock", 0, MAX_STOCK, _l("库存"))
    limit_text = str(data.per_person_limit if data.per_person_limit is not None else "").strip()
    limit = (
        None
        if limit_text == ""
        else whole_number(limit_text, "per_person_limit", 1, 1000, _l("每人限兑"))
    )
    return {
        "title": title,
        "description": description,
        "points": points,
        "stock": stock,
        "per_person_limit": limit,
        "active": bool(data.active),
    }


def create_item(commitment: Commitment, data: ItemInput, actor: User) -> ExchangeItem:
    if commitment.kind != CommitmentKind.POINTS or commitment.status != CommitmentStatus.PUBLISHED:
        raise PointsError(
            _l("兑换项目要挂在已公示的积分兑换承诺下。"),
            code="not_points_commitment",
            field="commitment_id",
        )
    values = _checked_item(data, commitment.community_id)
    item = ExchangeItem(
        community_id=commitment.community_id,
        merchant_id=commitment.merchant_id,
        commitment_id=commitment.id,
        created_by_id=actor.id,
        **values,
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(item: ExchangeItem, data: ItemInput) -> ExchangeItem:
    values = _checked_item(data, item.community_id)
    lock_for_write()
    for name, value in values.items():
        setattr(item, name, value)
    db.session.flush()
    return item


def items_of(merchant_ids) -> list[ExchangeItem]:
    if not merchant_ids:
        return []
    return list(
        db.session.scalars(
            select(ExchangeItem)
            .where(ExchangeItem.merchant_id.in_(merchant_ids))
            .order_by(ExchangeItem.merchant_id, ExchangeItem.id)
        )
    )


WHERE_PAGE_SIZE = 60


def where_to_spend(community_ids=None, merchant_id: int | None = None, page: int = 1):
    """Where points can be used (/points/where): the active items of active members, with
    their member and community, cheapest first within each member; one page of them.

    `community_ids` narrows to those communities (a holder spends only in its own);
    `merchant_id` to one member (its page). Two statements: the page and the count.
    """
    stmt = (
        select(ExchangeItem)
        .join(Merchant, Merchant.id == ExchangeItem.merchant_id)
        .join(Community, Community.id == Merchant.community_id)
        .where(ExchangeItem.active, Merchant.status == MerchantStatus.ACTIVE)
        .options(contains_eager(ExchangeItem.merchant).contains_eager(Merchant.community))
        .order_by(Community.name, Merchant.number, ExchangeItem.points, ExchangeItem.id)
    )
    if community_ids is not None:
        stmt = stmt.where(Merchant.community_id.in_(community_ids))
    if merchant_id is not None:
        stmt = stmt.where(ExchangeItem.merchant_id == merchant_id)
    return db.paginate(stmt, page=page, per_page=WHERE_PAGE_SIZE, error_out=False)
