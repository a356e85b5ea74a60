"""Tagged code blocks in the Markdown docs, and what checks each kind (docs/writing-docs.md).

A block is tagged by an HTML comment on the line right before its opening fence:

    <!-- include: examples/rented-number/python/__main__.py -->   the block equals that file
    <!-- syntax-only: needs a real Plivo account -->               parsed, never run
    <!-- run: python-program -->                                  run against the simulator

The kinds live in registries (KINDS, SYNTAX, RUNNERS) so that a new kind of block is one entry:
`include` and `syntax-only` are checked offline; `run: <runner>` needs the engine and the simulator
(tests/test_docs_snippets.py starts them). In STRICT folders every block must carry a tag.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
# Markdown files whose code blocks must all be tagged (the rest of docs/ and the README follow when
# they are tagged: add their paths here).
STRICT = ("docs/reference/",)
TAG = re.compile(r"^\s*<!--\s*([a-z][a-z-]*)\s*(?::\s*(.*?))?\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its info string (language), its text and its tag."""

    path: Path
    line: int  # the opening fence's line, 1-based
    info: str
    text: str
    kind: str | None = None
    argument: str = ""

    @property
    def where(self) -> str:
        try:
            shown = self.path.relative_to(REPO)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}"


class SnippetError(AssertionError):
    """A block that fails its check: the message names the file and line."""


def markdown_files(root: Path = REPO) -> list[Path]:
    """README.md and every Markdown file under docs/."""
    found = [root / "README.md"] if (root / "README.md").is_file() else []
    return found + sorted((root / "docs").rglob("*.md"))


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the tag of the line before its fence. A tag
    that no fence follows is an error (a tag must sit right above its block)."""
    lines = path.read_text().split("\n")
    found: list[Block] = []
    inside: set[int] = set()  # 1-based numbers of the lines within fences
    index = 0
    while index < len(lines):
        opened = FENCE.match(lines[index])
        if not opened:
            index += 1
            continue
        indent, fence, info = opened.groups()
        body: list[str] = []
        end = index + 1
        while end < len(lines):
            stripped = lines[end].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            body.append(lines[end][len(indent) :] if lines[end].startswith(indent) else lines[end])
            end += 1
        inside.update(range(index + 1, end + 2))
        tag = TAG.match(lines[index - 1]) if index > 0 else None
        found.append(
            Block(
                path,
                index + 1,
                info,
                "\n".join(body) + "\n",
                tag.group(1) if tag else None,
                (tag.group(2) or "") if tag else "",
            )
        )
        index = end + 1
    tagged_lines = {b.line - 1 for b in found if b.kind is not None}
    for number, line in enumerate(lines, start=1):
        tag = TAG.match(line)
        if tag and tag.group(1) in KINDS and number not in tagged_lines and number not in inside:
            raise SnippetError(f"{path}:{number}: a tag must be on the line right before a code fence")
    return found


def is_strict(path: Path, root: Path = REPO) -> bool:
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        return False
    return any(relative.startswith(prefix) for prefix in STRICT)


# -- offline kinds ---------------------------------------------------------------------------------


def check_include(block: Block) -> None:
    """The block is the file it names (relative to the Markdown file), character for character."""
    if not block.argument:
        raise SnippetError(f"{block.where}: `include:` names no file")
    source = (block.path.parent / block.argument).resolve()
    if not source.is_file():
        raise SnippetError(f"{block.where}: includes {block.argument}, which does not exist")
    if source.read_text().rstrip("\n") + "\n" != block.text:
        raise SnippetError(
            f"{block.where}: the block differs from {block.argument} (the file is the source of truth; "
            "for docs/reference run `make docs`)"
        )


def _bash_syntax(text: str) -> None:
    bash = shutil.which("bash")
    if bash is None:
        raise SnippetError("bash is needed to check shell blocks")
    done = subprocess.run([bash, "-n"], input=text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SyntaxError(done.stderr.strip())


def _go_syntax(text: str) -> None:
    gofmt = shutil.which("gofmt")
    if gofmt is None:
        raise SnippetError("gofmt (Go) is needed to check Go blocks: install Go (README, 'Tools')")
    done = subprocess.run([gofmt, "-e"], input=text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SyntaxError(done.stderr.strip())


def _nothing(text: str) -> None:
    """Prose in a fence (a transcript, a tree, Markdown shown as an example): nothing to parse."""


# Fence info string -> how its syntax is checked. A language missing here is an error at its first
# `syntax-only` block: add a checker.
SYNTAX: dict[str, Callable[[str], Any]] = {
    "python": lambda text: ast.parse(text),
    "py": lambda text: ast.parse(text),
    "yaml": lambda text: list(yaml.safe_load_all(text)),
    "yml": lambda text: list(yaml.safe_load_all(text)),
    "json": json.loads,
    "toml": tomllib.loads,
    "sh": _bash_syntax,
    "bash": _bash_syntax,
    "shell": _bash_syntax,
    "go": _go_syntax,
    "text": _nothing,
    "markdown": _nothing,
    "md": _nothing,
}


def check_syntax(block: Block) -> None:
    """Parsed, never run; the tag's argument says why (`syntax-only: needs a real Plivo account`)."""
    if not block.argument:
        raise SnippetError(f"{block.where}: `syntax-only:` must say why the block cannot run")
    checker = SYNTAX.get(block.info)
    if checker is None:
        raise SnippetError(
            f"{block.where}: no syntax check for ```{block.info}``` blocks: add one to SYNTAX in "
            "tests/support/doc_snippets.py"
        )
    try:
        checker(block.text)
    except SnippetError:
        raise
    except Exception as error:  # each parser raises its own kind
        raise SnippetError(f"{block.where}: not valid {block.info}: {error}") from None


