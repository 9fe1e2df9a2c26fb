"""Notifications: the inbox, SMS through the outbox, preferences and broadcasts.

Emit one with `alliance.notifications.services.notify` (see its module docstring); register a
new kind with `alliance.notifications.kinds.register_kind`.
"""

from alliance.notifications import catalog  # noqa: F401  (the platform's kinds, registered once)
