"""Cards (志愿者卡 / 共富联盟卡) and their redemptions (核销).

Codes. A card carries two codes, both opaque and free of personal data:

* the static code, ``secrets.token_urlsafe(16)`` (128 random bits, 22 characters), printed on
  paper cards and shown on the phone. It is a bearer credential like a session id and is stored
  as it is, under a unique index, so verification is one indexed lookup and the holder's QR
  code can be drawn again at any time. (A hash would hide it from someone reading the
  database, but then the holder's QR could not be reproduced without storing it a second
  time, encrypted; the database is already the place that grants access.) Losing the card or
  reissuing it moves the card out of "active": the old code stops verifying at once.
* the rotating code, ``<rotating_id>.<8-digit TOTP>``: RFC 6238 (HMAC-SHA1, 30 s step) over a
  per-card secret, accepted for the current and the previous step. ``rotating_id`` is a
  second random handle, so a screenshot of a rotating code reveals nothing that stays valid.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l


class CardStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LOST = "lost"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    CardStatus.ACTIVE: _l("有效"),
    CardStatus.SUSPENDED: _l("已暂停"),
    CardStatus.LOST: _l("已挂失"),
    CardStatus.REVOKED: _l("已注销"),
    CardStatus.EXPIRED: _l("已过期"),
}

KIND_LABELS = {"volunteer": _l("志愿者卡"), "alliance": _l("共富联盟卡")}


class CodeType(StrEnum):
    STATIC = "static"
    ROTATING = "rotating"


CODE_TYPE_LABELS = {CodeType.STATIC: _l("静态码"), CodeType.ROTATING: _l("动态码")}


class CardSequence(db.Model):
    """The last card number handed out per community (one conditional UPDATE allocates)."""

    __tablename__ = "card_sequences"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


# A card that still works or may work again: the holder's current card of its kind.
CURRENT_STATUSES = ("active", "suspended")
_CURRENT = text("status IN ('active', 'suspended')")


class Card(db.Model):
    __tablename__ = "cards"
    # One current card per holder and kind, decided by the database: two racing issues or
    # reissues cannot both make one (each would get its own "once a day").
    __table_args__ = (
        Index(
            "uq_cards_current_holder_kind",
            "holder_id",
            "kind",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )
    __audit_redact__ = frozenset({"code", "totp_secret", "rotating_id"})

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Alliance cards: the member unit the holder works for (its departure ends the card).
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=CardStatus.ACTIVE, index=True)
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    rotating_id: Mapped[str] = mapped_column(String(32), unique=True)
    totp_secret: Mapped[str] = mapped_column(String(64))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    holder: Mapped["User"] = relationship(foreign_keys=[holder_id])  # noqa: F821
    community: Mapped["Community"] = relationship()  # noqa: F821

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return CardStatus(self.status).label

    def is_current(self, today: date) -> bool:
        return self.status == CardStatus.ACTIVE and self.valid_from <= today <= self.valid_until


class Redemption(db.Model):
    """One discount used at a member (核销). Amounts in fen.

    Usage limits: a limited offer's redemption takes one of the `usage_limit` slots of its
    (offer, card, period); the unique constraint lets exactly one transaction take each slot.
    Unlimited offers leave `slot` NULL (NULLs never collide). Idempotency: one row per
    (merchant, key); the request's fingerprint tells a retry from a different request.
    """

    __tablename__ = "card_redemptions"
    __table_args__ = (
        UniqueConstraint(
            "offer_id", "card_id", "period_key", "slot", name="uq_card_redemptions_slot"
        ),
        UniqueConstraint("merchant_id", "idempotency_key", name="uq_card_redemptions_key"),
        CheckConstraint("bill_fen IS NULL OR bill_fen >= 0", name="bill_not_negative"),
        CheckConstraint("saving_fen IS NULL OR saving_fen >= 0", name="saving_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("commitment_offers.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("card_api_tokens.id"))
    code_type: Mapped[str] = mapped_column(String(10))
    offer_title: Mapped[str] = mapped_column(String(120))
    rate_percent: Mapped[int] = mapped_column(Integer)
    bill_fen: Mapped[int | None] = mapped_column(Integer)
    saving_fen: Mapped[int | None] = mapped_column(Integer)
    period_key: Mapped[str] = mapped_column(String(12))
    # The day in Asia/Shanghai, so reports group by day and month in portable SQL.
    local_day: Mapped[date] = mapped_column(Date, index=True)
    slot: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A void (作废) takes a mistaken record out of every figure; the row stays, with who and why.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    card: Mapped[Card] = relationship()
    merchant: Mapped["Merchant"] = relationship()  # noqa: F821

    @property
    def counted(self) -> bool:
        return self.voided_at is None

    @property
    def code_type_label(self) -> str:
        return str(CODE_TYPE_LABELS.get(self.code_type, self.code_type))
