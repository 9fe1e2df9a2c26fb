"""Who sees the large text mode: the account's setting when signed in, the browser's cookie otherwise."""

from flask import g, has_request_context, request
from flask_login import current_user

from alliance.accounts.models import Role

COOKIE = "large_text"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep (Chrome caps at 400 days)

# Each role's main tasks: the only menu entries the large text mode keeps (the home page is
# always there). A person with several roles gets the union.
MAIN_TASKS = {
    None: ("merchants.index", "commitments.index"),
    Role.RESIDENT: ("help_requests.new", "help_requests.mine", "notifications.index"),
    Role.VOLUNTEER: ("cards.mine", "activities.index", "points.mine", "notifications.index"),
    Role.MERCHANT_STAFF: ("counter.scan", "help_requests.orders", "commitments.mine"),
    Role.GRID_WORKER: ("activities.manage", "notifications.index"),
    Role.SECRETARY: (
        "help_requests.queue",
        "merchants.review_queue",
        "volunteers.queue",
        "commitments.review",
    ),
    Role.STREET_OFFICER: ("help_requests.escalations", "communities.index", "commitments.review"),
}
SIGNED_IN_TASKS = ("notifications.index", "accounts.me")


def large_text_on() -> bool:
    if not has_request_context():  # a template rendered for an e-mail or the CLI
        return False
    if "large_text" not in g:
        if current_user and current_user.is_authenticated:
            g.large_text = bool(current_user.large_text)
        else:
            g.large_text = request.cookies.get(COOKIE) == "1"
    return g.large_text


def main_task_endpoints(user) -> set[str]:
    endpoints = {"main.index"}
    if not user.is_authenticated:
        return endpoints | set(MAIN_TASKS[None])
    endpoints.update(SIGNED_IN_TASKS)
    for role in Role:
        if user.has_role(role):
            endpoints.update(MAIN_TASKS.get(role, ()))
    return endpoints


def speakable_number(number: str) -> str:
    """Digits one by one, so a speech engine says 'one two three' rather than 'one hundred…'."""
    return " ".join(number)


def speakable_name(masked: str, placeholder: str) -> str:
    """The masked name as shown (王*明), its hidden characters read as `placeholder` (某)."""
    return masked.replace("*", placeholder)
