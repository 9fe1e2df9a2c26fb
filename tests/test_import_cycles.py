"""No two modules of `alliance/` import each other, directly or round a longer circle.

Counted: module-level imports (including those at the bottom of a module), since they are the
ones that run when a module is first imported. Imports inside a function run later, once every
module is loaded; the app factory and a few lookups defer that way on purpose, so they are left
out. `if TYPE_CHECKING:` blocks never run and are left out too.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "alliance"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(tree: ast.Module):
    def walk(statements):
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield node
            elif isinstance(node, ast.If):
                test = node.test
                if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
                    continue
                yield from walk(node.body)
                yield from walk(node.orelse)
            elif isinstance(node, ast.Try):
                yield from walk(node.body)
                for handler in node.handlers:
                    yield from walk(handler.body)
                yield from walk(node.orelse)
                yield from walk(node.finalbody)

    return walk(tree.body)


def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from alliance.x import y` names module alliance.x.y when there is one.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_alliance_imports_itself_round_a_circle():
    assert cycles(import_graph()) == []


def test_the_check_sees_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_graph_sees_module_level_and_relative_imports():
    graph = import_graph()
    assert "alliance.extensions" in graph["alliance.cli"]
    assert "alliance.hooks" in graph["alliance.cards.hooks"]


def test_the_app_on_sqlite_starts_without_loading_the_postgresql_driver():
    """`make run` and every worker on SQLite start without psycopg (0.18 s to import)."""
    import subprocess
    import sys

    probe = (
        "import sys; from alliance import create_app; "
        "create_app({'TESTING': True, 'SECRET_KEY': 'x', "
        "'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'RATELIMIT_STORAGE_URI': 'memory://'}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'psycopg'))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert answer.stdout.strip().splitlines()[-1] == "[]"
