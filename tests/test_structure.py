"""The shape of the package (issue 24): one Pulumi-free core, two thin front-ends, no import cycle.

The import graph is read from the source with `ast`, so it holds every import a module can make:
at module level, under `if TYPE_CHECKING:` and inside functions. An edge goes to the most specific
module an import names (`from plivo_pulumi.core import contract` -> `plivo_pulumi.core.contract`);
the parent packages that Python loads on the way are not edges, since every module has them.

One exception, for the cycle check only: an import inside a module-level `__getattr__` (PEP 562),
the lazy re-export by which `plivo_pulumi.Application` or `plivo_pulumi.core.fleet_file.declare_bindings`
keep working without loading Pulumi. It runs when the attribute is first read, never while either
module is loading, so it cannot close an import cycle. The layering rules count it like any other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "plivo_pulumi"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# What the core must never import: the engine's SDK, a front-end, the engine's command line.
FRONT_END_ONLY = ("pulumi", f"{PACKAGE}.dynamic", f"{PACKAGE}.native", f"{PACKAGE}.engine_run")
# The rules (no I/O): validation, comparison, normalization.
RULES = (f"{PACKAGE}.core.contract", f"{PACKAGE}.core.numbers", f"{PACKAGE}.core.applications")
# What does I/O, or drives it: the rules reach none of these, directly or through another module.
DOES_IO = (
    f"{PACKAGE}.core.client",
    f"{PACKAGE}.core.config",
    f"{PACKAGE}.core.lifecycle",
    f"{PACKAGE}.core.parallel",
    "requests",
    "urllib3",
    "socket",
    "http",
    "urllib.request",
    "subprocess",
    "concurrent.futures",
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (most specific)
    line: int
    lazy_reexport: bool  # inside a module-level `__getattr__`


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _resolve_from(source: str, package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".") if package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lazy_lines = {
        inner.lineno
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    }
    for node in ast.walk(tree):
        lazy = getattr(node, "lineno", -1) in lazy_lines
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno, lazy)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(name, is_package(path), node)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield Import(name, candidate if candidate in known else base, node.lineno, lazy)


def import_graph() -> list[Import]:
    found = modules()
    known = set(found)
    return [edge for name, path in found.items() for edge in imports_of(name, path, known)]


def find_cycle(edges: list[Import]) -> list[str] | None:
    """One cycle among the package's modules (as a path that ends where it starts), or None."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if _within(edge.target, PACKAGE) and not edge.lazy_reexport and edge.target != edge.source:
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
                if _within(nxt, PACKAGE):
                    todo.append(nxt)
    return chains


# -- the checks --------------------------------------------------------------------------------------


def test_there_is_no_import_cycle_in_the_package() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_core_knows_nothing_of_pulumi_or_the_front_ends() -> None:
    wrong = [
        f"{e.source} (line {e.line}) imports {e.target}"
        for e in import_graph()
        if _within(e.source, f"{PACKAGE}.core") and any(_within(e.target, f) for f in FRONT_END_ONLY)
    ]
    assert wrong == []


@pytest.mark.parametrize("rules", RULES)
def test_the_rules_do_no_io(rules: str) -> None:
    chains = reachable(rules, import_graph())
    wrong = [
        " -> ".join(chain) for name, chain in sorted(chains.items()) if any(_within(name, m) for m in DOES_IO)
    ]
    assert wrong == [], f"{rules} reaches I/O"


def test_the_folders_say_the_structure() -> None:
    """A newcomer sees the one core and the front-ends over it."""
    assert (ROOT / "core" / "lifecycle").is_dir() and (ROOT / "dynamic").is_dir()
    for resource in ("rented_number", "rented_number_set", "application"):
        assert (ROOT / "core" / "lifecycle" / f"{resource}.py").is_file()
        assert (ROOT / "dynamic" / f"{resource}.py").is_file()


# -- the checker itself ---------------------------------------------------------------------------


def _edges(source: str, text: str, known: set[str], tmp_path: Path, package: bool = False) -> list[Import]:
    path = tmp_path / source.replace(".", "_") / ("__init__.py" if package else "m.py")
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return list(imports_of(source, path, known))


def test_a_type_only_import_is_an_edge_and_closes_a_cycle(tmp_path: Path) -> None:
    """What the check would have said of `contract.py` before issue 24: it imported the client
    for type checking, and the client imports the rules."""
    known = {"plivo_pulumi.core.contract", "plivo_pulumi.core.client", "plivo_pulumi.core.client.checks"}
    contract = _edges(
        "plivo_pulumi.core.contract",
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from plivo_pulumi.core.client import PlivoClient\n",
        known,
        tmp_path,
    )
    checks = _edges(
        "plivo_pulumi.core.client.checks", "from ..contract import subaccount_field\n", known, tmp_path
    )
    client = _edges("plivo_pulumi.core.client", "from .checks import BASE_URL_HINT\n", known, tmp_path, True)
    edges = contract + checks + client
    assert [e.target for e in contract] == ["typing", "plivo_pulumi.core.client"]
    assert find_cycle(edges) == [
        "plivo_pulumi.core.client",
        "plivo_pulumi.core.client.checks",
        "plivo_pulumi.core.contract",
        "plivo_pulumi.core.client",
    ]
    assert "plivo_pulumi.core.client" in reachable("plivo_pulumi.core.contract", edges)


def test_function_level_imports_are_edges_and_only_getattr_is_lazy(tmp_path: Path) -> None:
    known = {"plivo_pulumi.a", "plivo_pulumi.b"}
    text = (
        "def f():\n    import plivo_pulumi.b\n"
        "def __getattr__(name):\n    from plivo_pulumi import b\n    return b\n"
    )
    edges = _edges("plivo_pulumi.a", text, known, tmp_path)
    assert [(e.target, e.lazy_reexport) for e in edges] == [
        ("plivo_pulumi.b", False),
        ("plivo_pulumi.b", True),
    ]
