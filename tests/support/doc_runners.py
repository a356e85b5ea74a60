"""The block kinds of the guides (README.md, docs/*.md, examples/*/README.md), added to the registries
of tests/support/doc_snippets.py (docs/development.md, "Docs that cannot go stale").

    <!-- run: program -->          a Python (dynamic or native) or YAML program: preview and up
    <!-- run: python-script -->    a plain Python script (no engine), run with this venv
    <!-- run: commands -->         a command sequence, in a project folder with a stack per `--stack`
    <!-- config: bindings|seed|pulumi-yaml -->   loaded by the product's own parser
    <!-- output -->  / <!-- output: audit-json -->   a transcript; its `$ ` commands must exist
    <!-- quickstart: ... -->       the README's quick start (tests/e2e/test_readme_quickstart.py)

Programs and command blocks seed the simulator from their own text: every number, application id,
subaccount id and auth id the block names is rented, created or opened, so no block needs a seed
written for it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.support import doc_snippets
from tests.support.doc_snippets import REPO, Block, Sandbox, SnippetError

# -- which files are guides ------------------------------------------------------------------------


def guide_files(root: Path = REPO) -> list[Path]:
    """The Markdown files this module's kinds tag, every block of which must carry a tag: the README,
    docs/*.md (docs/reference/ and the convention's own page are the reference's), the examples'
    READMEs."""
    docs = [p for p in sorted((root / "docs").glob("*.md")) if p.name != "writing-docs.md"]
    return [root / "README.md", *docs, *sorted((root / "examples").glob("*/README.md"))]


# -- a seed from the block's own text ------------------------------------------------------------------

AUTH_ID = re.compile(r"\bMA[A-Z0-9]{18}\b")
SUBACCOUNT = re.compile(r"\bSA[A-Z0-9]{18}\b")
DIGITS = re.compile(r"(?<![\w.])\d{11,}(?![\w.])")
US_NUMBER = re.compile(r"\+1 \((\d{3})\) (\d{3})-(\d{4})|\b1\.(\d{3})\.(\d{3})\.(\d{4})\b")
FALLBACK_NUMBER = "15550000001"
# An application the block adopts (`import_=`) is seeded with the fields the block declares for it,
# as adopting needs (the adoption writes nothing, so the code must equal the live application).
ADOPTED_APPLICATION = re.compile(
    r'Application\(\s*"[^"]*",(?P<args>(?:(?!Application\().)*?)import_="(?P<app_id>\d{14,})"', re.S
)


def seed_from(text: str) -> tuple[str, dict[str, Any]]:
    """(the auth id to configure, a simulator seed) holding what `text` names: its first `MA...` auth
    id (else the e2e account), its subaccounts, its applications (14+ digits) and its numbers (11 to
    13 digits, `+1 (555) 010-0001`, `1.555.010.0001`; one of the seed's own when it names none)."""
    from plivo_pulumi.simulator.testing import account_seed
    from tests.support.accounts import MAIN, TOKEN

    accounts = list(dict.fromkeys(AUTH_ID.findall(text)))
    auth_id = accounts[0] if accounts else MAIN
    numbers: list[str] = []
    apps: list[str] = []
    for digits in DIGITS.findall(text):
        (apps if len(digits) >= 14 else numbers).append(digits)
    for match in US_NUMBER.finditer(text):
        numbers.append("1" + "".join(g for g in match.groups() if g))
    subaccounts = [(sa, f"tok-{sa.lower()}") for sa in dict.fromkeys(SUBACCOUNT.findall(text))]
    seed = account_seed(
        auth_id,
        TOKEN,
        subaccounts=subaccounts,
        applications=list(dict.fromkeys(apps)),
        numbers=list(dict.fromkeys(numbers)) or [FALLBACK_NUMBER],
    )
    for adopted in ADOPTED_APPLICATION.finditer(text):
        declared = dict(re.findall(r'\b(\w+_url|app_name|\w+_method)="([^"]*)"', adopted["args"]))
        for app in seed["applications"]:
            if app["app_id"] == adopted["app_id"]:
                app.update(declared)
    return auth_id, seed


