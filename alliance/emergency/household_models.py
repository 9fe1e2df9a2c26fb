"""Households that need help first (重点人群) and the door-knocking visits (敲门行动).

The register holds personal data: it is shown only to the community's secretary, the grid
worker of the household's grid and the household's named person responsible (包保责任人) and
deputy. When the household has an account (`resident_id`), its columns are that person's data
in /me/data and are blanked when the account closes.
"""

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.db_types import UTCDateTime, utcnow
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.personal import personal

CATEGORY_LABELS = {
    "alone": _l("独居老人"),
    "wubao": _l("五保户"),
    "left_behind": _l("留守儿童"),
    "hardship": _l("困难家庭"),
    "disabled": _l("残疾人"),
    "pregnant": _l("孕产妇"),
    "ill": _l("重病患者"),
    "other": _l("其他"),
}
NEED_LABELS = {"wheelchair": _l("轮椅"), "oxygen": _l("吸氧"), "medicine": _l("药品")}


class VisitResult(StrEnum):
    SAFE = "safe"
    MUST_MOVE = "must_move"
    MOVED = "moved"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return str(VISIT_LABELS[self])


VISIT_LABELS = {
    VisitResult.SAFE: _l("安全"),
    VisitResult.MUST_MOVE: _l("需要转移"),
    VisitResult.MOVED: _l("已转移"),
    VisitResult.NO_ANSWER: _l("无人应答"),
    VisitResult.REFUSED: _l("拒绝转移"),
}


# A household's short code, shown on its register entry and read out or scanned at the shelter.
# No 0/O, 1/I/L: it is typed by hand from a card on the fridge door.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_household_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _mine(section="emergency"):
    return personal("resident_id", section)


class Household(db.Model):
    __tablename__ = "emergency_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    head_name: Mapped[str] = mapped_column(String(40), info=_mine())
    categories: Mapped[str] = mapped_column(String(120), info=_mine())
    building: Mapped[str] = mapped_column(String(20), default="", info=_mine())
    unit_no: Mapped[str] = mapped_column(String(20), default="", info=_mine())
    room: Mapped[str] = mapped_column(String(20), default="", info=_mine())
    members: Mapped[int] = mapped_column(default=1)
    need_help_moving: Mapped[int] = mapped_column(default=0)
    contact_phone: Mapped[str] = mapped_column(String(20), default="", info=_mine())
    needs: Mapped[str] = mapped_column(String(200), default="", info=_mine())
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    deputy_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(8), unique=True, default=new_household_code)
    # Where the door is, for the map; personal like the address.
    latitude: Mapped[float | None] = mapped_column(Float, info=_mine())
    longitude: Mapped[float | None] = mapped_column(Float, info=_mine())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    estate = relationship("Estate")
    grid = relationship("Grid")
    responsible = relationship("User", foreign_keys=[responsible_id])
    deputy = relationship("User", foreign_keys=[deputy_id])

    @property
    def category_labels(self) -> list[str]:
        return [str(CATEGORY_LABELS[c]) for c in self.categories.split(",") if c in CATEGORY_LABELS]

    @property
    def need_labels(self) -> list[str]:
        found = [str(NEED_LABELS[n]) for n in self.needs.split(",") if n in NEED_LABELS]
        return found

    @property
    def place(self) -> str:
        door = "-".join(p for p in (self.building, self.unit_no, self.room) if p)
        return " ".join(p for p in (self.estate.name if self.estate else "", door) if p)


class HouseholdVisit(db.Model):
    """One knock at one household's door during a response, by its person responsible."""

    __tablename__ = "emergency_household_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("emergency_households.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    response_id: Mapped[int] = mapped_column(ForeignKey("emergency_responses.id"), index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    result: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(200), default="")
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    follow_up_due: Mapped[datetime | None] = mapped_column(UTCDateTime)

    household = relationship(Household)
    visitor = relationship("User")

    @property
    def result_label(self) -> str:
        return VisitResult(self.result).label
