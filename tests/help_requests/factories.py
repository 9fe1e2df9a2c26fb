"""Builders for the service-order tests and the authz table."""

from types import SimpleNamespace

from alliance.co_building.models import CoBuildingUnit, Resource
from alliance.extensions import db
from alliance.help_requests import catalogue, intake
from alliance.volunteers.models import VolunteerProfile
from tests.commitments.factories import create_merchant


def build(world) -> SimpleNamespace:
    """Catalogues of A and B, an accounting-firm member of A staffed by `merchant`, a volunteer
    profile for `volunteer`, and an environmental company as co-building unit."""
    cat_a = {c.code: c for c in catalogue.ensure_catalogue(world.a)}
    cat_b = {c.code: c for c in catalogue.ensure_catalogue(world.b)}
    firm = create_merchant(
        world.a, 1, name="诚信会计师事务所", category="finance", staff=[world.users["merchant"]]
    )
    pharmacy = create_merchant(world.a, 2, name="仁心大药房", category="pharmacy")
    other = create_merchant(world.a, 3, name="明珠面馆", category="catering")
    shop_b = create_merchant(world.b, 1, name="乙社区超市", category="retail")
    profile = VolunteerProfile(
        user_id=world.users["volunteer"].id,
        community_id=world.a.id,
        name="周志愿",
        phone="13800000005",
    )
    unit = CoBuildingUnit(
        street_office_id=world.office.id,
        name="绿源环保科技有限公司",
        kind="环保企业",
        services="药渣、餐厨垃圾清运",
    )
    db.session.add_all([profile, unit])
    db.session.flush()
    db.session.add(
        Resource(
            street_office_id=world.office.id,
            category_code="environment",
            provider_kind="unit",
            unit_id=unit.id,
            title="药渣清运",
        )
    )
    db.session.commit()
    return SimpleNamespace(
        cat_a=cat_a,
        cat_b=cat_b,
        firm=firm,
        pharmacy=pharmacy,
        other=other,
        shop_b=shop_b,
        profile=profile,
        unit=unit,
    )


def post_need(world, username="resident", community=None, code="tax", **overrides):
    """Create an order through the service (as the web form would)."""
    community = community or world.a
    category = next(c for c in catalogue.categories_of(community.id) if c.code == code)
    estate = world.estate_a if community.id == world.a.id else world.estate_b
    data = intake.RequestInput(
        category_id=category.id,
        title=overrides.pop("title", "小微企业不懂税务申报"),
        description=overrides.pop("description", "十几家小店想学习报税"),
        estate_id=estate.id,
        building="3号楼",
        contact_phone="13900000001",
        **overrides,
    )
    order = intake.submit_request(community, world.users[username], data)
    db.session.commit()
    return order
