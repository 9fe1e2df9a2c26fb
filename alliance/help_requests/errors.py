"""The service orders' domain error."""

from alliance.errors import DomainError


class HelpRequestError(DomainError):
    """A service-order rule said no."""

    code = "help_request_refused"
