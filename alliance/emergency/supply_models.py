"""Supplies (物资储备): items with units, stores, stock per store kept as a ledger of moves.

Stock is changed only by one conditional UPDATE per move (never read-then-write), and a CHECK
keeps it from going below zero. Quantities are integers in the item's smallest step: a boat
is counted in whole boats (scale 1), 砂石料 and 木桩 in hundredths of a m³ (scale 100), so
2.5 m³ is stored as 250 and the arithmetic stays exact.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l

# Units are data (stored with the item as written on the store's ledger), not UI text.
ITEM_KINDS = {
    "sandbag": (_l("沙袋"), "袋"),
    "woven_bag": (_l("编织袋"), "个"),
    "life_jacket": (_l("救生衣"), "件"),
    "boat": (_l("冲锋舟"), "艘"),
    "generator": (_l("发电机"), "台"),
    "gravel": (_l("砂石料"), "m³"),
    "stakes": (_l("木桩"), "m³"),
    "torch": (_l("手电"), "个"),
    "raincoat": (_l("雨衣"), "件"),
    "other": (_l("其他"), "件"),
}
# Steps per unit for the kinds measured by volume; every other kind is counted whole.
SCALES = {"gravel": 100, "stakes": 100}


def scale_of(kind: str) -> int:
    return SCALES.get(kind, 1)


def amount_of(units: int, scale: int) -> int | Decimal:
    """Stored units → the amount in the item's unit: an int for whole things, else a Decimal
    without trailing zeros (250 at scale 100 → Decimal("2.5"))."""
    if scale == 1:
        return int(units)
    value = (Decimal(int(units)) / scale).normalize()
    return int(value) if value == value.to_integral_value() else value


def tidy(value):
    """A sum of amounts as a reader writes it: 3 not 3.0, 2.5 not 2.50."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else value
    return value


def amount_text(units: int, scale: int, *, signed: bool = False) -> str:
    value = amount_of(units, scale)
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return f"+{text}" if signed and units > 0 else text


class MoveKind(StrEnum):
    RECEIVE = "receive"
    ISSUE = "issue"
    RETURN = "return"
    ADJUST = "adjust"

    @property
    def label(self) -> str:
        return str(MOVE_LABELS[self])


MOVE_LABELS = {
    MoveKind.RECEIVE: _l("入库"),
    MoveKind.ISSUE: _l("发放"),
    MoveKind.RETURN: _l("归还"),
    MoveKind.ADJUST: _l("盘点调整"),
}
ADJUST_REASONS = {
    "count": _l("盘点"),
    "damaged": _l("损坏"),
    "expired": _l("过期"),
    "lost": _l("丢失"),
}


class SupplyItem(db.Model):
    __tablename__ = "emergency_supply_items"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(8))
    # Steps per unit (1: whole things; 100: hundredths of a m³). Stock, moves and the minimum
    # are stored in steps.
    scale: Mapped[int] = mapped_column(default=1, server_default="1")
    minimum_units: Mapped[int] = mapped_column("minimum", default=0)

    @property
    def minimum(self) -> int | Decimal:
        """The minimum level in the item's unit (what a reader or an export shows)."""
        return amount_of(self.minimum_units, self.scale)

    @property
    def whole(self) -> bool:
        return self.scale == 1


class SupplyStore(db.Model):
    __tablename__ = "emergency_supply_stores"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    place: Mapped[str] = mapped_column(String(120), default="")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))


class Stock(db.Model):
    __tablename__ = "emergency_stock"
    __table_args__ = (
        UniqueConstraint("store_id", "item_id"),
        CheckConstraint("quantity >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("emergency_supply_stores.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("emergency_supply_items.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=0)


class StockMove(db.Model):
    __tablename__ = "emergency_stock_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("emergency_supply_stores.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("emergency_supply_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    delta: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(String(12), default="")
    recipient: Mapped[str] = mapped_column(String(80), default="")
    # An issue, receipt or adjustment: the response running when it was recorded. A return:
    # the response whose issue it brings back, even if it came back during a later one or
    # after (supplies._attribute_return), so each response's net issued figure stays true.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_responses.id"), index=True
    )
    # Who recorded the move (for a return: who took the things back) and when.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item = relationship(SupplyItem)
    store = relationship(SupplyStore)
    actor = relationship("User")

    @property
    def kind_label(self) -> str:
        return MoveKind(self.kind).label

    @property
    def delta_text(self) -> str:
        return amount_text(self.delta, self.item.scale, signed=True)


class Pledge(db.Model):
    """协议储备: an alliance member's promise of goods, called on during a response."""

    __tablename__ = "emergency_pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    goods: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column()
    unit: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_response_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_responses.id"))
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    merchant = relationship("Merchant")

    @property
    def commitment_text(self) -> str:
        """How the member's page states it, among its service commitments."""
        return str(
            _l(
                "协议储备：%(goods)s %(quantity)s %(unit)s，应急时可调用",
                goods=self.goods,
                quantity=self.quantity,
                unit=self.unit,
            )
        )
