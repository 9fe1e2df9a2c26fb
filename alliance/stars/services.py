"""Rules for star levels: a volunteer's standing, reaching a level, recognition.

Services add and flush, never commit. Confirming hours (activities) calls `record_progress`
in the same transaction, so a level is reached exactly when its hours are confirmed.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from alliance.accounts.models import User
from alliance.activities.models import Signup, SignupStatus
from alliance.db_types import utcnow
from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.kinds import register_kind
from alliance.notifications.services import notify
from alliance.stars import levels
from alliance.stars.models import StarAward
from alliance.volunteers.models import VolunteerProfile

RECOGNITION_LIMIT = 200

# The level is stored as its number and named in the reader's language when read.
register_kind(
    "stars.level_reached",
    label=_l("志愿者星级"),
    title=_l("恭喜您成为%(level)s志愿者"),
    body=_l(
        "您已确认的志愿服务时长累计 %(hours)s 小时，达到%(level)s。"
        "社区将在下次协调委员会会议上予以表彰。"
    ),
    params=lambda values: {"level": levels.name_of(int(values.get("level") or 0))},
)


class StarError(DomainError):
    def __init__(self, code: str, message, status: int = 422, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status
        self.field = field


def _confirmed():
    return (Signup.confirmed_at.is_not(None), Signup.status == SignupStatus.SIGNED_UP)


def confirmed_minutes(user_id: int) -> int:
    """Confirmed service minutes of a person, in every community: hours never expire."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Signup.minutes), 0)).where(
                Signup.user_id == user_id, *_confirmed()
            )
        )
        or 0
    )


def standing_of(user_id: int) -> levels.Standing:
    return levels.standing(confirmed_minutes(user_id))


def level_of(user_id: int) -> int:
    return levels.level_for(confirmed_minutes(user_id))


def record_progress(user_id: int, community_id: int, now: datetime | None = None) -> list[int]:
    """Write (and notify) every level the person's confirmed hours reach for the first time.

    Returns the new levels. Two confirmations racing for the same level: the unique
    (user, level) constraint lets one row in, and the loser's savepoint is rolled back.
    """
    now = now or utcnow()
    minutes = confirmed_minutes(user_id)
    reached = levels.level_for(minutes)
    if reached == 0:
        return []
    have = set(db.session.scalars(select(StarAward.level).where(StarAward.user_id == user_id)))
    new = []
    for level in range(1, reached + 1):
        if level in have:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    StarAward(
                        user_id=user_id,
                        community_id=community_id,
                        level=level,
                        minutes=minutes,
                        reached_at=now,
                    )
                )
                db.session.flush()
        except IntegrityError:
            continue
        new.append(level)
    if new:
        notify(
            [user_id],
            "stars.level_reached",
            {"level": max(new), "hours": levels.tenths_down(minutes)},
            link="/me",
            community_id=community_id,
        )
    return new


def recognition_list(community_ids, *, pending_only: bool = True) -> list[StarAward]:
    """Levels reached, for the secretary to honour at the next committee meeting (2 queries)."""
    stmt = (
        select(StarAward)
        .options(selectinload(StarAward.user))
        .order_by(StarAward.reached_at.desc(), StarAward.id.desc())
        .limit(RECOGNITION_LIMIT)
    )
    if community_ids is not None:
        stmt = stmt.where(StarAward.community_id.in_(community_ids))
    if not pending_only:
        return list(db.session.scalars(stmt))
    # One line per person waiting: the highest level they reached (honoured together).
    waiting: dict[int, StarAward] = {}
    for award in db.session.scalars(stmt.where(StarAward.recognised_at.is_(None))):
        if award.user_id not in waiting or award.level > waiting[award.user_id].level:
            waiting[award.user_id] = award
    return sorted(waiting.values(), key=lambda a: (a.reached_at, a.id), reverse=True)


def names_of(awards: list[StarAward]) -> dict[int, str]:
    """The volunteer's registered name, else the account's display name (one query)."""
    names = {a.user_id: a.user.display_name for a in awards}
    if names:
        for user_id, name in db.session.execute(
            select(VolunteerProfile.user_id, VolunteerProfile.name).where(
                VolunteerProfile.user_id.in_(list(names))
            )
        ):
            names[user_id] = name
    return names


def mark_recognised(award: StarAward, actor: User, now: datetime | None = None) -> None:
    """Honouring a level honours the lower ones still waiting too (reached at one go)."""
    changed = db.session.execute(
        update(StarAward)
        .where(
            StarAward.user_id == award.user_id,
            StarAward.level <= award.level,
            StarAward.recognised_at.is_(None),
        )
        .values(recognised_at=now or utcnow(), recognised_by_id=actor.id)
    ).rowcount
    if changed < 1:
        raise StarError("already_recognised", _l("已经记为表彰过了。"), 409)
    db.session.expire(award)


def set_show_on_card(user: User, show: bool) -> None:
    profile = db.session.scalars(
        select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)
    ).first()
    if profile is None:
        raise StarError("not_volunteer", _l("您还不是志愿者，没有志愿者卡。"), 409)
    profile.show_star_on_card = bool(show)
    db.session.flush()


def card_standing(user_id: int) -> levels.Standing | None:
    """The standing to show on the holder's card page, if they chose to show it."""
    shown = db.session.scalar(
        select(VolunteerProfile.show_star_on_card).where(VolunteerProfile.user_id == user_id)
    )
    return standing_of(user_id) if shown else None


@dataclass
class MySummary:
    standing: levels.Standing
    points_balance: int
    show_on_card: bool


def summary_for(user: User) -> MySummary | None:
    """The /me section: hours and level (permanent) apart from points (which may expire).
    None for someone who is not a volunteer."""
    shown = db.session.scalar(
        select(VolunteerProfile.show_star_on_card).where(VolunteerProfile.user_id == user.id)
    )
    if shown is None:
        return None
    from alliance.points.ledger import balance_of

    return MySummary(standing_of(user.id), balance_of(user.id), bool(shown))


def offer_level_refusal(offer, card) -> str | None:
    """The counter's check for an offer with a minimum star level: None when the card's holder
    qualifies, else the message to show. The level binds volunteer cards; an alliance card
    on an offer for both kinds qualifies by its kind, as before."""
    from alliance.commitments.models import CardKind

    if not offer.min_star_level or card.kind != CardKind.VOLUNTEER:
        return None
    if level_of(card.holder_id) >= offer.min_star_level:
        return None
    return str(
        _l(
            "这项优惠限%(level)s及以上志愿者，持卡人尚未达到。",
            level=levels.name_of(offer.min_star_level),
        )
    )
