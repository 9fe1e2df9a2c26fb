"""Imports every domain's models so metadata, migrations and relationships see them all."""

from alliance.accounts.models import PasswordReset, User, UserRole  # noqa: F401
from alliance.activities.models import (  # noqa: F401,E402
    Activity,
    ActivitySlot,
    ServiceRecord,
    Signup,
)
from alliance.api.models import ApiToken, Open311Key  # noqa: F401
from alliance.audit.models import AuditEntry  # noqa: F401
from alliance.cards.models import Card, CardSequence, Redemption  # noqa: F401,E402
from alliance.co_building.models import CoBuildingUnit, Resource  # noqa: F401
from alliance.commitments.models import (  # noqa: F401
    BrokenCommitmentReport,
    Commitment,
    FulfilmentNote,
    Offer,
    ServiceDetail,
)
from alliance.committee.models import (  # noqa: F401,E402
    AgendaItem,
    Attendance,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingSeries,
    MinutesEdit,
    Proposal,
)
from alliance.communities.models import Community, Estate, Grid, StreetOffice  # noqa: F401
from alliance.counter.models import Checkout  # noqa: F401
from alliance.emergency.hazard_models import (  # noqa: F401
    HazardCheck,
    HazardPoint,
    InspectionRound,
    RectificationNotice,
)
from alliance.emergency.household_models import Household, HouseholdVisit  # noqa: F401
from alliance.emergency.models import (  # noqa: F401
    CallUp,
    CallUpAnswer,
    EmergencyResponse,
    PartyMembership,
    ResponseChange,
    TaskForce,
    TaskForceMember,
)
from alliance.emergency.shelter_models import Shelter, SpaceOffer, Transfer  # noqa: F401
from alliance.emergency.supply_models import (  # noqa: F401
    Pledge,
    Stock,
    StockMove,
    SupplyItem,
    SupplyStore,
)
from alliance.grid.models import GridBusiness, GridVisit  # noqa: F401
from alliance.help_requests.models import (  # noqa: F401,E402
    HelpRequest,
    HelpRequestEvent,
    ServiceCategory,
)
from alliance.merchants.models import (  # noqa: F401
    Agreement,
    Merchant,
    MerchantApplication,
    MerchantStaff,
    MerchantStatusChange,
)
from alliance.notifications.models import (  # noqa: F401,E402
    Broadcast,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from alliance.points.models import (  # noqa: F401,E402
    Exchange,
    ExchangeItem,
    LedgerEntry,
    PointsAccount,
    PointsRule,
)
from alliance.points.rule_versions import RuleVersion  # noqa: F401,E402
from alliance.projects.models import Project  # noqa: F401
from alliance.reports.models import MonthlyReport  # noqa: F401
from alliance.stars.models import StarAward  # noqa: F401,E402
from alliance.volunteers.models import (  # noqa: F401
    VolunteerApplication,
    VolunteerProfile,
    VolunteerStatusChange,
)