def _seeded(block: Block, sandbox: Sandbox, extra: str = "") -> str:
    auth_id, seed = seed_from(block.text + extra)
    sandbox.sim.clear_faults()
    sandbox.sim.reset(seed)
    return auth_id


# -- offline kinds -------------------------------------------------------------------------------------


def _config_bindings(text: str) -> None:
    """Read as `declare_bindings("bindings.yaml")` reads it: load_fleet on a file."""
    import tempfile

    from plivo_pulumi.bindings import load_fleet

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bindings.yaml"
        path.write_text(text)
        load_fleet(path)


def _config_seed(text: str) -> None:
    """Read as `plivo-sim --seed FILE` reads it."""
    import tempfile

    from plivo_pulumi.simulator import PlivoState
    from plivo_pulumi.simulator.__main__ import default_seed, load_seed_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seed.yaml"
        path.write_text(text)
        PlivoState(load_seed_file(str(path)), default_seed=default_seed())


def _config_pulumi_yaml(text: str) -> None:
    """A Pulumi.yaml, or a fragment of one (a `plugins:` stanza): a mapping of the keys Pulumi.yaml
    has, whose plugin entries name `plivo` and a path."""
    data = yaml.safe_load(text)
    known = {"name", "runtime", "description", "plugins", "resources", "outputs", "variables", "config"}
    if not isinstance(data, dict) or not set(data) <= known:
        raise ValueError(f"not a Pulumi.yaml: keys {sorted(data) if isinstance(data, dict) else data}")
    for entry in (data.get("plugins") or {}).get("providers", []):
        if entry.get("name") != "plivo" or not entry.get("path"):
            raise ValueError(f"a plugins.providers entry needs name: plivo and a path: {entry}")


CONFIGS = {"bindings": _config_bindings, "seed": _config_seed, "pulumi-yaml": _config_pulumi_yaml}


def check_config(block: Block) -> None:
    """`config: KIND`: the block loads with the parser the product uses for that kind of file."""
    loader = CONFIGS.get(block.argument)
    if loader is None:
        raise SnippetError(f"{block.where}: `config: {block.argument}`: known: {', '.join(CONFIGS)}")
    try:
        loader(block.text)
    except Exception as error:  # each loader raises its own kind, with the field named
        raise SnippetError(f"{block.where}: the {block.argument} file does not load: {error}") from None


def _audit_json_keys(text: str) -> None:
    """An `audit --json` document has exactly the keys render_json emits, its findings those of a
    Finding."""
    from plivo_pulumi.audit.model import AuditReport, Finding

    shown = json.loads(text)
    emitted = AuditReport(stack="s", account="a", live_total=0, managed_total=0, findings=[]).to_dict()
    if set(shown) != set(emitted) or set(shown["counts"]) != set(emitted["counts"]):
        raise ValueError(
            f"keys {sorted(shown)} / counts {sorted(shown['counts'])}; render_json emits "
            f"{sorted(emitted)} / {sorted(emitted['counts'])}"
        )
    finding_keys = set(Finding(kind="unmanaged", number="1", account="a").to_dict())
    for finding in shown["findings"]:
        if set(finding) != finding_keys:
            raise ValueError(f"a finding's keys {sorted(finding)}; a Finding has {sorted(finding_keys)}")


