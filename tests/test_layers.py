"""The layers of the package (docs/development.md, "Layout and layers"), read from the source.

Each folder of `plivo_pulumi` is a layer and imports only from the layers below it: the simulator
and the core at the bottom, then what runs the engine, then the front-ends, the audit and the CLI.
The old import paths (top-level modules kept as re-exports) import only their new home. A new
folder or top-level module fails `test_every_folder_has_a_place` until it is given its layer here.
"""

from __future__ import annotations

import ast

import pytest

from tests.support.import_graph import PACKAGE, ROOT, Import, find_cycle, import_graph, reachable, within

# What each folder (or top-level module) may import of the package.
ALLOWED: dict[str, set[str]] = {
    "version": set(),
    "core": {"version"},  # rules, client, lifecycles, the fleet file: no Pulumi
    "simulator": {"core", "version"},  # of the core, only the rules (SIMULATOR_MAY_USE)
    "engine": {"core"},  # runs or reads `pulumi`: the command line, settings, lock wait, Automation API
    "dynamic": {"core", "engine", "version"},
    "native": {"core", "engine", "version"},
    "audit": {"core", "engine", "version"},
    "cli": {"audit", "core", "engine", "version"},
    PACKAGE: {"dynamic", "version"},  # the public names, loaded lazily
    # Old import paths, kept for users' programs and saved states: each re-exports its new home.
    "resources": {"dynamic"},
    "bindings": {"core", "dynamic"},
    "safe_yaml": {"core"},
    "engine_run": {"engine"},
    "engine_settings": {"engine"},
    "lock_wait": {"engine"},
    "workspace": {"engine"},
}
OLD_PATHS = ("resources", "bindings", "safe_yaml", "engine_run", "engine_settings", "lock_wait", "workspace")
# The layers that may import Pulumi (the SDK, or its Automation API).
PULUMI_USERS = {"engine", "dynamic", "native"}
# The core modules the simulator shares with the client: pure rules (number and id normalization,
# the URL rule the provider checks at preview) and the bounded YAML parser. A test oracle must not
# share the client's I/O or lifecycles.
SIMULATOR_MAY_USE = (f"{PACKAGE}.core.numbers", f"{PACKAGE}.core.applications", f"{PACKAGE}.core.safe_yaml")


def layer(module: str) -> str:
    """The folder (or top-level module) a module of the package belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else PACKAGE


def package_edges() -> list[Import]:
    return [e for e in import_graph() if within(e.target, PACKAGE) and layer(e.source) != layer(e.target)]


def describe(edges: list[Import]) -> list[str]:
    return [f"{e.source} (line {e.line}) imports {e.target}" for e in edges]


def test_every_folder_has_a_place() -> None:
    found = {layer(e.source) for e in import_graph()}
    assert found - set(ALLOWED) == set(), "give the new folder a layer in ALLOWED"


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = [e for e in package_edges() if layer(e.target) not in ALLOWED[layer(e.source)]]
    assert describe(wrong) == []


def test_there_is_no_cycle_between_folders() -> None:
    folders = [
        Import(f"{PACKAGE}.{layer(e.source)}", f"{PACKAGE}.{layer(e.target)}", e.line)
        for e in package_edges()
    ]
    cycle = find_cycle(folders)
    assert cycle is None, "cycle between folders: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("forbidden", ["dynamic", "native", "audit", "engine", "simulator", "cli"])
def test_the_core_reaches_nothing_above_it(forbidden: str) -> None:
    """Directly or through another module."""
    edges = import_graph()
    chains = [
        " -> ".join(chain)
        for start in sorted({e.source for e in edges if layer(e.source) == "core"})
        for name, chain in reachable(start, edges).items()
        if within(name, f"{PACKAGE}.{forbidden}")
    ]
    assert chains == []


def test_only_the_engine_and_the_front_ends_import_pulumi() -> None:
    wrong = [
        e
        for e in import_graph()
        if within(e.target, "pulumi") and layer(e.source) not in PULUMI_USERS and layer(e.source) != PACKAGE
    ]
    assert describe(wrong) == []


def test_the_simulator_uses_only_the_rules_of_the_product() -> None:
    """The fake API imports nothing of the product but the pure rules it shares with the client, and
    reaches no I/O of the client, no Pulumi and no front-end through them."""
    edges = import_graph()
    direct = [
        e
        for e in edges
        if layer(e.source) == "simulator"
        and within(e.target, PACKAGE)
        and layer(e.target) != "simulator"
        and e.target != f"{PACKAGE}.version"
        and e.target not in SIMULATOR_MAY_USE
    ]
    assert describe(direct) == []
    starts = sorted({e.source for e in edges if layer(e.source) == "simulator"})
    reached = {name for start in starts for name in reachable(start, edges)}
    product = {n for n in reached if within(n, PACKAGE) and layer(n) != "simulator"}
    # core.contract: the field rules core.applications builds on.
    assert product <= {*SIMULATOR_MAY_USE, f"{PACKAGE}.version", f"{PACKAGE}.core.contract"}, sorted(product)
    assert not any(within(n, "pulumi") for n in reached)


@pytest.mark.parametrize("old", OLD_PATHS)
def test_an_old_path_only_re_exports(old: str) -> None:
    """An old import path holds no code of its own: a docstring, imports and `__all__`."""
    path = ROOT / old / "__init__.py" if (ROOT / old).is_dir() else ROOT / f"{old}.py"
    files = sorted((ROOT / old).glob("*.py")) if (ROOT / old).is_dir() else [path]
    for file in files:
        body = ast.parse(file.read_text(encoding="utf-8")).body
        for node in body[1:]:
            names = [ast.unparse(t) for t in node.targets] if isinstance(node, ast.Assign) else []
            assert isinstance(node, ast.Import | ast.ImportFrom) or names == ["__all__"], (
                f"{file.relative_to(ROOT.parent)} line {node.lineno}: old paths only re-export"
            )


def test_the_simulator_model_is_one_module_per_domain() -> None:
    models = ROOT / "simulator" / "models"
    assert {p.stem for p in models.glob("*.py")} >= {"accounts", "numbers", "applications", "state"}
    old = ast.parse((ROOT / "simulator" / "model.py").read_text(encoding="utf-8")).body
    assert all(isinstance(n, ast.Expr | ast.ImportFrom) for n in old), "simulator/model.py only re-exports"
