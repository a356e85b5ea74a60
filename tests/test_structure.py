"""The shape of the package (issue 24): one Pulumi-free core, two thin front-ends, no import cycle.

The import graph is read from the source with `ast` (tests/support/import_graph.py), so it holds
every import a module can make, a lazy re-export in a module-level `__getattr__` included. The rules
between the folders (engine/, simulator/, audit/, the CLI) are in tests/test_layers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.import_graph import (
    PACKAGE,
    ROOT,
    Import,
    find_cycle,
    import_graph,
    imports_of,
    reachable,
    within,
)

# What the core must never import: the engine's SDK, a front-end, what runs the engine.
FRONT_END_ONLY = ("pulumi", f"{PACKAGE}.dynamic", f"{PACKAGE}.native", f"{PACKAGE}.engine")
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


# -- the checks --------------------------------------------------------------------------------------


def test_there_is_no_import_cycle_in_the_package() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_core_knows_nothing_of_pulumi_or_the_front_ends() -> None:
    wrong = [
        f"{e.source} (line {e.line}) imports {e.target}"
        for e in import_graph()
        if within(e.source, f"{PACKAGE}.core") and any(within(e.target, f) for f in FRONT_END_ONLY)
    ]
    assert wrong == []


@pytest.mark.parametrize("rules", RULES)
def test_the_rules_do_no_io(rules: str) -> None:
    chains = reachable(rules, import_graph())
    wrong = [
        " -> ".join(chain) for name, chain in sorted(chains.items()) if any(within(name, m) for m in DOES_IO)
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


def test_function_level_and_lazy_reexport_imports_are_edges_and_close_a_cycle(tmp_path: Path) -> None:
    """What the check would have said of `bindings.py` before the layout move: its module-level
    `__getattr__` imported `dynamic.fleet`, which imports it."""
    known = {"plivo_pulumi.a", "plivo_pulumi.b"}
    text = (
        "def f():\n    import plivo_pulumi.b\n"
        "def __getattr__(name):\n    from plivo_pulumi import b\n    return b\n"
    )
    edges = _edges("plivo_pulumi.a", text, known, tmp_path)
    assert [e.target for e in edges] == ["plivo_pulumi.b", "plivo_pulumi.b"]
    back = _edges("plivo_pulumi.b", "from plivo_pulumi.a import X\n", known, tmp_path)
    assert find_cycle(edges + back) == ["plivo_pulumi.a", "plivo_pulumi.b", "plivo_pulumi.a"]
