"""Who works for which member: the one answer every domain asks here, and the owner adding
and removing staff.

Services flush and never commit; the view (or the CLI, or the demo) commits once.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from alliance.accounts import services as accounts
from alliance.accounts.models import Role, User
from alliance.extensions import db
from alliance.merchants.errors import MembershipError
from alliance.merchants.models import Merchant, MerchantStaff, MerchantStatus


def merchants_of(user: User) -> list[Merchant]:
    """The members this person works for (owner or staff), oldest link first.

    Nobody without the staff role: a role the street office revoked ends the counter, even
    where a staff link was left behind.
    """
    if not user.is_authenticated or not user.has_role(Role.MERCHANT_STAFF):
        return []
    return list(
        db.session.scalars(
            select(Merchant)
            .join(MerchantStaff, MerchantStaff.merchant_id == Merchant.id)
            .where(MerchantStaff.user_id == user.id)
            .order_by(MerchantStaff.id)
        )
    )


def staff_links_of(user: User, *options) -> list[MerchantStaff]:
    """The person's staff links, oldest first, loaded with `options`."""
    return list(
        db.session.scalars(
            select(MerchantStaff)
            .where(MerchantStaff.user_id == user.id)
            .options(*options)
            .order_by(MerchantStaff.id)
        )
    )


def staffed_merchant_ids(user: User):
    """A subquery of the ids of the members the person works for."""
    return select(MerchantStaff.merchant_id).where(MerchantStaff.user_id == user.id)


def is_staff(user: User, merchant: Merchant | int) -> bool:
    return staff_link(user, merchant) is not None


def is_active_staff(user: User, merchant: Merchant) -> bool:
    return merchant.status == MerchantStatus.ACTIVE and is_staff(user, merchant)


def staff_link(user: User, merchant: Merchant | int) -> MerchantStaff | None:
    if not user.is_authenticated:
        return None
    merchant_id = merchant if isinstance(merchant, int) else merchant.id
    return db.session.scalars(
        select(MerchantStaff).where(
            MerchantStaff.merchant_id == merchant_id, MerchantStaff.user_id == user.id
        )
    ).first()


def add_staff_link(merchant: Merchant, user: User, *, is_owner: bool = False) -> MerchantStaff:
    link = staff_link(user, merchant)
    if link is None:
        link = MerchantStaff(merchant_id=merchant.id, user_id=user.id, is_owner=is_owner)
        db.session.add(link)
    elif is_owner:
        link.is_owner = True
    accounts.grant_role(user, Role.MERCHANT_STAFF)
    db.session.flush()
    return link


def find_person(community_id: int, identifier: str) -> User | None:
    user = accounts.find_by_identifier(identifier)
    if user is None or user.community_id != community_id:
        return None
    return user


def add_staff(merchant: Merchant, owner: User, identifier: str) -> MerchantStaff:
    require_owner(merchant, owner)
    person = find_person(merchant.community_id, identifier)
    if person is None:
        raise MembershipError(
            _("本社区没有这个手机号或用户名的账号，请对方先注册。"), code="no_such_person"
        )
    if staff_link(person, merchant) is not None:
        raise MembershipError(
            _("%(name)s已经是本店店员。", name=person.display_name), code="already_staff"
        )
    return add_staff_link(merchant, person)


def remove_staff(merchant: Merchant, owner: User, link: MerchantStaff) -> None:
    require_owner(merchant, owner)
    if link.merchant_id != merchant.id:
        raise MembershipError(_("找不到这位店员。"), code="not_found")
    if link.is_owner:
        raise MembershipError(_("不能移除店主。"), code="owner")
    person = link.user
    db.session.delete(link)
    db.session.flush()
    others = db.session.scalar(
        select(func.count(MerchantStaff.id)).where(MerchantStaff.user_id == person.id)
    )
    if not others:
        accounts.revoke_role(person, Role.MERCHANT_STAFF, by=owner)


def require_owner(merchant: Merchant, user: User) -> None:
    link = staff_link(user, merchant)
    if link is None or not link.is_owner:
        raise MembershipError(_("只有店主可以管理店员。"), code="not_owner")
