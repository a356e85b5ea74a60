"""Every tagged code block in README.md and docs/**/*.md passes the check its tag names, so no doc
line goes stale unnoticed (docs/writing-docs.md; the kinds: tests/support/doc_snippets.py).

Offline: `include` blocks equal their file, `syntax-only` blocks parse, `run` blocks name a known
runner; in docs/reference/ every block is tagged. With the engine and the simulator (e2e): every
`run` block runs. The machinery's own tests feed it Markdown broken on purpose.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import doc_snippets
from tests.support.accounts import NUMBERS, e2e_seed
from tests.support.doc_snippets import REPO, Block, Sandbox, SnippetError, blocks, check_offline

FILES = doc_snippets.markdown_files()


def offline_problems(path: Path, root: Path = REPO) -> list[str]:
    problems = []
    try:
        found = blocks(path)
    except SnippetError as error:
        return [str(error)]
    for block in found:
        try:
            check_offline(block, strict=doc_snippets.is_strict(path, root))
        except SnippetError as error:
            problems.append(str(error))
    return problems


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(REPO).as_posix() for p in FILES])
def test_every_block_passes_its_offline_check(path: Path):
    problems = offline_problems(path)
    assert not problems, "\n".join(problems)


def test_the_reference_is_checked_strictly():
    reference = [p for p in FILES if doc_snippets.is_strict(p)]
    assert REPO / "docs" / "reference" / "rented-number.md" in reference
    included = [b for p in reference for b in blocks(p) if b.kind == "include"]
    assert len(included) >= 7 * 4, "an example per page and language"


# -- the machinery, fed broken Markdown --------------------------------------------------------------


def write_doc(root: Path, relative: str, body: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body))
    return path


def test_an_untagged_block_fails_only_where_tags_are_required(tmp_path: Path):
    body = "# Page\n\n```python\nprint('hi')\n```\n"
    strict = write_doc(tmp_path, "docs/reference/page.md", body)
    loose = write_doc(tmp_path, "docs/guide.md", body)
    problems = offline_problems(strict, tmp_path)
    assert len(problems) == 1 and "page.md:3: untagged code block" in problems[0], problems
    assert offline_problems(loose, tmp_path) == []


def test_an_included_block_must_equal_its_file(tmp_path: Path):
    (tmp_path / "docs" / "ex").mkdir(parents=True)
    (tmp_path / "docs" / "ex" / "main.py").write_text("x = 1\n")
    good = write_doc(tmp_path, "docs/good.md", "<!-- include: ex/main.py -->\n```python\nx = 1\n```\n")
    assert offline_problems(good, tmp_path) == []
    stale = write_doc(tmp_path, "docs/stale.md", "<!-- include: ex/main.py -->\n```python\nx = 2\n```\n")
    assert "stale.md:2: the block differs from ex/main.py" in offline_problems(stale, tmp_path)[0]
    gone = write_doc(tmp_path, "docs/gone.md", "<!-- include: ex/nope.py -->\n```python\nx = 1\n```\n")
    assert "includes ex/nope.py, which does not exist" in offline_problems(gone, tmp_path)[0]


def test_a_hand_edit_of_a_reference_page_is_caught(tmp_path: Path):
    """A page's example block edited in place, not in its example file."""
    copy = tmp_path / "docs" / "reference"
    shutil.copytree(REPO / "docs" / "reference", copy)
    page = copy / "rented-number.md"
    page.write_text(page.read_text().replace('app_id="11111111111111"', 'app_id="99"', 1))
    problems = offline_problems(page, tmp_path)
    assert len(problems) == 1 and "examples/rented-number/python/__main__.py" in problems[0], problems


@pytest.mark.parametrize(
    ("info", "bad"),
    [
        ("python", "def broken(:\n"),
        ("yaml", "a: [1, 2\n"),
        ("json", "{'single': 'quotes'}\n"),
        ("sh", "if true; then echo\n"),
        ("go", "package main\nfunc main() {\n"),
    ],
)
def test_syntax_only_blocks_must_parse(tmp_path: Path, info: str, bad: str):
    doc = write_doc(
        tmp_path, "docs/page.md", f"<!-- syntax-only: needs real Plivo -->\n```{info}\n{bad}```\n"
    )
    problems = offline_problems(doc, tmp_path)
    assert len(problems) == 1 and f"page.md:2: not valid {info}" in problems[0], problems


def test_tags_are_checked_themselves(tmp_path: Path):
    no_reason = write_doc(tmp_path, "docs/a.md", "<!-- syntax-only -->\n```python\nx = 1\n```\n")
    assert "must say why" in offline_problems(no_reason, tmp_path)[0]
    no_checker = write_doc(tmp_path, "docs/b.md", "<!-- syntax-only: why -->\n```cobol\nx\n```\n")
    assert "no syntax check for ```cobol```" in offline_problems(no_checker, tmp_path)[0]
    unknown = write_doc(tmp_path, "docs/c.md", "<!-- runn: shell -->\n```sh\ntrue\n```\n")
    assert "unknown tag kind 'runn'" in offline_problems(unknown, tmp_path)[0]
    no_runner = write_doc(tmp_path, "docs/d.md", "<!-- run: cobol-program -->\n```sh\ntrue\n```\n")
    assert "`run: cobol-program` is no known runner" in offline_problems(no_runner, tmp_path)[0]
    detached = write_doc(tmp_path, "docs/e.md", "<!-- run: shell -->\n\n```sh\ntrue\n```\n")
    assert (
        "e.md:1: a tag must be on the line right before a code fence"
        in offline_problems(detached, tmp_path)[0]
    )


