"""The reference docs/reference/ (scripts/gen_docs.py): in step with the schema, as tests/test_sdk.py
keeps the SDKs, and naming in each language what the committed SDKs really call it."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from plivo_pulumi.native.schema import schema

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import gen_docs  # noqa: E402

PYTHON_SDK = "\n".join(p.read_text() for p in sorted((REPO / "sdk/python/pulumi_plivo").rglob("*.py")))
GO_SDK = "\n".join(p.read_text() for p in sorted((REPO / "sdk/go/plivo").glob("*.go")))
TS_SDK = "\n".join(p.read_text() for p in sorted((REPO / "sdk/nodejs").rglob("*.ts")))


def test_committed_reference_is_what_the_schema_generates():
    problems = gen_docs.check()
    assert not problems, "docs/reference is out of step with the schema; run `make docs` and commit:\n" + (
        "\n".join(problems)
    )


def test_the_reference_is_made_from_the_schema_sdk_json_holds():
    """The same document but for the language sections, to which gen_sdk.py adds its defaults."""
    committed = json.loads((REPO / "sdk" / "schema.json").read_text())
    fresh = schema()
    for document in (committed, fresh):
        document.pop("language")
    assert committed == fresh, "sdk/schema.json is out of step with the schema: run `make sdk`"


def test_a_page_per_resource_and_function_and_the_provider():
    spec = schema()
    files = set(gen_docs.render())
    expected = {"README.md", "provider.md"}
    expected |= {
        gen_docs.slug_of(t.rsplit(":", 1)[1]) + ".md" for t in [*spec["resources"], *spec["functions"]]
    }
    assert files == expected
    assert {"rented-number.md", "rented-number-set.md", "application.md"} <= files
    assert {"get-rented-number.md", "get-rented-numbers.md", "get-application.md"} <= files


def test_every_example_folder_belongs_to_a_page():
    folders = {p.name for p in gen_docs.EXAMPLES.iterdir() if p.is_dir()}
    assert folders == {page.slug for page in gen_docs.pages()}
    for folder in folders:
        assert {p.name for p in (gen_docs.EXAMPLES / folder).iterdir()} == set(gen_docs.LANGUAGES), folder


def _all_properties() -> list[str]:
    spec = schema()
    names = set(spec["config"]["variables"]) | set(spec["provider"]["inputProperties"])
    for resource in spec["resources"].values():
        names |= set(resource["inputProperties"]) | set(resource["properties"])
    for function in spec["functions"].values():
        names |= set(function["inputs"].get("properties", {})) | set(function["outputs"]["properties"])
    for kind in spec["types"].values():
        names |= set(kind["properties"])
    return sorted(names)


@pytest.mark.parametrize("name", _all_properties())
def test_each_name_in_the_tables_is_the_sdks_name(name: str):
    """The tables' Python, Go and TypeScript names are the committed SDKs' (as the codegen derived
    them), so a user can paste them."""
    python, go = gen_docs.python_name(name), gen_docs.go_name(name)
    assert re.search(rf"\bdef {python}\b|\b{python}: ", PYTHON_SDK), f"{name}: Python {python}"
    # A Go field of an Args or Result struct, or an accessor method of an Output type.
    assert re.search(rf"^\t{go} |\) {go}\(\)", GO_SDK, re.M), f"{name}: Go {go}"
    assert re.search(rf"\b{name}\??: ", TS_SDK), f"{name}: TypeScript {name}"
    rows = [
        line
        for text in gen_docs.render().values()
        for line in text.splitlines()
        if line.startswith(f"| `{name}` |")
    ]
    assert rows and all(row.startswith(f"| `{name}` | `{python}` | `{go}` |") for row in rows), rows


def test_function_and_resource_names_per_language_are_the_sdks():
    spec = schema()
    for token in spec["functions"]:
        name = token.rsplit(":", 1)[1]
        python, go = gen_docs.python_name(name), gen_docs.function_go_name(token, spec)
        assert re.search(rf"^def {python}\(", PYTHON_SDK, re.M), python
        assert re.search(rf"^def {python}_output\(", PYTHON_SDK, re.M), python
        assert re.search(rf"^func {go}\(ctx", GO_SDK, re.M) and f"func {go}Output(" in GO_SDK, go
        assert f"export function {name}(" in TS_SDK and f"export function {name}Output(" in TS_SDK, name
    assert gen_docs.function_go_name("plivo:index:getRentedNumber", spec) == "LookupRentedNumber"
    assert gen_docs.function_go_name("plivo:index:getRentedNumbers", spec) == "GetRentedNumbers"
    for token in [*spec["resources"], "plivo:index:Provider"]:
        name = token.rsplit(":", 1)[1]
        assert f"class {name}(pulumi." in PYTHON_SDK and f"class {name}Args:" in PYTHON_SDK, name
        assert f"func New{name}(ctx *pulumi.Context" in GO_SDK and f"type {name}Args struct" in GO_SDK, name


def test_python_names_follow_the_codegen():
    assert gen_docs.python_name("numberStartswith") == "number_startswith"
    assert gen_docs.python_name("resourceUri") == "resource_uri"
    assert gen_docs.python_name("resourceURI") == "resource_uri"
    assert gen_docs.go_name("appId") == "AppId"


def test_the_config_page_lists_every_setting_with_its_environment_variable_and_secrecy():
    page = gen_docs.render()["provider.md"]
    for name, prop in schema()["config"]["variables"].items():
        row = next(line for line in page.splitlines() if line.startswith(f"| `plivo:{name}` |"))
        env = "PLIVO_" + gen_docs.python_name(name).upper()
        assert f"| `{env}` |" in row, row
        assert ("| yes |" in row) == bool(prop.get("secret")), row
    assert "| `plivo:authToken` | `PLIVO_AUTH_TOKEN` | none: required (config or environment) | yes |" in page


def test_resource_pages_give_the_import_id():
    pages = gen_docs.render()
    assert "Import id: `NUMBER`" in pages["rented-number.md"]
    assert "Import id: `APP_ID`" in pages["application.md"]
    assert (
        "Import id: `ID`" in pages["rented-number-set.md"]
        and "separated by commas" in pages["rented-number-set.md"]
    )


def test_differences_name_the_files(tmp_path: Path):
    out = tmp_path / "reference"
    shutil.copytree(gen_docs.OUT, out)
    assert gen_docs.check(out) == []
    (out / "application.md").write_text("edited by hand\n")
    (out / "provider.md").unlink()
    (out / "old-page.md").write_text("\n")
    assert gen_docs.check(out) == [
        "missing: docs/reference/provider.md",
        "stale (no longer generated): docs/reference/old-page.md",
        "differs: docs/reference/application.md",
    ]


def test_a_schema_change_makes_the_check_fail(monkeypatch: pytest.MonkeyPatch):
    changed = schema()
    changed["resources"]["plivo:index:Application"]["inputProperties"]["deleteAdopted"]["description"] = "new"
    monkeypatch.setattr(gen_docs, "schema", lambda: changed)
    assert gen_docs.check() == ["differs: docs/reference/application.md"]
    assert gen_docs.main(["--check"]) == 1