def _audit_table(text: str) -> None:
    """A `plivo-numbers audit` table is what render_table prints for the findings its rows show."""
    from plivo_pulumi.audit.model import AuditReport, Finding
    from plivo_pulumi.audit.render import render_table

    head = re.search(r"Audit of stack (\S+) against Plivo account (\S+)", text)
    live = re.search(r"live numbers listed: (\d+)", text)
    managed = re.search(r"managed numbers in the stack: (\d+)", text)
    if not (head and live and managed):
        raise ValueError("no `Audit of stack ... against Plivo account ...` header with its totals")
    shown = {"-": None, "(main account)": ""}
    findings = []
    for row in re.findall(r"^  ([a-z_]+ {2,}.*)$", text, re.M):
        cells = [shown.get(c, c) for c in re.split(r" {2,}", row.strip())]
        findings.append(Finding(cells[0], cells[1] or "", *cells[2:6]))
    report = AuditReport(head[1], head[2], int(live[1]), int(managed[1]), findings)
    rendered = render_table(report)
    if rendered.strip() != text.strip():
        import difflib

        diff = difflib.unified_diff(text.strip().splitlines(), rendered.strip().splitlines(), lineterm="")
        raise ValueError("render_table prints, for these findings:\n" + "\n".join(list(diff)[2:]))


def _sim_requests(text: str) -> None:
    """GET /__sim__/requests: the keys RequestLog.dump gives, each request's those of an entry."""
    from plivo_pulumi.simulator.request_log import RequestLog

    log = RequestLog()
    log.add("GET", "/v1/", "/v1/", 200, None, None)
    dumped, shown = log.dump(), json.loads(text)
    if set(shown) != set(dumped) or any(set(r) != set(dumped["requests"][0]) for r in shown["requests"]):
        raise ValueError(f"the log has keys {sorted(dumped)}, a request {sorted(dumped['requests'][0])}")


def _sim_faults(text: str) -> None:
    """GET /__sim__/faults of a fresh simulator: DEFAULT_FAULTS."""
    from plivo_pulumi.simulator.faults import DEFAULT_FAULTS

    if json.loads(text) != DEFAULT_FAULTS:
        raise ValueError(f"the defaults are {json.dumps(DEFAULT_FAULTS)}")


OUTPUTS = {
    "": lambda text: None,
    "json": json.loads,
    "audit-json": _audit_json_keys,
    "audit-table": _audit_table,
    "sim-requests": _sim_requests,
    "sim-faults": _sim_faults,
}


def check_output(block: Block) -> None:
    """`output` / `output: FORM`: a transcript. The commands on its `$ ` lines exist (see
    `unknown_commands`); a FORM is checked too."""
    check = OUTPUTS.get(block.argument)
    if check is None:
        raise SnippetError(f"{block.where}: `output: {block.argument}`: known: {', '.join(OUTPUTS)}")
    try:
        check(block.text)
    except Exception as error:
        raise SnippetError(f"{block.where}: not the form the product prints: {error}") from None


def check_quickstart(block: Block) -> None:
    """`quickstart: STEP`: run by tests/e2e/test_readme_quickstart.py; offline, it parses."""
    if block.info in doc_snippets.SYNTAX:
        doc_snippets.check_syntax(Block(block.path, block.line, block.info, block.text, "syntax-only", "qs"))


def _go_syntax(text: str) -> None:
    """Go, or a fragment of a file (an import line) under a package clause."""
    if not re.match(r"\s*(//.*\n\s*)*package ", text):
        text = "package main\n" + text
    _GO_FILE(text)


_GO_FILE = doc_snippets.SYNTAX["go"]
doc_snippets.SYNTAX.update({"go": _go_syntax, "console": lambda text: None, "typescript": lambda text: None})
doc_snippets.KINDS.update({"config": check_config, "output": check_output, "quickstart": check_quickstart})


# -- commands a block names exist ----------------------------------------------------------------------


@functools.cache
def _help(*command: str) -> tuple[int, str]:
    import tempfile

    from tests.support.cli_project import cli_env

    with tempfile.TemporaryDirectory() as home:
        env = cli_env(Path(home) / "pulumi-home", Path(home) / "state")
        try:
            done = subprocess.run(
                [*command, "--help"],
                capture_output=True,
                text=True,
                env=env,
                cwd=REPO,
                timeout=60,
                check=False,
            )
        except FileNotFoundError:
            raise SnippetError(
                f"`{command[0]}` is needed to check the commands of the docs: run `make tools`"
            ) from None
    return done.returncode, done.stdout + done.stderr


