"""Factories for alliance members through the real services (numbering, agreement, owner)."""

from datetime import date

from alliance.extensions import db
from alliance.merchants import admission
from alliance.merchants import applications as merchant_applications
from alliance.merchants.models import MerchantApplication


def terms(signed=date(2026, 6, 1), start=None, end=None):
    return admission.AgreementTerms(
        signed_on=signed,
        starts_on=start or signed,
        ends_on=end or date(signed.year + 1, signed.month, signed.day),
        signatories="店主、社区书记",
        text="遵守联盟章程，作出三项公开承诺。",
    )


def make_member(
    community,
    name,
    *,
    owner=None,
    category="catering",
    estate=None,
    phone="13912340000",
    licence="91140105MA0TEST01",
    signed=date(2026, 6, 1),
):
    merchant = admission.admit_member(
        community=community,
        name=name,
        category=category,
        estate_id=estate.id if estate else None,
        address="底商1号",
        contact_name="张店长",
        contact_phone=phone,
        licence_no=licence,
        terms=terms(signed),
        owner=owner,
    )
    db.session.commit()
    return merchant


def make_application(applicant, *, name="明珠小馆", estate=None, status=None):
    application = merchant_applications.submit_application(
        applicant,
        merchant_applications.ApplicationData(
            name=name,
            category="catering",
            estate_id=estate.id if estate else None,
            address="一期南门3号",
            contact_name="王老板",
            contact_phone="13811112222",
            licence_no="91140105MA0ABC123",
            offer_text="持卡用餐8.5折",
        ),
    )
    if status:
        application.status = status
    db.session.commit()
    return db.session.get(MerchantApplication, application.id)
