"""Rows of a list rendered once per content and language, then reused.

A list page spends most of its rendering on its rows: escaping, translated labels, URLs, a few
hundred small strings for twenty rows. A row's HTML is a function of what it shows and the
language, so a template can wrap it in

    {% call remember('merchant-row', row) %} … {% endcall %}

where the values after the name are everything the body reads (a Core row of the columns shown
is the natural key). The body is rendered when that key is new and taken from memory
otherwise: nothing goes stale, because changed content is a different key. The body must not
read anything else: no CSRF token, no current user, no current time. Each worker keeps at most
LIMIT fragments and starts over past it.
"""

from flask import current_app
from markupsafe import Markup, escape

from alliance.i18n import request_locale_name

# A row is about a kilobyte: a few megabytes per worker at most.
LIMIT = 5_000


def remember(name: str, *key, caller) -> Markup:
    kept = current_app.extensions.setdefault("alliance_fragments", {})
    full_key = (name, request_locale_name(), *key)
    try:
        found = kept.get(full_key)
    except TypeError:  # a value that cannot be a key: render every time
        return Markup(caller())
    if found is None:
        found = Markup(caller())
        if len(kept) >= LIMIT:
            kept.clear()
        kept[full_key] = found
    return found


# A place in a kept fragment for a value of this request (a CSRF token, the page's own path):
# private-use characters, which nothing the header shows contains (its labels are the site's own).
_SLOT = "\ue000{}\ue000"


def fragment_slot(name: str) -> Markup:
    """Where `remember_with_slots` puts this request's value called `name`."""
    return Markup(_SLOT.format(name))


def remember_with_slots(name: str, *key, caller, **values) -> Markup:
    """`remember`, then each {{ fragment_slot(name) }} in the kept HTML filled with this
    request's value (escaped): the layout's header is the same for every page of a menu and
    language except its forms' CSRF token and return paths, which must not be kept."""
    found = remember(name, *key, caller=caller)
    for slot_name, value in values.items():
        found = found.replace(_SLOT.format(slot_name), escape(value))
    return found


def init_fragments(app) -> None:
    app.jinja_env.globals.update(
        remember=remember, remember_with_slots=remember_with_slots, fragment_slot=fragment_slot
    )
