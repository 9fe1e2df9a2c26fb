"""Demo: the alliance members' part in the flood season. 暖阳养老服务站 (member 19) offers beds as
a shelter and 福满楼酒家 (member 23) its kitchen as a meal point, both accepted by the secretary;
惠民超市 (11), 益民五金店 (15) and 明珠小厨 (2) sign agreement reserves, shown on their pages.
Called from registers_demo.flood_registers, which runs once per community."""

from sqlalchemy import select

from alliance.emergency import space_offers, supplies
from alliance.extensions import db
from alliance.merchants.models import Merchant

OFFERS = (
    (19, "shelter", 20, "床位 20 张、热水、常用药品，适合老人", "13900005555"),
    (23, "meal_point", 300, "每天盒饭 300 份，可送到安置点", "13900006666"),
)
PLEDGES = (
    (11, "饮用水", 200, "箱"),
    (15, "编织袋", 500, "个"),
    (2, "盒饭", 300, "份"),
)


def _member(community, number: int) -> Merchant | None:
    return db.session.scalars(
        select(Merchant).where(Merchant.community_id == community.id, Merchant.number == number)
    ).first()


def members_part(community, secretary) -> None:
    for number, kind, capacity, offers, phone in OFFERS:
        member = _member(community, number)
        if member is None:
            continue
        row = space_offers.offer_space(
            member,
            kind=kind,
            capacity=capacity,
            offers=offers,
            contact_phone=phone,
            actor=secretary,
        )
        space_offers.accept(row, actor=secretary)
    for number, goods, quantity, unit in PLEDGES:
        member = _member(community, number)
        if member is None:
            continue
        supplies.pledge(
            community,
            merchant_id=member.id,
            goods=goods,
            quantity=quantity,
            unit=unit,
            actor=secretary,
        )
