"""Demo alliance members: the story's 23 members of 云水明珠社区 (22 signed in early June 2026,
the 23rd on 7 July 2026) and two in 南苑社区, plus applications waiting for review.

Shop names are made up. Members are looked up by (community, number), so seeding twice
changes nothing. The `merchant` demo login owns member no. 1, a restaurant.
"""

from datetime import UTC, date, time, timedelta

from sqlalchemy import select

from alliance import clock
from alliance.accounts.models import Role
from alliance.communities.models import Estate
from alliance.demo.context import DemoContext, ensure_user
from alliance.demo.names import demo_phone, person_name
from alliance.extensions import db
from alliance.merchants.admission import default_agreement_text
from alliance.merchants.models import (
    Agreement,
    ApplicationStatus,
    Merchant,
    MerchantApplication,
    MerchantStaff,
)

# number → (name, category, estate index, address)
YSMZ_MEMBERS = [
    ("云水人家餐厅", "catering", 0, "一期南门底商1号"),
    ("明珠小厨", "catering", 1, "二期东门底商5号"),
    ("老街面馆", "catering", 2, "明珠花园西侧商铺2号"),
    ("禾香饺子馆", "catering", 3, "水岸雅居北门8号"),
    ("麦香坊烘焙", "bakery", 0, "一期南门底商6号"),
    ("仁和堂大药房", "pharmacy", 1, "二期东门底商1号"),
    ("星光影城", "cinema", 2, "明珠花园商业楼3层"),
    ("诚信财税事务所", "finance", 3, "水岸雅居会所2层"),
    ("邻里便利店", "retail", 0, "一期3号楼底商"),
    ("鲜果园水果店", "retail", 1, "二期8号楼底商"),
    ("惠民超市", "retail", 2, "明珠花园南门"),
    ("清风洗衣店", "living", 3, "水岸雅居2号楼底商"),
    ("美家理发店", "living", 0, "一期5号楼底商"),
    ("安心家政服务社", "living", 1, "二期物业楼1层"),
    ("益民五金店", "retail", 2, "明珠花园东侧商铺6号"),
    ("书香文具店", "retail", 3, "水岸雅居南门4号"),
    ("康乐眼镜店", "retail", 0, "一期南门底商9号"),
    ("悦读书屋", "other", 1, "二期会所1层"),
    ("暖阳养老服务站", "living", 2, "明珠花园9号楼1层"),
    ("小树苗托管中心", "other", 3, "水岸雅居6号楼1层"),
    ("利民家电维修部", "living", 0, "一期7号楼底商"),
    ("花语鲜花店", "retail", 1, "二期东门底商3号"),
    ("福满楼酒家", "catering", 2, "明珠花园北门商铺1号"),
]

NY_MEMBERS = [
    ("南苑面包房", "bakery", 0, "南苑小区1号楼底商"),
    ("康乐苑药店", "pharmacy", 1, "康乐苑南门2号"),
]

# username, display name, shop name, category, status, review note
DEMO_APPLICATIONS = [
    ("shop_applicant1", "韩老板", "好邻居烧烤", "catering", ApplicationStatus.PENDING, ""),
    (
        "shop_applicant2",
        "唐经理",
        "明珠健身房",
        "living",
        ApplicationStatus.CHANGES_REQUESTED,
        "请补充营业执照号，并写明给持卡居民的具体优惠。",
    ),
    ("shop_applicant3", "曹店主", "一品茶庄", "retail", ApplicationStatus.PENDING, ""),
]


def signed_on(code: str, number: int) -> date:
    if code == "YSMZ":
        # 22 members signed on 1–6 June 2026; the 23rd on 7 July 2026.
        return date(2026, 7, 7) if number == 23 else date(2026, 6, 1 + (number - 1) // 4)
    return date(2026, 6, 10 + number)


def _members(ctx: DemoContext, code: str, members) -> None:
    community = ctx.communities[code]
    estates = list(
        db.session.scalars(
            select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
        )
    )
    existing = set(
        db.session.scalars(select(Merchant.number).where(Merchant.community_id == community.id))
    )
    offset = 200 if code == "YSMZ" else 250
    for number, (name, category, estate_index, address) in enumerate(members, start=1):
        if number in existing:
            continue
        estate = estates[estate_index % len(estates)]
        day = signed_on(code, number)
        merchant = Merchant(
            # on the books from the morning the agreement was signed
            created_at=clock.local_at(day, time(9)).astimezone(UTC),
            community_id=community.id,
            number=number,
            name=name,
            category=category,
            estate_id=estate.id,
            address=address,
            contact_name=person_name(500 + number + (0 if code == "YSMZ" else 50)),
            contact_phone=demo_phone(offset + number),
            licence_no=f"91140105MA0D{code[:2]}{number:03d}",
        )
        db.session.add(merchant)
        db.session.flush()
        db.session.add(
            Agreement(
                merchant_id=merchant.id,
                community_id=community.id,
                number=number,
                signed_on=day,
                starts_on=day,
                ends_on=day.replace(year=day.year + 1) - timedelta(days=1),
                signatories=f"{merchant.contact_name}（{name}）、社区党支部书记（{community.name}）",
                text=default_agreement_text(name, "", community.name),
            )
        )
    db.session.flush()


def merchants(ctx: DemoContext) -> None:
    _members(ctx, "YSMZ", YSMZ_MEMBERS)
    _members(ctx, "NY", NY_MEMBERS)
    community = ctx.communities["YSMZ"]
    first = db.session.scalars(
        select(Merchant).where(Merchant.community_id == community.id, Merchant.number == 1)
    ).one()
    owner = ctx.users["merchant"]
    link = db.session.scalars(
        select(MerchantStaff).where(
            MerchantStaff.merchant_id == first.id, MerchantStaff.user_id == owner.id
        )
    ).first()
    if link is None:
        db.session.add(MerchantStaff(merchant_id=first.id, user_id=owner.id, is_owner=True))
    db.session.flush()


def merchant_applications(ctx: DemoContext) -> None:
    community = ctx.communities["YSMZ"]
    estate = db.session.scalars(
        select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
    ).first()
    for i, (username, display, shop, category, status, note) in enumerate(DEMO_APPLICATIONS):
        user = ensure_user(ctx, username, display, community, (Role.RESIDENT,), demo_phone(300 + i))
        db.session.flush()
        exists = db.session.scalars(
            select(MerchantApplication.id).where(MerchantApplication.applicant_id == user.id)
        ).first()
        if exists is not None:
            continue
        db.session.add(
            MerchantApplication(
                community_id=community.id,
                applicant_id=user.id,
                name=shop,
                category=category,
                estate_id=estate.id if estate else None,
                address="一期西门底商",
                contact_name=display,
                contact_phone=demo_phone(300 + i),
                licence_no=None,
                offer_text="持卡消费9折" if category != "living" else "持卡办卡优惠",
                status=status,
                review_note=note,
            )
        )
    db.session.flush()
