"""The accounts' part in the rest of the platform (see alliance.hooks)."""

from alliance.accounts import reset_links
from alliance.hooks import Hooks


def _export(user) -> dict:
    return {"password_resets": reset_links.export_resets(user)}


HOOKS = Hooks(export_personal_data=_export)
