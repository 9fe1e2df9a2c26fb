"""What a points rule raises when it says no."""

from alliance.errors import DomainError


class PointsError(DomainError):
    """A points rule said no."""

    code = "points_refused"
