"""Supplies: items, stores and the moves that change stock (入库, 发放, 归还, 盘点调整).

Every move is one conditional UPDATE of the stock row (`quantity + :delta >= 0` in its WHERE):
two issues racing for the last boats cannot both succeed, and stock never goes negative.
An issue that takes an item below its minimum tells the community's secretaries.

Amounts come in as the reader writes them ("3", "2.5") and are stored in the item's steps
(see supply_models.SCALES): boats and bags whole, 砂石料 and 木桩 to 0.01 m³.
"""

from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from alliance.accounts.models import Role, User
from alliance.accounts.services import secretary_ids
from alliance.communities.models import Community
from alliance.db_types import utcnow
from alliance.emergency.services import EmergencyError, running_in_community
from alliance.emergency.supply_models import (
    ADJUST_REASONS,
    ITEM_KINDS,
    MoveKind,
    Pledge,
    Stock,
    StockMove,
    SupplyItem,
    SupplyStore,
    amount_of,
    amount_text,
    scale_of,
)
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.inputs import parse_count
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus
from alliance.notifications.services import notify

MAX_COUNT = 1_000_000


def _secretary(actor: User | None, community_id: int) -> None:
    if actor is not None and not (
        actor.has_role(Role.SECRETARY) and actor.community_id == community_id
    ):
        raise EmergencyError(_l("只有社区书记可以这样做。"), status=403)


def _count(value, field: str, *, allow_zero=False) -> int:
    """A whole number of things: no fractions, no negatives."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise EmergencyError(_l("数量要填整数。"), field=field)
    low = 0 if allow_zero else 1
    if not low <= value <= MAX_COUNT:
        raise EmergencyError(_l("数量要填 %(low)s 到 1000000 的整数。", low=low), field=field)
    return value


def _amount(value, scale: int, field: str, *, allow_zero=False, signed=False) -> int:
    """What was written ("2.5", "１０", 3, Decimal) → steps of the item (int); fractions only
    where the item is measured by volume, and to 0.01 at most. Plain digits only, read by the
    site's one parser (`alliance.inputs.parse_count`): "1e3", "+3", "1 000" are refused with
    one message, never read as 1000."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise EmergencyError(_l("请填写数量。"), field=field)
    # Any number of decimals and a sign here, so the message below can say what is wrong.
    number = parse_count(value, places=6, signed=True)
    if number is None:
        raise EmergencyError(
            _l("数量只能填阿拉伯数字，例如 3 或 2.5（不能写 1e3、+3，数字中间不能有空格）。"),
            field=field,
        )
    if abs(number) > MAX_COUNT:
        raise EmergencyError(_l("数量最多 1000000。"), field=field)
    steps = number * scale
    if steps != steps.to_integral_value():
        if scale == 1:
            raise EmergencyError(_l("这种物资按件数计，数量要填整数。"), field=field)
        raise EmergencyError(_l("体积最多精确到 0.01 m³。"), field=field)
    steps = int(steps)
    if steps < 0 and signed:
        return -_amount(-number, scale, field)
    low = 0 if allow_zero else 1
    if not low <= steps <= MAX_COUNT * scale:
        raise EmergencyError(
            _l("数量要在 %(low)s 到 1000000 之间。", low=low)
            if scale == 1
            else _l("数量要大于 0，最多 1000000。"),
            field=field,
        )
    return steps


def create_store(community: Community, *, name: str, place: str, actor: User | None):
    _secretary(actor, community.id)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise EmergencyError(_l("请填写仓库名称（最多 60 字）。"), field="name")
    store = SupplyStore(community_id=community.id, name=name, place=(place or "").strip()[:120])
    db.session.add(store)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise EmergencyError(_l("已有同名的仓库。"), field="name", status=409) from None
    return store


def create_item(
    community: Community, *, kind: str, name: str, minimum, actor: User | None
) -> SupplyItem:
    _secretary(actor, community.id)
    if kind not in ITEM_KINDS:
        raise EmergencyError(_l("请选择物资种类。"), field="kind")
    label, unit = ITEM_KINDS[kind]
    name = (name or "").strip() or str(label)
    if len(name) > 40:
        raise EmergencyError(_l("物资名称最多 40 字。"), field="name")
    scale = scale_of(kind)
    item = SupplyItem(
        community_id=community.id,
        kind=kind,
        name=name,
        unit=str(unit),
        scale=scale,
        minimum_units=_amount(minimum, scale, "minimum", allow_zero=True),
    )
    db.session.add(item)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise EmergencyError(_l("已有同名的物资。"), field="name", status=409) from None
    return item


def _ensure_stock_row(community_id: int, store_id: int, item_id: int) -> None:
    exists = db.session.scalar(
        select(Stock.id).where(Stock.store_id == store_id, Stock.item_id == item_id)
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(Stock).values(
                        community_id=community_id, store_id=store_id, item_id=item_id, quantity=0
                    )
                )
        except IntegrityError:
            pass  # another request made it first; the UPDATE below uses it


