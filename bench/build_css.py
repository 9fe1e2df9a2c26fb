"""Build static/css/bootstrap.css: the rules of Bootstrap 5 that this site's pages can use.

    python -m bench.build_css          (make css)

The source is the bootstrap.min.css that Bootstrap-Flask ships (PyPI), parsed with tinycss2
(PyPI): nothing is fetched at run time or from a CDN. A rule is kept when every class in one of
its selectors appears as a word somewhere in templates/, alliance/ (Python builds some class
names, flash categories among them) or static/js/. Template fragments such as `alert-{{ kind }}`
are expanded with every word, so classes put together at render time are kept too. The result is
committed, so `make run` needs neither npm nor this script; tests/test_css_subset.py fails when a
template starts using a Bootstrap class the committed file lacks (then run `make css`).
"""

import re
import sys
from pathlib import Path

import tinycss2

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "static" / "css" / "bootstrap.css"
WORD = re.compile(r"[A-Za-z][\w-]*")
PREFIX = re.compile(r"([A-Za-z][\w-]*-)\{\{")
CLASS = re.compile(r"\.(-?[_A-Za-z][\w-]*)")


def bootstrap_source() -> Path:
    import flask_bootstrap

    return Path(flask_bootstrap.__file__).parent / "static/bootstrap5/css/bootstrap.min.css"


def content_files():
    for folder, pattern in (("templates", "*.html"), ("alliance", "*.py"), ("static/js", "*.js")):
        yield from sorted((ROOT / folder).rglob(pattern))


def used_words() -> set[str]:
    words: set[str] = set()
    prefixes: set[str] = set()
    for path in content_files():
        text = path.read_text(encoding="utf-8")
        words.update(WORD.findall(text))
        prefixes.update(PREFIX.findall(text))
    # Each prefix with the words as found (not with other expansions: the set would double per
    # prefix, and twenty prefixes ran out of memory).
    found = list(words)
    words.update(prefix + word for prefix in prefixes for word in found)
    # Bootstrap's collapse and our nav script toggle these on the menu.
    words.update({"show", "collapsing"})
    return words


def _selector_used(selector: str, words: set[str]) -> bool:
    return all(name in words for name in CLASS.findall(selector))


def _rules(nodes, words: set[str]) -> list[str]:
    out = []
    for node in nodes:
        if node.type == "qualified-rule":
            prelude = tinycss2.serialize(node.prelude).strip()
            kept = [s.strip() for s in prelude.split(",") if _selector_used(s, words)]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(node.content).strip() + "}")
        elif node.type == "at-rule" and node.content is not None:
            name = node.lower_at_keyword
            prelude = tinycss2.serialize(node.prelude).strip()
            if name in ("media", "supports", "container", "layer"):
                inner = _rules(tinycss2.parse_rule_list(node.content), words)
                if inner:
                    out.append(f"@{name} {prelude}{{{''.join(inner)}}}")
            elif name == "keyframes" and prelude in words:
                out.append(f"@keyframes {prelude}{{{tinycss2.serialize(node.content).strip()}}}")
    return out


def build(words: set[str] | None = None) -> str:
    source = bootstrap_source().read_text(encoding="utf-8")
    notice = re.search(r"/\*!.*?\*/", source, re.S)  # Bootstrap's MIT notice travels with it
    header = notice.group(0) if notice else ""
    nodes = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    body = "\n".join(_rules(nodes, words if words is not None else used_words()))
    return f"{header}\n/* Subset for this site: python -m bench.build_css (make css) */\n{body}\n"


def main() -> int:
    css = build()
    OUTPUT.write_text(css, encoding="utf-8")
    full = bootstrap_source().stat().st_size
    print(f"{OUTPUT.relative_to(ROOT)}: {len(css.encode()):,} bytes (Bootstrap: {full:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
