"""What a commitment rule raises when it says no."""

from alliance.commitments.models import Commitment
from alliance.errors import DomainError


class CommitmentError(DomainError):
    """A commitment rule said no."""

    code = "commitment_refused"


class InvalidRate(CommitmentError):
    code = "invalid_rate"
    field = "rate"


class WrongState(CommitmentError):
    """The commitment is not in a state that allows this step (views answer 409 or flash)."""

    code = "wrong_state"
    status = 409


def require_status(commitment: Commitment, *statuses, message) -> None:
    if commitment.status not in statuses:
        raise WrongState(message)
