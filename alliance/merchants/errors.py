"""What a membership rule raises when it says no."""

from alliance.errors import DomainError


class MembershipError(DomainError):
    """A membership rule said no."""

    code = "membership_refused"