def _pulumi_problem(words: list[str]) -> str | None:
    path: list[str] = []
    for word in words[1:]:
        if word.startswith("-") or not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
        code, _ = _help("pulumi", *path)
        if code != 0:
            path.pop()
            break
    code, text = _help("pulumi", *path)
    flags = [w.split("=")[0] for w in words if w.startswith("--")]
    missing = [f for f in flags if not re.search(rf"{re.escape(f)}\b", text)]
    if code != 0 or missing:
        return f"`pulumi {' '.join(path)}` has no {', '.join(missing) or 'such command'}"
    return None


def _plivo_numbers_problem(words: list[str]) -> str | None:
    from plivo_pulumi.cli import build_parser

    words = words[: words.index("--")] if "--" in words else words
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if len(words) < 2 or words[1] not in commands:
        return f"plivo-numbers has no command {words[1:2]}"
    options = set(commands[words[1]]._option_string_actions)
    missing = [w for w in words[2:] if w.startswith("-") and w.split("=")[0] not in options]
    return f"`plivo-numbers {words[1]}` has no {', '.join(missing)}" if missing else None


def _make_problem(words: list[str]) -> str | None:
    makefile = (REPO / "Makefile").read_text()
    missing = [t for t in words[1:] if not re.search(rf"^{re.escape(t)}\s*:", makefile, re.M)]
    return f"the Makefile has no target {', '.join(missing)}" if missing else None


def _bench_problem(words: list[str]) -> str | None:
    code, text = _help(sys.executable, "-m", "bench")
    missing = [w for w in words if w.startswith("--") and w not in text]
    return f"`python -m bench` has no {', '.join(missing)}" if code or missing else None


def _command_lines(block: Block) -> list[str]:
    text = block.text.replace("\\\n", " ")
    lines = [
        line.split("#")[0] if " #" in line or line.startswith("#") else line for line in text.splitlines()
    ]
    if block.kind == "output":
        lines = [line[2:] for line in text.splitlines() if line.startswith("$ ")]
        lines = [line.split(" #")[0] for line in lines]
    return [line.strip() for line in lines if line.strip()]


def unknown_commands(block: Block) -> list[str]:
    """The commands of a shell or transcript block that the product or the engine does not have:
    `pulumi` subcommands and flags (from `pulumi ... --help`), `plivo-numbers` commands and flags
    (its argparse), `make` targets, `python -m bench` flags, and `tests/...py` paths."""
    problems = []
    for line in _command_lines(block):
        for path in re.findall(r"\btests/[\w/]+\.py\b", line):
            if not (REPO / path).is_file():
                problems.append(f"{block.where}: {path} does not exist")
        for part in re.split(r"&&|\|\||[|;]", line):
            try:
                words = [w for w in shlex.split(part.replace("[", "").replace("]", "")) if "=" not in w[:1]]
            except ValueError:
                continue
            words = [w for w in words if not re.fullmatch(r"[A-Z_]+=.*", w)]
            words = [w.rsplit("/", 1)[-1] if w.endswith(("plivo-numbers", "python")) else w for w in words]
            if not words:
                continue
            head = words[0]
            problem = None
            if head == "pulumi":
                problem = _pulumi_problem(words)
            elif head == "plivo-numbers":
                problem = _plivo_numbers_problem(words)
            elif head == "make":
                problem = _make_problem(words)
            elif words[:3] == ["python", "-m", "bench"]:
                problem = _bench_problem(words)
            if problem:
                problems.append(f"{block.where}: {problem} (in `{part.strip()}`)")
    return problems


