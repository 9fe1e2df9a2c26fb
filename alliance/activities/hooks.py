"""The volunteer activities' part in the rest of the platform (see alliance.hooks)."""

from alliance.activities import personal_data, records
from alliance.hooks import Hooks

HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
    home_figures=records.home_figures,
)
