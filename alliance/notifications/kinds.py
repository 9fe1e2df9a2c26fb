"""The registry of notification kinds: what each kind says, in any language, at read time.

A notification row stores a kind name and its parameters, never rendered text, so a reader who
switches to English sees English. A domain registers its kinds once, at import, next to the
code that emits them:

    from alliance.i18n import lazy_gettext as _l
    from alliance.notifications.kinds import register_kind

    CARD_ISSUED = register_kind(
        "card.issued",
        label=_l("联盟卡已发放"),
        title=_l("您的联盟卡已发放：%(number)s"),
        body=_l("请在“我的卡”中查看。"),
    )

`title` and `body` are msgids with `%(name)s` placeholders filled from the parameters (a missing
parameter renders empty rather than failing a page). `params` may name a function that turns
stored codes into words at read time (a state code into its label in the reader's language).
`urgent` kinds go by SMS unless the person turned it off; `emergency` kinds also ignore the quiet
hours (22:00–07:00).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from alliance.i18n import lazy_gettext as _l


class _Blank(dict):
    def __missing__(self, key):
        return ""


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any
    title: Any
    body: Any = None
    urgent: bool = False
    emergency: bool = False
    params: Callable[[Mapping], Mapping] | None = field(default=None, compare=False)

    def _values(self, params: Mapping | None) -> _Blank:
        values = _Blank(params or {})
        if self.params is not None:
            values.update(self.params(values))
        return values

    def render_title(self, params: Mapping | None) -> str:
        return _fill(self.title, self._values(params))

    def render_body(self, params: Mapping | None) -> str:
        return _fill(self.body, self._values(params)) if self.body else ""


def _fill(msgid, values: Mapping) -> str:
    # str() of a lazy msgid translates it into the locale in force now (the reader's).
    text = str(msgid)
    try:
        return text % values
    except (TypeError, ValueError, KeyError):
        return text


KINDS: dict[str, Kind] = {}


def register_kind(
    name: str,
    *,
    label,
    title,
    body=None,
    urgent: bool = False,
    emergency: bool = False,
    params: Callable[[Mapping], Mapping] | None = None,
) -> Kind:
    """Register (or re-register, for module reloads) a kind; returns it."""
    kind = Kind(name, label, title, body, urgent, emergency, params)
    KINDS[name] = kind
    return kind


def get_kind(name: str) -> Kind:
    return KINDS.get(name) or KINDS["text"]


def ordered_kinds() -> list[Kind]:
    """Kinds a person can choose channels for (free text and broadcasts are not chosen per kind)."""
    return sorted((k for k in KINDS.values() if k.name not in ("text",)), key=lambda k: k.name)


# Free text written by a person (a broadcast, or a notification stored before kinds existed):
# shown as written, in the language it was written in.
TEXT = register_kind("text", label=_l("通知"), title="%(title)s", body="%(body)s")