def test_fences_nest_and_indent(tmp_path: Path):
    doc = write_doc(
        tmp_path,
        "docs/page.md",
        "<!-- syntax-only: shows a tag -->\n````markdown\n<!-- run: shell -->\n```sh\ntrue\n```\n````\n"
        "- item\n\n  <!-- syntax-only: indented -->\n  ```python\n  x = 1\n  ```\n",
    )
    found = blocks(doc)
    assert [(b.line, b.info, b.kind) for b in found] == [
        (2, "markdown", "syntax-only"),
        (11, "python", "syntax-only"),
    ]
    assert found[0].text == "<!-- run: shell -->\n```sh\ntrue\n```\n" and found[1].text == "x = 1\n"
    assert offline_problems(doc, tmp_path) == []


# -- blocks that run: the engine and the simulator ------------------------------------------------


@pytest.fixture(scope="module")
def simulator() -> Iterator:
    from plivo_pulumi.simulator.testing import SimulatorProcess

    with SimulatorProcess() as sim:
        yield sim


@pytest.fixture
def sandbox(simulator, tmp_path: Path) -> Sandbox:
    if shutil.which("pulumi") is None:
        pytest.fail("the Pulumi engine is not on PATH: run `make tools` (make test does)")
    simulator.clear_faults()
    simulator.reset(e2e_seed())
    simulator.clear_log()
    return Sandbox(simulator, tmp_path)


# The guides' run blocks (README.md, docs/*.md, examples/*/README.md) run in
# tests/e2e/test_docs_programs.py.
GUIDES = set(doc_snippets.doc_runners.guide_files())


def _run_blocks() -> list[Block]:
    """Every `run` block outside the guides; a file whose tags are malformed is left to the offline
    test to report."""
    found = []
    for path in FILES:
        if path in GUIDES:
            continue
        try:
            found += [b for b in blocks(path) if b.kind == "run"]
        except SnippetError:
            continue
    return found


RUN_BLOCKS = _run_blocks()


@pytest.mark.e2e
@pytest.mark.parametrize("block", RUN_BLOCKS, ids=[b.where for b in RUN_BLOCKS])
def test_every_run_block_runs(block: Block, sandbox: Sandbox):
    doc_snippets.RUNNERS[block.argument](block, sandbox)


@pytest.mark.e2e
def test_the_docs_have_a_run_block_of_each_program_runner():
    """docs/writing-docs.md shows the convention with blocks that really run."""
    assert {"python-program", "yaml-program"} <= {b.argument for b in RUN_BLOCKS}


def synthetic(tmp_path: Path, info: str, text: str, runner: str) -> Block:
    path = tmp_path / "doc.md"
    return Block(path, 3, info, textwrap.dedent(text), "run", runner)


@pytest.mark.e2e
def test_a_broken_python_program_fails_naming_the_block(sandbox: Sandbox):
    block = synthetic(
        sandbox.workdir,
        "python",
        f"""
        import pulumi_plivo as plivo
        plivo.RentedNumber("line", number="{NUMBERS[0]}", app_idd="")
        """,
        "python-program",
    )
    with pytest.raises(SnippetError, match=r"doc.md:3: `pulumi preview` failed") as failed:
        doc_snippets.RUNNERS["python-program"](block, sandbox)
    assert "app_idd" in str(failed.value)


@pytest.mark.e2e
def test_a_broken_yaml_program_fails(sandbox: Sandbox):
    block = synthetic(
        sandbox.workdir,
        "yaml",
        """
        name: broken
        runtime: yaml
        resources:
          line:
            type: plivo:RentedNumber
            properties:
              number: 555-CALL-NOW
        """,
        "yaml-program",
    )
    with pytest.raises(SnippetError, match=r"`pulumi preview` failed") as failed:
        doc_snippets.RUNNERS["yaml-program"](block, sandbox)
    assert "555-CALL-NOW" in str(failed.value)
    assert sandbox.sim.requests_log()["total"] == 0


@pytest.mark.e2e
def test_shell_blocks_run_with_the_simulator_account(sandbox: Sandbox):
    good = synthetic(sandbox.workdir, "sh", 'pulumi version\ntest "$PLIVO_BASE_URL" != ""\n', "shell")
    doc_snippets.RUNNERS["shell"](good, sandbox)
    bad = synthetic(sandbox.workdir, "sh", "pulumi no-such-command\n", "shell")
    with pytest.raises(SnippetError, match=r"doc.md:3: exit \d+"):
        doc_snippets.RUNNERS["shell"](bad, Sandbox(sandbox.sim, sandbox.workdir / "bad"))
