"""Merchants: the public directory and a member's page. Applying and the secretary's review are
in application_views; managing members, agreements and my shop in member_views (the same
blueprint, from web)."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from alliance.commitments.published import commitment_lines, published_for_merchants
from alliance.communities.services import can_administer
from alliance.emergency.supply_models import Pledge
from alliance.extensions import db
from alliance.merchants import staff as merchant_staff
from alliance.merchants import status as merchant_status
from alliance.merchants.directory import directory_filters, directory_rows, filter_places
from alliance.merchants.forms import category_choices
from alliance.merchants.models import Merchant, MerchantStatus, category_label
from alliance.merchants.web import ADMINS, PAGE_SIZE, bp
from alliance.points import exchange_items

# --- public directory ---------------------------------------------------------------------


def _published(merchants) -> dict[int, list]:
    """Published commitments for the active members only: a suspended member's offers don't apply."""
    return published_for_merchants([m.id for m in merchants if merchant_status.is_active(m)])


@bp.get("/")
def index():
    filters = directory_filters(request.args)
    # Active members only, so every entry's commitments apply.
    stmt, params = directory_rows(**filters, status=MerchantStatus.ACTIVE)
    page = db.paginate_rows(stmt, params, per_page=PAGE_SIZE)
    communities, estates = filter_places(filters["community"])
    lines = commitment_lines(row.id for row in page.items)
    return render_template(
        "merchants/index.html",
        page=page,
        filters=filters,
        categories=category_choices(blank=_("全部类别")),
        communities=communities,
        estates=estates,
        # Each entry's row with its commitment lines: what it shows, and the key it is kept under.
        entry_keys=[(row, *lines[row.id]) for row in page.items],
        category_label=category_label,
        args={
            "q": filters["q"],
            "category": filters["category"],
            "community": filters["community"].code if filters["community"] else "",
            "estate": filters["estate_id"] or "",
        },
    )


@bp.get("/<int:merchant_id>")
def detail(merchant_id: int):
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        abort(404)
    commitments = _published([merchant]).get(merchant.id, [])
    is_admin = (
        current_user.is_authenticated
        and current_user.has_role(*ADMINS)
        and can_administer(current_user, merchant.community)
    )
    return render_template(
        "merchants/detail.html",
        merchant=merchant,
        commitments=commitments,
        can_admin=is_admin,
        is_staff=merchant_staff.is_staff(current_user, merchant),
        # Agreement reserves (协议储备) are service commitments signed with the community;
        # they stop applying with the member's other commitments.
        pledges=db.session.scalars(
            select(Pledge).where(Pledge.merchant_id == merchant.id).order_by(Pledge.id)
        ).all()
        if merchant_status.is_active(merchant)
        else [],
        exchange_items=exchange_items.where_to_spend(merchant_id=merchant.id).items,
    )


# The rest of the blueprint's pages (imported here so that they are registered with it).
from alliance.merchants import application_views as _application_views  # noqa: E402,F401,I001
from alliance.merchants import member_views as _member_views  # noqa: E402,F401
