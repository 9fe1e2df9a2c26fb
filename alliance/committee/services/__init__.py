"""The committee's rules: members (members.py), meetings and attendance (meetings.py), the
agenda (agenda.py), decisions and proposals (decisions.py). Services flush, never commit."""

from alliance.errors import DomainError


class CommitteeError(DomainError):
    """A committee rule said no: `code` is stable, `message` is for people, `field` names the
    form field the message belongs to."""

    def __init__(self, code: str, message, status: int = 422, field: str | None = None):
        super().__init__(str(message))
        self.code, self.message, self.status, self.field = code, message, status, field
