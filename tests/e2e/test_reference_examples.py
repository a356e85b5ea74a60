"""The reference's examples (docs/reference/examples/<page>/<language>/, included verbatim into the
pages by scripts/gen_docs.py) run as users run them: through the `pulumi` CLI, with the native
plugin, against the simulator. Each must `pulumi preview` and `pulumi up` with exit 0, and do what
its page says: one fact per page, checked in the simulator or in the stack's outputs, the same for
every language.

Cost: the toolchains are built once per module. TypeScript shares one `npm ci`
(tests/support/lang_projects.py); the Go examples are one module (docs/reference/examples/go.mod),
each page a main package, built once into binaries that the projects run through
`runtime.options.binary`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.lang_projects import (
    GO_ENV,
    build_ts_toolchain,
    go_sdk_copy,
    need,
    need_host,
    outputs,
    plugins_block,
    run,
    write_go_project,
    write_ts_project,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import gen_docs  # noqa: E402

EXAMPLES = gen_docs.EXAMPLES
LANGUAGES = ("python", "typescript", "go", "yaml")


@dataclass(frozen=True)
class Expect:
    """What a page's example does, whatever its language: `prepare` sets the account up, `check`
    asserts the user-visible fact (simulator state or stack outputs)."""

    check: Callable[[Any, dict[str, Any]], None]
    prepare: Callable[[Any], None] = lambda sim: None
    config: dict[str, tuple[str, bool]] = field(default_factory=dict)
    base_url_env: bool = False


def _provider_check(sim, out):
    assert sim.number(NUMBERS[4])["subaccount"] == SUB
    assert sim.number(NUMBERS[4])["app_id"] in ("", None), "unbound with the subaccount's provider"


def _provider_prepare(sim):
    sim.edit_out_of_band(NUMBERS[4], subaccount=SUB)
    sim.edit_out_of_band(NUMBERS[4], app_id=APPS[1])


def _rented_number_check(sim, out):
    assert sim.number(NUMBERS[0])["app_id"] == APPS[0]
    assert out == {"number": NUMBERS[0], "appId": APPS[0]}, out


def _set_check(sim, out):
    assert sim.number(NUMBERS[1])["app_id"] == APPS[0]
    assert sim.number(NUMBERS[2])["app_id"] == APPS[1]
    # Each number, normalized, with its binding `<appId>/<subaccount>`.
    assert {n: b.split("/")[0] for n, b in out["bindings"].items()} == {
        NUMBERS[1]: APPS[0],
        NUMBERS[2]: APPS[1],
    }


def _application_check(sim, out):
    app = sim.application(out["appId"])
    assert app["app_name"] == "support-ivr" and app["answer_url"] == "https://voice.example.com/ivr/answer"
    assert sim.number(NUMBERS[0])["app_id"] == out["appId"]


def _get_number_check(sim, out):
    assert out == {"number": NUMBERS[0], "appId": APPS[2], "numberType": "local"}, out


def _get_numbers_check(sim, out):
    # YAML exports the entries whole (it has no map over a list); the others export their numbers.
    numbers = [n if isinstance(n, str) else n["number"] for n in out["numbers"]]
    assert sorted(numbers) == sorted(NUMBERS), out


def _get_application_check(sim, out):
    assert out["appName"] == f"app-{APPS[0]}", out


def _order_check(sim, out):
    bought = [p["number"] for p in sim.purchases()["purchases"]]
    assert out["numbers"] == bought == ["14154001001", "14154001002"], (out, bought)
    assert out["monthlyCost"] == 1.6 and all(sim.number(n)["app_id"] == APPS[0] for n in bought)


EXPECT: dict[str, Expect] = {
    "provider": Expect(
        _provider_check,
        _provider_prepare,
        config={"subAuthId": (SUB, False), "subAuthToken": (SUB_TOKEN, True)},
        base_url_env=True,
    ),
    "rented-number": Expect(_rented_number_check),
    "rented-number-set": Expect(_set_check),
    "application": Expect(_application_check),
    "get-rented-number": Expect(
        _get_number_check, lambda sim: sim.edit_out_of_band(NUMBERS[0], app_id=APPS[2])
    ),
    "get-rented-numbers": Expect(_get_numbers_check),
    "get-application": Expect(_get_application_check),
    "phone-number-order": Expect(_order_check),
}


def test_every_page_has_an_expectation_and_an_example_per_language():
    assert sorted(EXPECT) == sorted(page.slug for page in gen_docs.pages() if page.examples)
    for slug in EXPECT:
        for language in LANGUAGES:
            assert gen_docs.example_file(slug, language).is_file(), (slug, language)


# The Go examples the suite builds and runs; the others are type-checked together (`go vet`), since
# each Go binary takes seconds to link: these cover a resource wired to another's output, a
# function's result read through ApplyT, and numbers bought by a Go program (the order).
GO_RUN = ("application", "get-rented-numbers", "phone-number-order")


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_host("pulumi-language-nodejs")
    return build_ts_toolchain(tmp_path_factory.mktemp("ts-toolchain"))


@pytest.fixture(scope="module")
def compiled_ts(node_modules: Path) -> Path:
    """Every TypeScript example compiled once, with examples/typescript's tsconfig (strict), by one
    `tsc` run: <root>/out/<page>/index.js. The projects run the JavaScript (`typescript: false`), so
    the type check is paid once, not per preview and up."""
    root = node_modules.parent / "reference"
    tsconfig = json.loads((ROOT / "examples" / "typescript" / "tsconfig.json").read_text())
    tsconfig["compilerOptions"]["outDir"] = "out"
    tsconfig["compilerOptions"]["rootDir"] = "."
    tsconfig["files"] = []
    for slug in EXPECT:
        source = root / slug / "index.ts"
        source.parent.mkdir(parents=True)
        source.write_text(gen_docs.example_file(slug, "typescript").read_text())
        tsconfig["files"].append(f"{slug}/index.ts")
    (root / "tsconfig.json").write_text(json.dumps(tsconfig))
    (root / "node_modules").symlink_to(node_modules, target_is_directory=True)
    built = run([str(node_modules / ".bin" / "tsc"), "-p", str(root)], root)
    assert built.returncode == 0, built.stdout + built.stderr
    return root / "out"


@pytest.fixture(scope="module")
def go_binaries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples' Go module copied (its `replace` pointed at a copy of the SDK), every example
    type-checked by one `go vet ./...`, and the GO_RUN ones built: bin/<page>."""
    need_host("pulumi-language-go")
    go = need("go")
    root = tmp_path_factory.mktemp("go-examples")
    sdk = go_sdk_copy(root)
    module = root / "examples"
    module.mkdir()
    gomod = (EXAMPLES / "go.mod").read_text().replace("=> ../../../sdk", f"=> {sdk}")
    (module / "go.mod").write_text(gomod)
    (module / "go.sum").write_text((EXAMPLES / "go.sum").read_text())
    for slug in EXPECT:
        target = module / slug / "go"
        target.mkdir(parents=True)
        target.joinpath("main.go").write_text(gen_docs.example_file(slug, "go").read_text())
    vetted = run([go, "vet", "./..."], module, GO_ENV)
    assert vetted.returncode == 0, vetted.stdout + vetted.stderr
    bin_dir = root / "bin"
    for slug in GO_RUN:
        built = run([go, "build", "-o", str(bin_dir / slug), f"./{slug}/go"], module, GO_ENV)
        assert built.returncode == 0, f"{slug}: " + built.stdout + built.stderr
    return bin_dir


