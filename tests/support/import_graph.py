"""The package's import graph, read from the source with `ast` (tests/test_structure.py,
tests/test_layers.py).

It holds every import a module can make: at module level, under `if TYPE_CHECKING:` and inside
functions (a module-level `__getattr__` too). An edge goes to the most specific module an import
names (`from plivo_pulumi.core import contract` -> `plivo_pulumi.core.contract`); the parent packages
that Python loads on the way are not edges, since every module has them.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "plivo_pulumi"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (most specific)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _resolve_from(source: str, package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".") if package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(name, is_package(path), node)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield Import(name, candidate if candidate in known else base, node.lineno)


def read_graph() -> tuple[Import, ...]:
    found = modules()
    known = set(found)
    return tuple(edge for name, path in found.items() for edge in imports_of(name, path, known))


@functools.cache
def _graph() -> tuple[Import, ...]:
    # Parsed in a fresh interpreter: in a long test process, CPython 3.11's parser can fail with
    # "SystemError: AST constructor recursion depth mismatch" after an earlier test's deep recursion
    # (the YAML bomb tests), which failed `make test` once.
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.import_graph"],
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return tuple(Import(**edge) for edge in json.loads(done.stdout))


def import_graph() -> list[Import]:
    """Every import of every module of the package, read from the source once per test process (the
    package does not change during a run; ast.parse of every module for each check cost seconds)."""
    return list(_graph())


def find_cycle(edges: list[Import]) -> list[str] | None:
    """One cycle among the package's modules (as a path that ends where it starts), or None. Every
    edge counts, a lazy re-export in a module-level `__getattr__` too: it hides a cycle, not breaks it."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if within(edge.target, PACKAGE) and edge.target != edge.source:
            graph.setdefault(edge.source, set()).add(edge.target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def reachable(start: str, edges: list[Import]) -> dict[str, list[str]]:
    """Every module `start` imports, directly or through package modules, with the chain that does."""
    graph: dict[str, list[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, []).append(edge.target)
    chains = {start: [start]}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt not in chains:
                chains[nxt] = [*chains[node], nxt]
                if within(nxt, PACKAGE):
                    todo.append(nxt)
    return chains


if __name__ == "__main__":
    print(json.dumps([dataclasses.asdict(edge) for edge in read_graph()]))
