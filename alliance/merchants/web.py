"""The merchants' blueprint and who administers members (the pages are in views,
application_views and member_views)."""

from flask import Blueprint

from alliance.accounts.models import Role

bp = Blueprint("merchants", __name__, url_prefix="/merchants")

PAGE_SIZE = 20
ADMINS = (Role.SECRETARY, Role.STREET_OFFICER)
