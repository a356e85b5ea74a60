"""Every code block of the guides (README.md, docs/*.md, examples/*/README.md) carries a tag and passes
its offline check: config files load with the product's parsers, transcripts show the form the product
prints, and every command a block names exists (docs/development.md, "Docs that cannot go stale"; the
blocks that run: tests/e2e/test_docs_programs.py). The checks themselves are fed broken blocks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support import doc_runners, doc_snippets
from tests.support.doc_snippets import REPO, SnippetError, blocks, check_offline

GUIDES = doc_runners.guide_files()


def problems_of(path: Path, *, commands: bool = True) -> list[str]:
    """Every block's offline problems (untagged included), the product names its Python imports,
    and (`commands`) the commands it names that do not exist."""
    problems = []
    try:
        found = blocks(path)
    except SnippetError as error:
        return [str(error)]
    for block in found:
        try:
            check_offline(block, strict=True)
        except SnippetError as error:
            problems.append(str(error))
            continue
        if commands and (block.info in ("sh", "bash", "console") or block.kind == "output"):
            problems += doc_runners.unknown_commands(block)
        if block.info == "python":
            problems += doc_runners.unknown_names(block)
    return problems


IDS = [p.relative_to(REPO).as_posix() for p in GUIDES]


@pytest.mark.parametrize("path", GUIDES, ids=IDS)
def test_every_block_is_tagged_and_passes_its_check(path: Path):
    problems = problems_of(path, commands=False)
    assert not problems, "\n".join(problems)


@pytest.mark.tools  # `pulumi ... --help` needs the engine (make tools)
@pytest.mark.parametrize("path", GUIDES, ids=IDS)
def test_every_command_a_block_names_exists(path: Path):
    problems = [p for p in problems_of(path) if p not in problems_of(path, commands=False)]
    assert not problems, "\n".join(problems)


def test_the_guides_are_all_there():
    names = {p.relative_to(REPO).as_posix() for p in GUIDES}
    assert {"README.md", "docs/install.md", "docs/pipeline.md", "examples/yaml/README.md"} <= names
    assert not any(n.startswith("docs/reference/") for n in names)
    kinds = {b.kind for p in GUIDES for b in blocks(p)}
    assert {"run", "config", "output", "syntax-only", "quickstart"} <= kinds


# -- the checks, fed broken blocks -----------------------------------------------------------------


def doc(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(textwrap.dedent(body))
    return path


def test_an_untagged_block_fails_naming_file_and_line(tmp_path: Path):
    page = doc(tmp_path, "# Page\n\n```sh\npulumi up\n```\n")
    problems = problems_of(page, commands=False)
    assert len(problems) == 1 and "page.md:3: untagged code block" in problems[0], problems


@pytest.mark.parametrize(
    ("argument", "text", "complaint"),
    [
        (
            "bindings",
            "numbers:\n  - number: '15550000001'\n    app_id: support\n",
            "application id 'support'",
        ),
        ("bindings", "numbers:\n  - numbr: '15550000001'\n", "numbr"),
        ("seed", "numbers:\n  - {number: '15550000001', account: MANOSUCHACCOUNT00001}\n", "MANOSUCH"),
        ("seed", "applications:\n  - {app_id: x1}\n", "app_id"),
        ("pulumi-yaml", "plugins:\n  providers:\n    - name: plivo\n", "a path"),
    ],
)
def test_a_config_block_is_loaded_by_the_product(tmp_path: Path, argument: str, text: str, complaint: str):
    page = doc(tmp_path, f"<!-- config: {argument} -->\n```yaml\n{text}```\n")
    problems = problems_of(page)
    assert len(problems) == 1 and "page.md:2:" in problems[0] and complaint in problems[0], problems


def test_an_audit_json_block_has_the_keys_render_json_emits(tmp_path: Path):
    good = '{"stack": "dev", "account": "MA", "filters": {}, "live_total": 0, "managed_total": 0,\n'
    good += '"live_applications": 0, "managed_applications": 0, "counts": %s, "findings": [],\n'
    good += '"unverified_links": [], "accounts": [], "orders": [], "orders_monthly_total": 0}\n'
    counts = '{"unmanaged": 0, "drifted": 0, "gone": 0, "duplicated": 0, "unmanaged_app": 0,'
    counts += ' "drifted_app": 0, "gone_app": 0, "broken_link": 0,'
    counts += ' "unrecorded_buy": 0}'
    assert problems_of(doc(tmp_path, f"<!-- output: audit-json -->\n```json\n{good % counts}```\n")) == []
    renamed = good.replace('"live_total"', '"live_count"') % counts
    problems = problems_of(doc(tmp_path, f"<!-- output: audit-json -->\n```json\n{renamed}```\n"))
    assert len(problems) == 1 and "live_count" in problems[0], problems


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("plivo-numbers audit --stak prod", "`plivo-numbers audit` has no --stak"),
        ("plivo-numbers audti --stack prod", "plivo-numbers has no command"),
        ("pulumi preview --expect-no-change", "`pulumi preview` has no --expect-no-change"),
        ("make no-such-target", "the Makefile has no target no-such-target"),
        ("pytest tests/e2e/test_nope.py", "tests/e2e/test_nope.py does not exist"),
    ],
)
@pytest.mark.tools
def test_a_command_the_product_lacks_is_caught(tmp_path: Path, line: str, complaint: str):
    page = doc(tmp_path, f"<!-- syntax-only: needs the real Plivo -->\n```sh\n{line}   # why\n```\n")
    problems = problems_of(page)
    assert len(problems) == 1 and complaint in problems[0], problems
    transcript = doc(tmp_path, f"<!-- output -->\n```console\n$ {line}\nsome output\n```\n")
    assert complaint in "\n".join(problems_of(transcript))


@pytest.mark.tools
def test_commands_the_product_has_pass(tmp_path: Path):
    lines = [
        "plivo-numbers audit --stack prod --json --number-startswith 1555",
        "plivo-numbers run --lock-timeout 10m -- pulumi up --yes",
        "pulumi config set --secret plivo:authToken",
        "pulumi refresh --run-program --clear-pending-creates --yes",
        "make test",
    ]
    page = doc(tmp_path, "<!-- syntax-only: needs the real Plivo -->\n```sh\n" + "\n".join(lines) + "\n```\n")
    assert problems_of(page) == []


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("from plivo_pulumi.audit import run_audt", "plivo_pulumi.audit has no run_audt"),
        ("from plivo_pulumi.no_such import x", "`plivo_pulumi.no_such` does not import"),
        (
            "import pulumi_plivo as plivo\nplivo.get_rented_number_list()",
            "pulumi_plivo has no get_rented_number_list",
        ),
    ],
)
def test_a_python_fragment_naming_what_the_product_lacks_fails(tmp_path: Path, line: str, complaint: str):
    page = doc(tmp_path, f"<!-- syntax-only: a fragment -->\n```python\n{line}\n```\n")
    problems = problems_of(page)
    assert len(problems) == 1 and complaint in problems[0], problems


def test_the_seed_is_read_from_the_block():
    text = (
        'RentedNumber("a", number="+1 (567) 698-8323", app_id="72509666337566")\n'
        "numbers: [15676988324, '1.567.698.8325']  # subaccount SAMJY2ZWNJYWMZK1MWVK\n"
        "app_id: /v1/Account/MAGWNTM3ZTK1M2YZMDF5/Application/11111111111111/\n"
    )
    auth_id, seed = doc_runners.seed_from(text)
    assert auth_id == "MAGWNTM3ZTK1M2YZMDF5"
    assert sorted(n["number"] for n in seed["numbers"]) == ["15676988323", "15676988324", "15676988325"]
    assert sorted(a["app_id"] for a in seed["applications"]) == ["11111111111111", "72509666337566"]
    assert [s["auth_id"] for s in seed["accounts"][0]["subaccounts"]] == ["SAMJY2ZWNJYWMZK1MWVK"]


def test_a_quickstart_block_parses(tmp_path: Path):
    page = doc(tmp_path, "<!-- quickstart: seed -->\n```yaml\na: [1\n```\n")
    assert "page.md:2: not valid yaml" in problems_of(page)[0]


def test_every_guide_run_block_names_a_runner_that_seeds_from_the_block():
    """The guides' blocks use this module's runners (the docs/reference runners seed nothing)."""
    runners = {b.argument for p in GUIDES for b in blocks(p) if b.kind == "run"}
    assert runners <= {"program", "python-script", "commands", "walkthrough"}, runners
    assert runners <= set(doc_snippets.RUNNERS)


@pytest.mark.parametrize(
    ("form", "change"),
    [
        ("audit-table", ("Result: 3 findings", "Result: 3 problems")),
        ("audit-table", ("restores the declared values; or change the code", "restores them")),
        ("sim-faults", ('"retry_after": 1', '"retry_after": 2')),
        ("sim-requests", ('"by_status"', '"by_code"')),
    ],
)
def test_an_output_block_shows_what_the_product_prints(tmp_path: Path, form: str, change: tuple[str, str]):
    """The docs' own transcripts pass; a line the product does not print fails."""
    shown = next(b for p in GUIDES for b in blocks(p) if b.kind == "output" and b.argument == form)
    assert problems_of(doc(tmp_path, f"<!-- output: {form} -->\n```\n{shown.text}```\n")) == []
    assert change[0] in shown.text
    broken = shown.text.replace(*change)
    problems = problems_of(doc(tmp_path, f"<!-- output: {form} -->\n```\n{broken}```\n"))
    assert len(problems) == 1 and "not the form the product prints" in problems[0], problems