# -- kinds that run ------------------------------------------------------------------------------------


def _bindings_file_for(block: Block) -> str | None:
    """The text of the `config: bindings` block nearest above `block` in its file, else the first
    below it: the file its program reads."""
    files = [b for b in doc_snippets.blocks(block.path) if b.kind == "config" and b.argument == "bindings"]
    above = [b for b in files if b.line < block.line]
    chosen = above[-1] if above else next(iter(files), None)
    return chosen.text if chosen else None


@doc_snippets.runner("program")
def run_program(block: Block, sandbox: Sandbox) -> None:
    """A Python program (`__main__.py`: dynamic resources or the native SDK) or a YAML `Pulumi.yaml`,
    with the simulator seeded from its text (and from the bindings file above it, which a program
    naming `bindings.yaml` reads): `pulumi preview`, then `pulumi up`, each exit 0."""
    from tests.support.accounts import TOKEN
    from tests.support.cli_project import CliProject, plivo_config
    from tests.support.lang_projects import plugins_block

    bindings = _bindings_file_for(block) if "bindings.yaml" in block.text else None
    auth_id = _seeded(block, sandbox, bindings or "")
    if block.info == "yaml":
        folder = sandbox.workdir / "project"
        folder.mkdir(parents=True)
        (folder / "Pulumi.yaml").write_text(block.text + plugins_block())
        project = CliProject(sandbox.workdir, "", project_dir=folder)
    elif block.info == "python":
        project = CliProject(sandbox.workdir, block.text)
        with (project.dir / "Pulumi.yaml").open("a") as pulumi_yaml:
            pulumi_yaml.write(plugins_block())
        if bindings is not None:
            (project.dir / "bindings.yaml").write_text(bindings)
    else:
        raise SnippetError(f"{block.where}: `run: program` runs python or yaml blocks, not {block.info}")
    project.init(plivo_config(sandbox.sim.base_url, auth_id, TOKEN))
    for step in (project.preview, project.up):
        done = step()
        if not done.ok or "Traceback" in done.output:
            raise SnippetError(f"{block.where}: `pulumi {step.__name__}` failed:\n{done.output}")


