"""Route guards. Anonymous visitors are sent to log in; the wrong role gets 403."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from alliance.accounts.models import Role


def roles_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