# -- kinds that run (tests/test_docs_snippets.py gives them the simulator and the engine) ------------


@dataclass(frozen=True)
class Sandbox:
    """What a running block gets: the simulator (reset to the e2e seed: tests/support/accounts.py)
    and a folder of its own."""

    sim: Any
    workdir: Path


# Runner name -> function(block, sandbox), raising SnippetError when the block fails.
RUNNERS: dict[str, Callable[[Block, Sandbox], None]] = {}


Runner = Callable[[Block, Sandbox], None]


def runner(name: str) -> Callable[[Runner], Runner]:
    """Registers a runner for `<!-- run: NAME -->` blocks."""

    def register(function: Runner) -> Runner:
        RUNNERS[name] = function
        return function

    return register


def _preview_and_up(block: Block, project: Any) -> None:
    for step in (project.preview, project.up):
        done = step()
        if not done.ok or "Traceback" in done.output:
            raise SnippetError(f"{block.where}: `pulumi {step.__name__}` failed:\n{done.output}")


@runner("python-program")
def run_python_program(block: Block, sandbox: Sandbox) -> None:
    """The block is a Pulumi Python program's __main__.py (`pulumi_plivo` or `plivo_pulumi`): a
    project with this venv and the native plugin, its stack set for the simulator's main account,
    then `pulumi preview` and `pulumi up`, each exit 0."""
    from tests.support.accounts import MAIN, TOKEN
    from tests.support.cli_project import CliProject, plivo_config
    from tests.support.lang_projects import plugins_block

    project = CliProject(sandbox.workdir, block.text)
    with (project.dir / "Pulumi.yaml").open("a") as pulumi_yaml:
        pulumi_yaml.write(plugins_block())
    project.init(plivo_config(sandbox.sim.base_url, MAIN, TOKEN))
    _preview_and_up(block, project)


@runner("yaml-program")
def run_yaml_program(block: Block, sandbox: Sandbox) -> None:
    """The block is a Pulumi YAML project's Pulumi.yaml: run as python-program is, with the plugin
    stanza added."""
    from tests.support.accounts import MAIN, TOKEN
    from tests.support.cli_project import CliProject, plivo_config
    from tests.support.lang_projects import plugins_block

    folder = sandbox.workdir / "project"
    folder.mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(block.text + plugins_block())
    project = CliProject(sandbox.workdir, "", project_dir=folder)
    project.init(plivo_config(sandbox.sim.base_url, MAIN, TOKEN))
    _preview_and_up(block, project)


@runner("shell")
def run_shell(block: Block, sandbox: Sandbox) -> None:
    """The block is a command sequence: `bash -euo pipefail` in an empty folder, with the engine on
    PATH, a local backend, and PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN / PLIVO_BASE_URL for the simulator's
    main account; exit 0."""
    from tests.support.accounts import MAIN, TOKEN
    from tests.support.cli_project import cli_env

    folder = sandbox.workdir / "shell"
    folder.mkdir(parents=True)
    env = cli_env(sandbox.workdir / "pulumi-home", sandbox.workdir / "state")
    (sandbox.workdir / "state").mkdir(exist_ok=True)
    env.update(PLIVO_AUTH_ID=MAIN, PLIVO_AUTH_TOKEN=TOKEN, PLIVO_BASE_URL=sandbox.sim.base_url)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.text],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise SnippetError(f"{block.where}: exit {done.returncode}:\n{done.stdout}")


def check_run_tag(block: Block) -> None:
    """Offline part of a `run:` block: the runner exists and the block parses."""
    if block.argument not in RUNNERS:
        raise SnippetError(
            f"{block.where}: `run: {block.argument}` is no known runner ({', '.join(sorted(RUNNERS))}); "
            "add one with @runner in tests/support/doc_snippets.py"
        )
    if block.info in SYNTAX:
        check_syntax(Block(block.path, block.line, block.info, block.text, "syntax-only", "run"))


# Tag kind -> its offline check. `run` blocks are also executed by the runner they name.
KINDS: dict[str, Callable[[Block], None]] = {
    "include": check_include,
    "syntax-only": check_syntax,
    "run": check_run_tag,
}


def check_offline(block: Block, *, strict: bool) -> None:
    """What every block gets without the engine: a known tag and its offline check; in STRICT files,
    a tag at all."""
    if block.kind is None:
        if strict:
            raise SnippetError(
                f"{block.where}: untagged code block; put `<!-- include: FILE -->`, `<!-- run: RUNNER -->` "
                "or `<!-- syntax-only: WHY -->` on the line before its fence (docs/writing-docs.md)"
            )
        return
    check = KINDS.get(block.kind)
    if check is None:
        raise SnippetError(f"{block.where}: unknown tag kind {block.kind!r} (known: {', '.join(KINDS)})")
    check(block)


# The guides' kinds (README.md, docs/*.md, examples/*/README.md: tests/support/doc_runners.py) register
# themselves in the registries above.
from tests.support import doc_runners  # noqa: E402,F401