def move(
    store: SupplyStore,
    item: SupplyItem,
    *,
    kind: str,
    count,
    recipient: str = "",
    reason: str = "",
    actor: User | None,
) -> StockMove:
    """入库/归还 add, 发放 takes away, 盘点调整 sets a signed change with a reason.

    `count` is in the item's unit (3 boats, "2.5" m³); the stock changes by its steps."""
    if actor is not None and not (
        actor.community_id == store.community_id
        and actor.has_role(Role.SECRETARY, Role.GRID_WORKER)
    ):
        raise EmergencyError(_l("只有社区书记和网格员可以登记物资进出。"), status=403)
    if item.community_id != store.community_id:
        raise EmergencyError(_l("请选择本社区的物资。"), field="item_id")
    if kind not in set(MoveKind):
        raise EmergencyError(_l("请选择进出类型。"), field="kind")
    recipient = (recipient or "").strip()
    if kind == MoveKind.ADJUST:
        if reason not in ADJUST_REASONS:
            raise EmergencyError(_l("盘点调整要选择原因。"), field="reason")
        delta = _amount(count, item.scale, "count", signed=True)
    else:
        reason = ""
        delta = _amount(count, item.scale, "count")
        if kind == MoveKind.ISSUE:
            if not recipient or len(recipient) > 80:
                raise EmergencyError(
                    _l("请填写发给哪支队伍、哪个岗位或隐患点。"), field="recipient"
                )
            delta = -delta
    _ensure_stock_row(store.community_id, store.id, item.id)
    done = db.session.execute(
        update(Stock)
        .where(
            Stock.store_id == store.id,
            Stock.item_id == item.id,
            Stock.quantity + delta >= 0,
        )
        .values(quantity=Stock.quantity + delta)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise EmergencyError(
            _l("%(store)s的%(item)s库存不够。", store=store.name, item=item.name),
            code="not_enough_stock",
            field="count",
            status=409,
        )
    if kind == MoveKind.RETURN:
        _check_return(item, delta)
    community = db.session.get(Community, store.community_id)
    response = running_in_community(community.id, community.street_office_id)
    running_id = response.id if response else None
    parts = _attribute_return(item, delta, running_id) if kind == MoveKind.RETURN else []
    rows = [
        StockMove(
            community_id=store.community_id,
            store_id=store.id,
            item_id=item.id,
            kind=kind,
            delta=units,
            reason=reason,
            recipient=recipient[:80],
            response_id=response_id,
            actor_id=actor.id if actor else None,
        )
        for response_id, units in (parts or [(running_id, delta)])
    ]
    db.session.add_all(rows)
    db.session.flush()
    if delta < 0:
        _warn_if_low(item)
    return rows[0]


def _attribute_return(item: SupplyItem, units: int, running_id: int | None) -> list:
    """[(response id, units)]: the responses whose issues a return of `units` brings back.

    The rule: a return belongs to the response its issue belonged to, not to the one running
    when it comes back. 100 sandbags issued in response A and returned during response B
    lower A's net issued figure, not B's (which would otherwise go below zero in the report).
    What comes back is taken from the latest issues still out first (the response with the
    most recent issue of the item), then older ones; issues made outside any response are a
    bucket of their own (None) and returns to them touch no report. A return spanning two
    responses is recorded as two rows, one for each. Whatever no bucket covers (rows from
    before this rule) stays with the running response."""
    rows = db.session.execute(
        select(
            StockMove.response_id,
            func.sum(StockMove.delta),
            func.max(StockMove.id).filter(StockMove.kind == MoveKind.ISSUE),
        )
        .where(StockMove.item_id == item.id, StockMove.kind.in_([MoveKind.ISSUE, MoveKind.RETURN]))
        .group_by(StockMove.response_id)
    ).all()
    out = sorted(
        ((last or 0, response_id, -int(total)) for response_id, total, last in rows if total < 0),
        key=lambda bucket: bucket[0],
        reverse=True,
    )
    parts, left = [], units
    for _last, response_id, owed in out:
        if left <= 0:
            break
        take = min(owed, left)
        parts.append((response_id, take))
        left -= take
    if left > 0:
        parts.append((running_id, left))
    return parts


def _check_return(item: SupplyItem, units: int) -> None:
    """A return brings back what was issued and is still out, no more: otherwise stock would be
    made up and the response's net issued figure would go below zero. Runs after the stock
    row's UPDATE, which holds that row's lock until commit."""
    out = -int(
        db.session.scalar(
            select(func.coalesce(func.sum(StockMove.delta), 0)).where(
                StockMove.item_id == item.id,
                StockMove.kind.in_([MoveKind.ISSUE, MoveKind.RETURN]),
            )
        )
    )
    if units > out:
        raise EmergencyError(
            _l(
                "归还的%(item)s不能多于发出未还的 %(out)s%(unit)s；多出来的请登记入库。",
                item=item.name,
                out=amount_of(max(out, 0), item.scale),
                unit=item.unit,
            ),
            code="return_exceeds_issued",
            field="count",
            status=409,
        )


def total_units(item_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Stock.quantity), 0)).where(Stock.item_id == item_id)
        )
    )


