"""Points (积分): per-community rules, accounts, the append-only ledger, exchange items.

The ledger is the truth. `PointsAccount.balance` is a cache kept in the same transaction by one
conditional UPDATE per entry (``balance + delta >= 0``), with ``CHECK (balance >= 0)`` as a
backstop; each entry records the balance after it, so the running balance needs no window
function. Entries are never updated or deleted (the ORM refuses; corrections are new entries).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class EntryKind(StrEnum):
    EARN = "earn"  # volunteer service, by the rule
    AWARD = "award"  # 赋分: a secretary's manual award, with a reason
    SPEND = "spend"  # 兑换 at a member
    ADJUST = "adjust"  # a correction, with a reason (either sign)
    EXPIRE = "expire"  # points past their expiry date

    @property
    def label(self) -> str:
        return str(ENTRY_LABELS[self])


ENTRY_LABELS = {
    EntryKind.EARN: _l("志愿服务"),
    EntryKind.AWARD: _l("赋分"),
    EntryKind.SPEND: _l("兑换"),
    EntryKind.ADJUST: _l("更正"),
    EntryKind.EXPIRE: _l("过期"),
}


class PointsRule(db.Model):
    """A community's scoring rule (赋分规则). Percentages are integers: 150 = ×1.5."""

    __tablename__ = "points_rules"
    __table_args__ = (
        CheckConstraint("points_per_hour >= 0 AND points_per_hour <= 1000", name="per_hour_range"),
        CheckConstraint(
            "emergency_percent >= 100 AND emergency_percent <= 500", name="emergency_range"
        ),
        CheckConstraint("night_percent >= 100 AND night_percent <= 500", name="night_range"),
        CheckConstraint("night_start_hour >= 0 AND night_start_hour <= 23", name="night_start"),
        CheckConstraint("night_end_hour >= 0 AND night_end_hour <= 23", name="night_end"),
        CheckConstraint(
            "expiry_months IS NULL OR (expiry_months >= 1 AND expiry_months <= 120)",
            name="expiry_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), unique=True)
    points_per_hour: Mapped[int] = mapped_column(Integer, default=10)
    emergency_percent: Mapped[int] = mapped_column(Integer, default=200)
    night_percent: Mapped[int] = mapped_column(Integer, default=150)
    night_start_hour: Mapped[int] = mapped_column(Integer, default=22)
    night_end_hour: Mapped[int] = mapped_column(Integer, default=6)
    # Points expire at the end of the N-th month after the month they were earned (None: never).
    expiry_months: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def per_hour_for(self, category: str) -> int:
        """The single community rule has one rate for every activity kind."""
        return self.points_per_hour


class PointsAccount(db.Model):
    __tablename__ = "points_accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    # Leaderboard: the volunteer chooses whether the name is shown (default: anonymous).
    show_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821


class LedgerEntry(db.Model):
    __tablename__ = "points_ledger"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta_not_zero"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        UniqueConstraint("account_id", "expiry_key", name="uq_points_ledger_expiry"),
        # Awards and corrections from a form: the form's one-time key, so a second post of
        # the same form (a double tap, a retry, a race) is the same entry.
        UniqueConstraint("idempotency_key", name="uq_points_ledger_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200), default="")
    # Earned points: one entry per attendance, at most.
    signup_id: Mapped[int | None] = mapped_column(ForeignKey("activity_signups.id"), unique=True)
    exchange_id: Mapped[int | None] = mapped_column(ForeignKey("points_exchanges.id"), unique=True)
    # Credits: the last day they count (Asia/Shanghai), when the community lets points expire.
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Expire entries: the expiry date they settle, so running the job twice writes nothing.
    expiry_key: Mapped[date | None] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @property
    def kind_label(self) -> str:
        return EntryKind(self.kind).label


@event.listens_for(LedgerEntry, "before_update")
def _ledger_is_append_only(mapper, connection, target):
    raise RuntimeError("points ledger entries are never changed; add a correcting entry")


@event.listens_for(LedgerEntry, "before_delete")
def _ledger_is_never_deleted(mapper, connection, target):
    raise RuntimeError("points ledger entries are never deleted; add a correcting entry")


class ExchangeItem(db.Model):
    """What a member gives for points, under its points-exchange commitment (积分兑换承诺)."""

    __tablename__ = "points_exchange_items"
    __table_args__ = (
        CheckConstraint("points >= 1", name="points_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("per_person_limit IS NULL OR per_person_limit >= 1", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    points: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    per_person_limit: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant: Mapped["Merchant"] = relationship()  # noqa: F821
    commitment: Mapped["Commitment"] = relationship()  # noqa: F821


class Exchange(db.Model):
    """One exchange at the counter. Idempotency: one row per (merchant, key). Per-person limits:
    an exchange takes one of the item's `per_person_limit` slots for the holder (unique)."""

    __tablename__ = "points_exchanges"
    __table_args__ = (
        UniqueConstraint("merchant_id", "idempotency_key", name="uq_points_exchanges_key"),
        UniqueConstraint("item_id", "user_id", "slot", name="uq_points_exchanges_slot"),
        CheckConstraint("points >= 1", name="exchange_points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("points_exchange_items.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("card_api_tokens.id"))
    item_title: Mapped[str] = mapped_column(String(80))
    points: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    slot: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A void (作废) gives the points and the stock back; the row stays, with who and why.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    item: Mapped[ExchangeItem] = relationship()
    merchant: Mapped["Merchant"] = relationship()  # noqa: F821
    card: Mapped["Card | None"] = relationship()  # noqa: F821
