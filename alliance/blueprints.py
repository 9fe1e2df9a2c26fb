"""Every blueprint, in one tuple; `create_app` registers them in this order."""

from alliance.accounts.personal_views import bp as account_security_bp
from alliance.accounts.views import bp as accounts_bp
from alliance.activities.views import bp as activities_bp
from alliance.api.openapi import bp as openapi_bp
from alliance.cards.views import bp as cards_bp
from alliance.co_building.views import bp as co_building_bp
from alliance.commitments.api import api_bp as commitments_api_bp
from alliance.commitments.views import bp as commitments_bp
from alliance.committee.api import bp as committee_api_bp
from alliance.committee.views import bp as committee_bp
from alliance.communities.views import bp as communities_bp
from alliance.counter.api import bp as counter_api_bp
from alliance.counter.views import bp as counter_bp
from alliance.dashboard.api import bp as dashboard_api_bp
from alliance.dashboard.views import bp as dashboard_bp
from alliance.elder.views import bp as elder_bp
from alliance.emergency.api import bp as emergency_api_bp
from alliance.emergency.views import bp as emergency_bp
from alliance.grid.views import bp as grid_bp
from alliance.help_requests.open311.keys import bp as open311_keys_bp
from alliance.help_requests.open311.views import bp as open311_bp
from alliance.help_requests.views import bp as help_requests_bp
from alliance.main.views import bp as main_bp
from alliance.merchants.api import bp as merchants_api_bp
from alliance.merchants.views import bp as merchants_bp
from alliance.notifications.views import bp as notifications_bp
from alliance.points.views import bp as points_bp
from alliance.projects.views import bp as projects_bp
from alliance.reports.views import bp as reports_bp
from alliance.stars.views import bp as stars_bp
from alliance.volunteers.views import bp as volunteers_bp

BLUEPRINTS = (
    main_bp,
    accounts_bp,
    communities_bp,
    commitments_bp,
    commitments_api_bp,
    openapi_bp,
    merchants_bp,
    merchants_api_bp,
    volunteers_bp,
    account_security_bp,
    cards_bp,
    counter_bp,
    counter_api_bp,
    help_requests_bp,
    open311_bp,
    open311_keys_bp,
    co_building_bp,
    projects_bp,
    notifications_bp,
    activities_bp,
    points_bp,
    committee_bp,
    committee_api_bp,
    stars_bp,
    elder_bp,
    emergency_bp,
    emergency_api_bp,
    dashboard_bp,
    dashboard_api_bp,
    reports_bp,
    grid_bp,
)
