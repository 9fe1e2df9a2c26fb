"""The emergency domain's part in the rest of the platform (see alliance.hooks)."""

from alliance.emergency import personal_data
from alliance.hooks import Hooks

HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
)
