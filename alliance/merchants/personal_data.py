"""Personal data: the member applications section of /me/data, and account closure."""

from sqlalchemy import select

from alliance.extensions import db
from alliance.merchants.models import MerchantApplication, MerchantStaff
from alliance.personal import erase_personal


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user) -> dict:
    applications = list(
        db.session.scalars(
            select(MerchantApplication)
            .where(MerchantApplication.applicant_id == user.id)
            .order_by(MerchantApplication.id)
        )
    )
    staff = list(db.session.scalars(select(MerchantStaff).where(MerchantStaff.user_id == user.id)))
    if not applications and not staff:
        return {}
    return {
        "member_applications": [
            {
                "shop": a.name,
                "contact_name": a.contact_name,
                "contact_phone": a.contact_phone,
                "status": a.status,
                "submitted_at": _iso(a.created_at),
            }
            for a in applications
        ],
        "member_staff": [{"member": s.merchant.name, "owner": s.is_owner} for s in staff],
    }


def erase(user) -> None:
    """The applicant's own contact goes from the applications; the shop's name and address
    stay (they are the member's, public once it joins)."""
    erase_personal(MerchantApplication, user.id)