def total_of(item: SupplyItem):
    """All stores' stock of the item, in its unit (an int, or a Decimal for volumes)."""
    return amount_of(total_units(item.id), item.scale)


def _warn_if_low(item: SupplyItem) -> None:
    total = total_units(item.id)
    if item.minimum_units and total < item.minimum_units:
        secretaries = secretary_ids(item.community_id)
        notify(
            secretaries,
            "emergency.low_stock",
            {
                "item": item.name,
                "total": amount_text(total, item.scale),
                "minimum": amount_text(item.minimum_units, item.scale),
                "unit": item.unit,
            },
            link="/emergency/supplies",
            community_id=item.community_id,
        )


def stock_table(community_id: int) -> tuple[list, list, dict]:
    """(items, stores, {(store_id, item_id): quantity in the item's unit}) in three statements."""
    items = db.session.scalars(
        select(SupplyItem).where(SupplyItem.community_id == community_id).order_by(SupplyItem.id)
    ).all()
    stores = db.session.scalars(
        select(SupplyStore).where(SupplyStore.community_id == community_id).order_by(SupplyStore.id)
    ).all()
    scales = {i.id: i.scale for i in items}
    cells = {
        (s, i): amount_of(q, scales.get(i, 1))
        for s, i, q in db.session.execute(
            select(Stock.store_id, Stock.item_id, Stock.quantity).where(
                Stock.community_id == community_id
            )
        )
    }
    return items, stores, cells


def issued_per_item(community_id: int | None, response_id: int) -> dict[str, int | Decimal]:
    """Net issued per item name for a response, in the item's unit: what was issued during it
    less what came back of those issues, whenever it came back (a return carries the
    response of the issue it brings back: see `_attribute_return`), so never below zero."""
    query = (
        select(SupplyItem.name, SupplyItem.scale, func.sum(StockMove.delta))
        .join(SupplyItem, SupplyItem.id == StockMove.item_id)
        .where(
            StockMove.response_id == response_id,
            StockMove.kind.in_([MoveKind.ISSUE, MoveKind.RETURN]),
        )
        .group_by(SupplyItem.name, SupplyItem.scale)
        .order_by(SupplyItem.name)
    )
    if community_id is not None:
        query = query.where(StockMove.community_id == community_id)
    issued: dict[str, int | Decimal] = {}
    for name, scale, total in db.session.execute(query):
        # The same name in two communities may differ in scale only if renamed; add up.
        issued[name] = issued.get(name, 0) + amount_of(-int(total), scale)
    return issued


def pledge(
    community: Community,
    *,
    merchant_id: int | None,
    goods: str,
    quantity: int,
    unit: str,
    actor: User | None,
) -> Pledge:
    """Record a member's agreement reserve (the secretary signs it with the member). The
    member's public page lists it with its service commitments (merchants.views.detail)."""
    _secretary(actor, community.id)
    merchant = db.session.get(Merchant, merchant_id) if merchant_id else None
    if merchant is None or merchant.community_id != community.id:
        raise EmergencyError(_l("请选择本社区的联盟商户。"), field="merchant_id")
    if merchant.status != MerchantStatus.ACTIVE:
        raise EmergencyError(_l("该商户已暂停或退出联盟，不能登记协议储备。"), field="merchant_id")
    goods = (goods or "").strip()
    if not goods or len(goods) > 40:
        raise EmergencyError(_l("请填写储备的物资（最多 40 字）。"), field="goods")
    unit = (unit or "").strip()
    if not unit or len(unit) > 8:
        raise EmergencyError(_l("请填写单位（最多 8 字）。"), field="unit")
    row = Pledge(
        community_id=community.id,
        merchant_id=merchant.id,
        goods=goods,
        quantity=_count(quantity, "quantity"),
        unit=unit,
    )
    db.session.add(row)
    db.session.flush()
    return row


def call_pledge(row: Pledge, *, actor: User | None) -> None:
    """Call on the reserve: only while a response runs, once; the member's staff are told."""
    _secretary(actor, row.community_id)
    community = db.session.get(Community, row.community_id)
    response = running_in_community(community.id, community.street_office_id)
    if response is None:
        raise EmergencyError(_l("现在没有应急响应，不能调用协议储备。"), status=409)
    if row.called_at is not None:
        raise EmergencyError(_l("这份协议储备已经调用了。"), status=409)
    row.called_at = utcnow()
    row.called_response_id = response.id
    row.called_by_id = actor.id if actor else None
    staff = db.session.scalars(
        select(MerchantStaff.user_id).where(MerchantStaff.merchant_id == row.merchant_id)
    ).all()
    notify(
        staff,
        "emergency.pledge_called",
        {"goods": row.goods, "quantity": row.quantity, "unit": row.unit},
        link=f"/merchants/{row.merchant_id}",
        community_id=row.community_id,
    )


def pledges_of(community_id: int) -> list[Pledge]:
    return db.session.scalars(
        select(Pledge)
        .where(Pledge.community_id == community_id)
        .options(joinedload(Pledge.merchant))
        .order_by(Pledge.id)
    ).all()
