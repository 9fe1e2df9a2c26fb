"""The layout's two switches, language and large text, for visitors who have not signed in.

They change nothing but the visitor's own display, so a public page needs no session for them:
a CSRF token in the layout made every public page set a session cookie, and every later page
open and verify it, for forms most visitors never press. Signed-in people keep the token (their
choice is saved on the account). A visitor's switch is refused when the browser says the form
came from another site (Sec-Fetch-Site, else Origin: OWASP's "verifying origin with standard
headers").
"""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user

from alliance.extensions import csrf


def from_this_site() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        # The host alone: behind a proxy that does not pass the scheme on, https://site and
        # the http://site the app sees are the same site.
        return urlsplit(origin).netloc == request.host
    # Browsers send one or the other with every form post; a script without them can only
    # change its own preference.
    return True


def preference_post(view):
    """A display switch's view: out of the site-wide CSRF check, and checked here instead
    (the token for signed-in people, the browser's headers for visitors)."""

    @wraps(view)
    def checked(*args, **kwargs):
        if current_user.is_authenticated:
            if current_app.config["WTF_CSRF_ENABLED"]:
                csrf.protect()
        elif not from_this_site():
            abort(403)
        return view(*args, **kwargs)

    return csrf.exempt(checked)
