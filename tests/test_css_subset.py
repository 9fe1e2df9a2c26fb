"""The committed Bootstrap subset holds every Bootstrap class the templates use (else: make css)."""

import re
from pathlib import Path

import tinycss2

from bench.build_css import OUTPUT, bootstrap_source

ROOT = Path(__file__).resolve().parent.parent
CLASS_ATTR = re.compile(r'class="([^"]*)"|class_=\'([^\']*)\'|class_="([^"]*)"')
SELECTOR_CLASS = re.compile(r"\.(-?[_A-Za-z][\w-]*)")


def selectors(css: str) -> set[str]:
    names = set()
    for node in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        stack = [node]
        while stack:
            rule = stack.pop()
            if rule.type == "qualified-rule":
                prelude = tinycss2.serialize(rule.prelude)
                names.update(part.strip() for part in prelude.split(",") if "." in part)
            elif rule.type == "at-rule" and rule.content and rule.lower_at_keyword == "media":
                stack.extend(tinycss2.parse_rule_list(rule.content, True, True))
    return names


def template_classes() -> set[str]:
    used = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for groups in CLASS_ATTR.findall(path.read_text(encoding="utf-8")):
            value = re.sub(r"\{[{%].*?[}%]\}", " ", "".join(groups))
            used.update(word for word in value.split() if re.fullmatch(r"[\w-]+", word))
    return used


def test_committed_subset_covers_the_templates():
    used = template_classes()
    assert {"navbar", "btn", "form-control", "alert", "container"} <= used
    # Every Bootstrap selector made only of classes the templates use must be in the subset.
    wanted = {
        selector
        for selector in selectors(bootstrap_source().read_text(encoding="utf-8"))
        if set(SELECTOR_CLASS.findall(selector)) <= used
    }
    missing = sorted(wanted - selectors(OUTPUT.read_text(encoding="utf-8")))
    assert not missing, f"run `make css`: static/css/bootstrap.css lacks {missing}"


def test_subset_is_a_fraction_of_bootstrap():
    assert OUTPUT.stat().st_size < bootstrap_source().stat().st_size / 3