@doc_snippets.runner("python-script")
def run_python_script(block: Block, sandbox: Sandbox) -> None:
    """A plain Python script (a test's use of the simulator, say): this venv's python, exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", block.text],
        cwd=sandbox.workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SnippetError(f"{block.where}: exit {done.returncode}:\n{done.stdout}{done.stderr}")


EXPECTED_EXIT = re.compile(r"#\s*exits (\d+)")
COMMANDS_PROGRAM = "name: docs-commands\nruntime: yaml\nresources:\n"


@doc_snippets.runner("commands")
def run_commands(block: Block, sandbox: Sandbox) -> None:
    """A command sequence, line by line, in a YAML project folder whose program adopts the numbers
    the block names (or one of the seed's) and whose stacks (`--stack NAME`, else dev) are set for the
    seeded account and deployed; the PATH holds the engine and this venv's `plivo-numbers`. Each line
    exits 0, or the N of its `# exits N`."""
    from tests.support.accounts import TOKEN
    from tests.support.cli_project import CliProject, plivo_config
    from tests.support.lang_projects import plugins_block

    auth_id = _seeded(block, sandbox)
    _, seed = seed_from(block.text)
    folder = sandbox.workdir / "project"
    folder.mkdir(parents=True)
    resources = "".join(
        f'  n{n["number"]}:\n    type: plivo:RentedNumber\n    properties: {{number: "{n["number"]}"}}\n'
        for n in seed["numbers"]
    )
    (folder / "Pulumi.yaml").write_text(COMMANDS_PROGRAM + resources + plugins_block())
    stacks = list(dict.fromkeys(re.findall(r"--stack (\w+)", block.text))) or ["dev"]
    for stack in stacks:
        project = CliProject(sandbox.workdir, "", project_dir=folder, stack=stack)
        project.init(plivo_config(sandbox.sim.base_url, auth_id, TOKEN))
        deployed = project.up()
        if not deployed.ok:
            raise SnippetError(
                f"{block.where}: the project of the block's stack {stack} did not deploy:\n{deployed.output}"
            )
    # A terminal's user answers `yes` to the engine's prompts (`pulumi import`, `pulumi up`).
    env = dict(project.env, HOME=str(sandbox.workdir), PULUMI_SKIP_CONFIRMATIONS="true")
    env["PLIVO_AUTH_TOKEN"] = TOKEN  # the seeded account's, for blocks that read it from the environment
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    transcript = []
    for raw in block.text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        done = subprocess.run(
            ["bash", "-c", line],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        transcript.append(f"$ {line}\n{done.stdout}{done.stderr}")
        expected = EXPECTED_EXIT.search(line)
        want = int(expected.group(1)) if expected else 0
        if done.returncode != want:
            raise SnippetError(
                f"{block.where}: `{line}` exited {done.returncode}, the doc says {want}:\n"
                + "\n".join(transcript[-3:])
            )


@doc_snippets.runner("walkthrough")
def run_walkthrough(block: Block, sandbox: Sandbox) -> None:
    """An example's README steps, from the repository root, as one shell session: in a copy of the
    checkout's `examples/` (the checkout's `.venv` and `.tools` linked in, so `make venv tools` is
    skipped: its targets are checked offline), its own simulator on a free port instead of 8799, the
    engine's prompts answered `yes`; exit 0."""
    import shutil
    import socket

    root = sandbox.workdir / "checkout"
    shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns("node_modules"))
    for tool in (".venv", ".tools"):
        (root / tool).symlink_to(REPO / tool, target_is_directory=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lines = []
    for line in block.text.replace("8799", str(port)).splitlines():
        if line.startswith("make "):
            continue
        lines.append(line)
        if line.split("#")[0].rstrip().endswith("&"):  # wait until the simulator answers
            ready = f"curl -sf http://127.0.0.1:{port}/__sim__/numbers >/dev/null"
            lines.append(f"until {ready}; do sleep 0.2; done")
    script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + "\n".join(lines) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "PLIVO_"))}
    env.update(HOME=str(sandbox.workdir), PULUMI_SKIP_CONFIRMATIONS="true", PULUMI_SKIP_UPDATE_CHECK="1")
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise SnippetError(f"{block.where}: exit {done.returncode}:\n{done.stdout[-4000:]}")


# -- names a Python block imports exist ---------------------------------------------------------------

PRODUCT_MODULES = ("plivo_pulumi", "pulumi_plivo")


def unknown_names(block: Block) -> list[str]:
    """What a Python block takes from the product that the product lacks: a module or name in
    `from plivo_pulumi... import NAME` / `import pulumi_plivo as plivo`, and `plivo.NAME` uses, so a
    fragment checked for syntax only still goes stale loudly when a name moves."""
    import ast
    import importlib

    try:
        tree = ast.parse(block.text)
    except SyntaxError:
        return []  # the block's own syntax check says so
    problems: list[str] = []
    aliases: dict[str, Any] = {}

    def module(name: str) -> Any:
        try:
            return importlib.import_module(name)
        except ImportError as error:
            problems.append(f"{block.where}: `{name}` does not import: {error}")
            return None

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PRODUCT_MODULES):
            found = module(node.module or "")
            for alias in node.names if found else []:
                if not hasattr(found, alias.name):
                    problems.append(f"{block.where}: {node.module} has no {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PRODUCT_MODULES):
                    found = module(alias.name)
                    if found is not None:
                        aliases[alias.asname or alias.name] = found
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            if not hasattr(aliases[node.value.id], node.attr):
                problems.append(f"{block.where}: {aliases[node.value.id].__name__} has no {node.attr}")
    return problems
