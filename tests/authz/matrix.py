"""Building blocks for the authorization matrix (see test_matrix.py).

Each domain keeps its rows in tests/authz/table_<domain>.py:

    ROWS = {
        "endpoint.name": Case("GET", "/path/{a}", signed_in(200)),
    }
    def setup(world) -> dict:   # optional: more ids for the path templates
        return {"merchant_a": ...}

Roles: anonymous, resident, volunteer, merchant, grid, secretary_a, secretary_b, street.
All of them live in community A except secretary_b (community B) and street (street office).
Path placeholders: {a}, {b} (community ids), {a_resident} (a resident of A), plus setup() ids.
"""

from dataclasses import dataclass, field

ROLES = (
    "anonymous",
    "resident",
    "volunteer",
    "merchant",
    "grid",
    "secretary_a",
    "secretary_b",
    "street",
)
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expect: dict
    data: dict = field(default_factory=dict)
    json: dict | None = None


def everyone(status=200) -> dict:
    return dict.fromkeys(ROLES, status)


def signed_in(status=200, anonymous=LOGIN) -> dict:
    return {**dict.fromkeys(ROLES, status), "anonymous": anonymous}


def only(*roles, ok=200, other=403, anonymous=LOGIN, **special) -> dict:
    """`roles` get `ok`, other signed-in roles `other`, plus exceptions by name."""
    table = {role: (ok if role in roles else other) for role in ROLES}
    table["anonymous"] = anonymous
    table.update(special)
    return table


def anonymous_only(ok=200, signed=302) -> dict:
    return {**dict.fromkeys(ROLES, signed), "anonymous": ok}
