"""The counter's own rows: a checkout (核验单) a valid verification opens for five minutes."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db


class Checkout(db.Model):
    """A valid card verified at a member: for five minutes the cashier may redeem or exchange
    with its `public_id` in place of the (rotating) code. For that card at that member only;
    the first operation uses it up (a conditional UPDATE on `used_at`)."""

    __tablename__ = "counter_checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    code_type: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
