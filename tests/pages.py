"""Read what a person sees on a page: the verdict word, a home-page figure."""

import re

_VERDICT = re.compile(r'<p class="verdict-word">\s*(.*?)\s*</p>', re.S)
_FIGURE = re.compile(
    r'<span class="figure-value">\s*(.*?)\s*</span>\s*<span class="figure-label">\s*(.*?)\s*</span>',
    re.S,
)


def verdict(page: str) -> str:
    """The big word on the card verification page: "有效" or "无效"."""
    found = _VERDICT.findall(page)
    assert len(found) == 1, f"expected one verdict, found {found}"
    return found[0]


def home_figures(page: str) -> dict[str, str]:
    """The home page's figures, label → value as shown."""
    return {label: value for value, label in _FIGURE.findall(page)}
