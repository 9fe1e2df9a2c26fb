"""What each domain plugs into the rest of the platform, declared once, in the domain's `hooks.py`.

A domain that plugs in defines `HOOKS = Hooks(...)` in `alliance/<domain>/hooks.py` and is named
in `DOMAINS` below; nothing registers itself by being imported. The list's order is the order
the demo steps run and the home-page figures appear in (each domain's demo needs the ones before).

    # alliance/volunteers/hooks.py
    from alliance.hooks import Hooks
    from alliance.volunteers import demo, personal_data, services

    HOOKS = Hooks(
        export_personal_data=personal_data.export,   # user -> {section: JSON-ready data}
        close_account=personal_data.erase,           # user -> None, inside close_account()
        home_figures=services.home_figures,          # community ids or None -> [(label, n)]
        demo_steps=(demo.volunteers,),               # ctx -> None, after the earlier domains'
    )

The parts, each optional:
- `export_personal_data(user) -> dict[str, Any]`: this domain's sections of the person's data
  download (`/me/data`), keyed by section name; `{}` when it holds nothing about them.
- `close_account(user) -> None`: runs inside `accounts.personal_data.close_account()` before
  the user row is erased: blank this domain's personal columns about `user`, keep the records
  the community needs (ledgers, redemptions) pointing at the now nameless user. Flush, never commit.
- `home_figures(community_ids) -> list[(label, value)]`: figures for the home page, for the
  communities the visitor may see (None: all); a fixed number of queries, whatever the data.
- `demo_steps`: `step(ctx: DemoContext) -> None` functions run by `flask seed-demo`, in order;
  idempotent (look things up by natural key before creating them).
- `demo_logins`: extra (username, display name, community code, role text) lines for
  `flask demo-logins`.

CLI groups are not hooks: `alliance.cli.register_commands` adds each one by name.
"""

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

DOMAINS = (
    "communities",
    "accounts",
    "merchants",
    "commitments",
    "volunteers",
    "cards",
    "help_requests",
    "activities",
    "points",
    "counter",
    "committee",
    "stars",
    "notifications",
    "emergency",
    "grid",
    "reports",
)


@dataclass(frozen=True)
class Hooks:
    export_personal_data: Callable[[Any], dict[str, Any]] | None = None
    close_account: Callable[[Any], None] | None = None
    home_figures: Callable[[Collection[int] | None], list[tuple[str, int]]] | None = None
    demo_steps: tuple[Callable[[Any], None], ...] = ()
    demo_logins: tuple[tuple[str, str, str, str], ...] = ()


_collected: tuple[Hooks, ...] | None = None


def all_hooks() -> tuple[Hooks, ...]:
    """Every domain's hooks, in `DOMAINS` order (imported on first use, so no domain module
    needs to import this one's importers)."""
    global _collected
    if _collected is None:
        _collected = tuple(
            importlib.import_module(f"alliance.{name}.hooks").HOOKS for name in DOMAINS
        )
    return _collected
