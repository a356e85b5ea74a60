"""Every `<!-- run: ... -->` block of the guides (README.md, docs/*.md, examples/*/README.md) runs as
its tag says, through the real `pulumi` CLI against the simulator seeded from the block's own text
(tests/support/doc_runners.py); the offline checks of every block: tests/test_docs_guides.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import doc_runners, doc_snippets
from tests.support.doc_snippets import Block, Sandbox, SnippetError, blocks

RUN_BLOCKS = [b for p in doc_runners.guide_files() for b in blocks(p) if b.kind == "run"]


@pytest.fixture(scope="module")
def simulator() -> Iterator:
    from plivo_pulumi.simulator.testing import SimulatorProcess

    with SimulatorProcess() as sim:
        yield sim


@pytest.fixture
def sandbox(simulator, tmp_path: Path) -> Sandbox:
    if shutil.which("pulumi") is None:
        pytest.fail("the Pulumi engine is not on PATH: run `make tools` (make test does)")
    simulator.clear_log()
    return Sandbox(simulator, tmp_path)


@pytest.mark.parametrize("block", RUN_BLOCKS, ids=[b.where for b in RUN_BLOCKS])
def test_every_run_block_runs(block: Block, sandbox: Sandbox):
    doc_snippets.RUNNERS[block.argument](block, sandbox)
    if block.argument == "program":
        assert sandbox.sim.requests_log()["total"] > 0, "the program reached the simulator"


def test_the_guides_have_blocks_of_each_runner():
    assert {"program", "python-script", "commands", "walkthrough"} <= {b.argument for b in RUN_BLOCKS}
    assert {b.info for b in RUN_BLOCKS if b.argument == "program"} == {"python"}


def test_a_program_naming_an_application_the_account_lacks_cannot_pass(sandbox: Sandbox):
    """The seed comes from the block: a block broken by a mistyped id (13 digits, read as a number
    rather than an application) fails naming its line."""
    text = (
        "from plivo_pulumi import RentedNumber\n"
        'RentedNumber("a", number="15550100001", app_id="1000000000001")\n'
    )
    block = Block(sandbox.workdir / "doc.md", 7, "python", text, "run", "program")
    with pytest.raises(SnippetError, match=r"doc.md:7: `pulumi (preview|up)` failed"):
        doc_snippets.RUNNERS["program"](block, sandbox)


def test_a_command_line_that_exits_otherwise_fails(sandbox: Sandbox):
    text = "pulumi preview --stack prod\nplivo-numbers audit --stack prod   # exits 1\n"
    block = Block(sandbox.workdir / "doc.md", 4, "sh", text, "run", "commands")
    with pytest.raises(
        SnippetError, match=r"doc.md:4: `plivo-numbers audit --stack prod   # exits 1` exited 0"
    ):
        doc_snippets.RUNNERS["commands"](block, sandbox)