def test_go_examples_all_type_check(go_binaries: Path):
    """The fixture vets the whole module (every page's Go example) and builds the GO_RUN ones."""
    assert sorted(p.name for p in go_binaries.iterdir()) == sorted(GO_RUN)


def _project(language: str, slug: str, workdir: Path, request: pytest.FixtureRequest) -> CliProject:
    source = gen_docs.example_file(slug, language).read_text()
    folder = workdir / "project"
    if language == "python":
        made = CliProject(workdir, source)
        with (made.dir / "Pulumi.yaml").open("a") as pulumi_yaml:
            pulumi_yaml.write(plugins_block())
        return made
    if language == "yaml":
        folder.mkdir(parents=True)
        (folder / "Pulumi.yaml").write_text(source.rstrip("\n") + "\n" + plugins_block())
    elif language == "typescript":
        compiled = (request.getfixturevalue("compiled_ts") / slug / "index.js").read_text()
        node_modules = request.getfixturevalue("node_modules")
        write_ts_project(folder, compiled, node_modules, options={"typescript": False}, main="index.js")
    elif language == "go":
        binary = request.getfixturevalue("go_binaries") / slug
        write_go_project(folder, options={"binary": "bin/example"})
        (folder / "bin").mkdir()
        (folder / "bin" / "example").symlink_to(binary)
    made = CliProject(workdir, "", project_dir=folder)
    if language == "go":
        made.env.update(GO_ENV)
    return made


def init_stack(project: CliProject, config: dict[str, tuple[str, bool]]) -> None:
    """`pulumi stack init`, then one `pulumi config set-all` (the secrets with `--secret`): two CLI
    calls instead of one per key, as the examples need nothing of CliProject.init's stdin care."""
    created = project.pulumi("stack", "init", project.stack, "--non-interactive")
    assert created.ok, created.output
    args = ["config", "set-all", "--stack", project.stack]
    for key, (value, secret) in config.items():
        args += ["--secret" if secret else "--plaintext", f"{key}={value}"]
    done = project.pulumi(*args)
    assert done.ok, done.output


CASES = [
    (slug, language)
    for slug in sorted(EXPECT)
    for language in LANGUAGES
    if language != "go" or slug in GO_RUN
]


@pytest.mark.parametrize(("slug", "language"), CASES)
def test_reference_example_previews_and_ups(
    slug: str, language: str, tmp_path: Path, sim_e2e, request: pytest.FixtureRequest
):
    expect = EXPECT[slug]
    if language == "yaml":
        need_host("pulumi-language-yaml")
    project = _project(language, slug, tmp_path, request)
    if expect.base_url_env:
        project.env["PLIVO_BASE_URL"] = sim_e2e.base_url
    init_stack(project, {**plivo_config(sim_e2e.base_url, MAIN, TOKEN), **expect.config})
    expect.prepare(sim_e2e)

    preview = project.preview()
    assert preview.ok, preview.output
    up = project.up()
    assert up.ok, up.output
    assert "Traceback" not in up.output, up.output
    expect.check(sim_e2e, outputs(project))
