"""The inbox's part in the rest of the platform (see alliance.hooks)."""

from alliance.hooks import Hooks
from alliance.notifications import personal_data

HOOKS = Hooks(export_personal_data=personal_data.export, close_account=personal_data.erase)
