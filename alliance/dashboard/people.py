"""Finding the person a secretary means: by name, phone, username or card number.

Used wherever a person is chosen (awarding points, issuing cards, naming committee members,
decision owners and recorders, the people responsible for households, hazards, zones, posts,
duty and task forces). Only people of the given communities are found; a name two people
share is refused with a hint to use the phone. One statement.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from alliance.accounts import services as accounts
from alliance.accounts.models import User
from alliance.cards.models import Card
from alliance.extensions import db
from alliance.validators import normalize_phone


@dataclass
class Found:
    person: User | None
    ambiguous: bool = False  # several people of that name


def find_person(community_ids, text: str) -> Found:
    text = (text or "").strip()
    if not text or len(text) > 40:
        return Found(None)
    phone = normalize_phone(text)
    card_holder = select(Card.holder_id).where(Card.number.in_({text, text.upper()}))
    conditions = [
        func.lower(User.username) == text.lower(),
        User.display_name == text,
        User.id.in_(card_holder),
    ]
    if phone:
        conditions.append(User.phone == phone)
    people = db.session.scalars(
        select(User)
        .where(User.community_id.in_(community_ids), or_(*conditions))
        .order_by(User.id)
        .limit(3)
    ).all()
    exact = [
        p for p in people if p.username.lower() == text.lower() or (phone and p.phone == phone)
    ]
    if exact:
        return Found(exact[0])
    if len(people) == 1:
        return Found(people[0])
    return Found(None, ambiguous=len(people) > 1)


AMBIGUOUS = "有多位同名的人，请改填手机号或卡号。"  # the message where a name is shared (zh)


def choose_person(community_ids, text: str) -> Found:
    """find_person, and failing that anyone by username or phone (a street officer named to a
    community's committee, or someone the caller then refuses as not of the community)."""
    found = find_person(community_ids, text)
    if found.person is not None or found.ambiguous:
        return found
    return Found(accounts.find_by_identifier(text))
