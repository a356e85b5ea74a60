"""Bindings files: the schema, every error (with the exact file, entry and field), stable names, and
declaring resources (with Pulumi's mocks; tests/e2e/test_audit_e2e.py runs the real engine)."""

from __future__ import annotations

import asyncio
import os
import random
import textwrap
from pathlib import Path

import pulumi
import pytest

from plivo_pulumi.core.fleet_file import (
    Binding,
    BindingsError,
    default_name,
    load_bindings,
    parse_bindings,
)
from plivo_pulumi.dynamic.fleet import declare_bindings

APP = "72509666337566"
APP2 = "11111111111111"
SUB = "SAMJY2ZWNJYWMZK1MWVK"
MAIN = "MAGWNTM3ZTK1M2YZMDF5"


def write(tmp_path: Path, text: str, name: str = "bindings.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    path = write(tmp_path, text)
    with pytest.raises(BindingsError) as info:
        load_bindings(path)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.source == str(path)
    for problem in error.problems:
        assert problem.startswith(f"{path}: "), problem
        assert problem in str(error), "the message lists every problem"
    return path, error.problems


def only_problem(tmp_path: Path, text: str) -> str:
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1, problems
    return problems[0].removeprefix(f"{path}: ")


# -- a good file ----------------------------------------------------------------------------------


def test_good_file_with_defaults_overrides_and_every_accepted_form(tmp_path):
    path = write(
        tmp_path,
        f"""
        defaults:
          app_id: "{APP}"
          subaccount: ""
          unrent_on_delete: false
        numbers:
          - number: "+1 (567) 698-8323"
            name: support-line
          - number: 15676988324              # a YAML integer
            app_id: /v1/Account/{MAIN}/Application/{APP2}/
            subaccount: {SUB}
          - number: 1.567.698.8325
            app_id: null                     # not managed, whatever the defaults say
            subaccount: /v1/Account/{MAIN}/Subaccount/{SUB}/
            unrent_on_delete: true
          - number: "0123456789"
          - number: 0223456789               # unquoted, leading zero: kept as written, not octal
        """,
    )
    assert load_bindings(path) == [
        Binding("support-line", "15676988323", APP, "", False),
        Binding("number-15676988324", "15676988324", APP2, SUB, False),
        Binding("number-15676988325", "15676988325", None, SUB, True),
        Binding("number-0123456789", "0123456789", APP, "", False),
        Binding("number-0223456789", "0223456789", APP, "", False),
    ]


def test_without_defaults_fields_are_not_managed(tmp_path):
    path = write(tmp_path, "numbers:\n  - number: '15676988323'\n")
    assert load_bindings(path) == [Binding("number-15676988323", "15676988323", None, None, False)]


def test_empty_numbers_list_is_an_empty_fleet(tmp_path):
    assert load_bindings(write(tmp_path, "numbers: []\n")) == []


def test_null_defaults_mean_not_managed(tmp_path):
    path = write(tmp_path, "defaults:\n  app_id: null\n  subaccount: ~\nnumbers:\n  - number: 15676988323\n")
    assert load_bindings(path)[0] == Binding("number-15676988323", "15676988323", None, None, False)


def test_a_good_50_entry_file(tmp_path):
    lines = [f'defaults:\n  app_id: "{APP}"\n  subaccount: ""\nnumbers:']
    for i in range(50):
        number = f"+1 (555) {i // 10:03d}-{i:04d}"
        if i % 5 == 0:
            lines.append(f'  - number: "{number}"\n    name: line-{i:02d}\n    subaccount: {SUB}')
        elif i % 7 == 0:
            lines.append(f"  - number: {15559000000 + i}\n    app_id: {APP2}\n    unrent_on_delete: true")
        else:
            lines.append(f'  - number: "{number}"')
    bindings = load_bindings(write(tmp_path, "\n".join(lines) + "\n"))
    assert len(bindings) == 50
    assert len({b.name for b in bindings}) == 50
    assert len({b.number for b in bindings}) == 50
    by_name = {b.name: b for b in bindings}
    assert by_name["line-05"] == Binding("line-05", "15550000005", APP, SUB, False)
    assert by_name["number-15559000007"] == Binding("number-15559000007", "15559000007", APP2, "", True)
    assert by_name["number-15550010013"].app_id == APP
    assert all(b.number.isdigit() and len(b.number) == 11 for b in bindings)


def test_names_do_not_depend_on_order_and_survive_additions(tmp_path):
    entries = [{"number": f"1555000{i:04d}", "app_id": APP} for i in range(30)]
    entries[3]["name"] = "support"
    first = {b.name: b for b in parse_bindings({"numbers": entries})}
    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    assert {b.name: b for b in parse_bindings({"numbers": shuffled})} == first
    grown = shuffled[:10] + [{"number": "15559999999"}] + shuffled[10:]
    after = {b.name: b for b in parse_bindings({"numbers": grown})}
    assert set(after) - set(first) == {"number-15559999999"}
    assert all(after[name] == binding for name, binding in first.items())
    assert first["support"].number == "15550000003"
    assert default_name("15550000004") in first


def test_parse_bindings_accepts_a_parsed_mapping_and_names_the_source():
    assert parse_bindings({"numbers": [{"number": 15676988323, "app_id": int(APP)}]}) == [
        Binding("number-15676988323", "15676988323", APP, None, False)
    ]
    with pytest.raises(BindingsError) as info:
        parse_bindings({"numbers": [{"number": "x"}]})
    assert info.value.problems[0].startswith("<inline>: numbers[0]: field 'number': ")
    with pytest.raises(BindingsError) as info:
        parse_bindings({"numbers": [{"number": "x"}]}, source="fleet.yaml")
    assert info.value.problems[0].startswith("fleet.yaml: numbers[0]: field 'number': ")


# -- the file itself ------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(BindingsError) as info:
        load_bindings(path)
    assert info.value.problems == [
        f"{path}: the bindings file does not exist; check the path (relative paths start from the current "
        f"directory, {os.getcwd()})"
    ]


def test_a_directory_is_not_a_bindings_file(tmp_path):
    with pytest.raises(BindingsError, match="is a directory, not a bindings file"):
        load_bindings(tmp_path)


def test_unreadable_file(tmp_path, monkeypatch):
    """A file the process may not read. Root reads any file whatever its mode, so the refusal is
    made by the operating-system call itself failing, as it does for an ordinary user."""
    path = write(tmp_path, "numbers: []\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(
        BindingsError, match="cannot be read: Permission denied; check the path and its permissions"
    ):
        load_bindings(path)


def test_unreadable_path(tmp_path):
    blocker = write(tmp_path, "numbers: []\n", name="not-a-dir")
    path = blocker / "bindings.yaml"
    with pytest.raises(BindingsError) as info:
        load_bindings(path)
    assert info.value.problems == [
        f"{path}: the bindings file cannot be read: Not a directory; check the path and its permissions"
    ]


def test_not_utf8(tmp_path):
    path = tmp_path / "bindings.yaml"
    path.write_bytes(b"numbers:\n  - number: '\xff'\n")
    with pytest.raises(BindingsError) as info:
        load_bindings(path)
    assert info.value.problems == [f"{path}: byte 22 is not UTF-8; save the bindings file as UTF-8 text"]


def test_not_yaml_names_the_line_and_column(tmp_path):
    problem = only_problem(tmp_path, 'numbers:\n  - number: "15676988323"\n    app_id: [1, 2\n')
    assert problem.startswith(
        "line 4, column 1: not valid YAML (while parsing a flow sequence started at line 3, column 13: "
    )
    assert "fix the syntax" in problem
    problem = only_problem(tmp_path, "numbers:\n  - number: 1\n   bad indent: x\n")
    assert problem.startswith("line 3, column ")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path, text):
    assert only_problem(tmp_path, text) == (
        "top level: the file is empty; expected a mapping with a 'numbers' list (see docs/bindings.md)"
    )


@pytest.mark.parametrize(
    ("text", "got"), [("- number: 1\n", "a list"), ("just text\n", "the text"), ("42\n", "the integer")]
)
def test_top_level_not_a_mapping(tmp_path, text, got):
    assert only_problem(tmp_path, text) == (
        f"top level: must be a mapping with the keys 'defaults' (optional) and 'numbers', got {got}; "
        "write `numbers:` followed by a list of entries"
    )


def test_unknown_top_level_keys_with_suggestions(tmp_path):
    _, problems = problems_of(tmp_path, "default:\n  app_id: '1'\nnumbers: []\nnumbrs: []\nowner: me\n")
    assert [p.split(": ", 1)[1] for p in problems] == [
        "top level: unknown key 'default'; did you mean 'defaults'? "
        "(valid keys: applications, defaults, numbers)",
        "top level: unknown key 'numbrs'; did you mean 'numbers'? "
        "(valid keys: applications, defaults, numbers)",
        "top level: unknown key 'owner'; valid keys: applications, defaults, numbers",
    ]


def test_numbers_missing_null_or_not_a_list(tmp_path):
    assert only_problem(tmp_path, "defaults: {}\n") == (
        "top level: the 'numbers' list is missing; add `numbers:` with one entry per number"
    )
    assert only_problem(tmp_path, "numbers:\n") == (
        "numbers: is empty (null); list the entries under it, or write `numbers: []` for none"
    )
    assert only_problem(tmp_path, "numbers:\n  number: 15676988323\n") == (
        "numbers: must be a list of entries (`- number: ...`), got a mapping"
    )


def test_a_key_repeated_in_one_mapping(tmp_path):
    text = "numbers:\n  - number: 15676988323\n    app_id: '1'\n    app_id: '2'\n"
    assert only_problem(tmp_path, text) == (
        "line 4: key 'app_id' appears twice in the same mapping; YAML would keep only the last one, so "
        "remove or rename the other"
    )


# -- defaults -------------------------------------------------------------------------------------


def test_defaults_errors(tmp_path):
    _, problems = problems_of(
        tmp_path,
        """
        defaults:
          app: "1"
          number: "15676988323"
          subaccount: sa0000000000000000000
          unrent_on_delete: "no"
        numbers: []
        """,
    )
    assert [p.split(": ", 1)[1] for p in problems] == [
        "defaults: unknown key 'app'; did you mean 'app_id'? "
        "(valid keys: app_id, application, subaccount, unrent_on_delete)",
        "defaults: 'number' cannot have a default: each entry sets its own number; move it into the entries "
        "under 'numbers'",
        "defaults: field 'subaccount': subaccount 'sa0000000000000000000' is not a subaccount auth_id; "
        "expected 'SA' followed by 18 uppercase letters or digits, like 'SAMJY2ZWNJYWMZK1MWVK', or its URI",
        "defaults: field 'unrent_on_delete': must be true or false, got the text 'no'; write false instead",
    ]


def test_defaults_not_a_mapping(tmp_path):
    assert only_problem(tmp_path, "defaults: [app_id]\nnumbers: []\n") == (
        "defaults: must be a mapping of app_id, application, subaccount, unrent_on_delete, got a list"
    )


def test_defaults_bad_app_id(tmp_path):
    assert only_problem(tmp_path, "defaults:\n  app_id: my-app\nnumbers: []\n").startswith(
        "defaults: field 'app_id': application id 'my-app' is not numeric; expected Plivo's numeric "
    )


# -- entries --------------------------------------------------------------------------------------

ENTRY_ERRORS = [
    pytest.param(
        "  - app_id: '1'\n",
        "numbers[0]: field 'number': is required: the rented number, like \"+1 (567) 698-8323\"",
        id="number-missing",
    ),
    pytest.param(
        "  - number:\n",
        "numbers[0]: field 'number': is required: the rented number, like \"+1 (567) 698-8323\"",
        id="number-null",
    ),
    pytest.param(
        "  - number: [15676988323, 15676988324]\n",
        "numbers[0]: field 'number': must be one phone number as a string like \"+1 (567) 698-8323\" or "
        "digits like 15676988323, got a list [15676988323, 15676988324]",
        id="number-list",
    ),
    pytest.param(
        "  - number: 15676988323.0\n",
        "numbers[0]: field 'number': must be one phone number as a string like \"+1 (567) 698-8323\" or "
        "digits like 15676988323, got a decimal number 15676988323.0",
        id="number-float",
    ),
    pytest.param(
        "  - number: 1_567_698_8323\n",
        "numbers[0]: field 'number': phone number '1_567_698_8323' contains characters other than digits "
        "('_'); must be 8-15 digits in international form, like 15676988323",
        id="number-underscored-int-is-text",
    ),
    pytest.param(
        "  - number: '+1 555'\n",
        "numbers[0]: field 'number': phone number '+1 555' has only 4 digits; must be 8-15 digits in "
        "international form, like 15676988323",
        id="number-too-short",
    ),
    pytest.param(
        "  - 15676988323\n",
        'numbers[0]: must be a mapping like `- number: "+15676988323"`, got the integer 15676988323',
        id="entry-not-a-mapping",
    ),
    pytest.param(
        "  - number: 15676988323\n    appid: '1'\n",
        "numbers[0] (number 15676988323): unknown key 'appid'; did you mean 'app_id'? (valid keys: number, "
        "name, app_id, application, subaccount, unrent_on_delete)",
        id="unknown-key-suggested",
    ),
    pytest.param(
        "  - number: 15676988323\n    application_id: '1'\n",
        "numbers[0] (number 15676988323): unknown key 'application_id'; did you mean 'app_id'? (valid keys: "
        "number, name, app_id, application, subaccount, unrent_on_delete)",
        id="unknown-key-synonym",
    ),
    pytest.param(
        "  - number: 15676988323\n    colour: red\n",
        "numbers[0] (number 15676988323): unknown key 'colour'; valid keys: number, name, app_id, "
        "application, subaccount, unrent_on_delete",
        id="unknown-key-no-suggestion",
    ),
    pytest.param(
        '  - number: 15676988323\n    unrent_on_delete: "yes"\n',
        "numbers[0] (number 15676988323): field 'unrent_on_delete': must be true or false, got the text "
        "'yes'; write true instead",
        id="unrent-quoted-yes",
    ),
    pytest.param(
        "  - number: 15676988323\n    unrent_on_delete: yes\n",
        "numbers[0] (number 15676988323): field 'unrent_on_delete': must be true or false, got the text "
        "'yes'; write true instead",
        id="unrent-yaml11-yes",
    ),
    pytest.param(
        "  - number: 15676988323\n    unrent_on_delete: 1\n",
        "numbers[0] (number 15676988323): field 'unrent_on_delete': must be true or false, got the integer "
        "1; write true or false without quotes",
        id="unrent-int",
    ),
    pytest.param(
        "  - number: 15676988323\n    unrent_on_delete: null\n",
        "numbers[0] (number 15676988323): field 'unrent_on_delete': is null; remove the key or give a value",
        id="unrent-null",
    ),
    pytest.param(
        "  - number: 15676988323\n    app_id: support\n",
        "numbers[0] (number 15676988323): field 'app_id': application id 'support' is not numeric; expected "
        "Plivo's numeric application id (1-32 digits, like '72509666337566') or its URI "
        "'/v1/Account/<auth_id>/Application/<app_id>/'",
        id="app-id-not-numeric",
    ),
    pytest.param(
        "  - number: 15676988323\n    app_id: /v1/Account/nope/Application/1/\n",
        "numbers[0] (number 15676988323): field 'app_id': application URI '/v1/Account/nope/Application/1/' "
        "does not contain a valid account auth_id (MA or SA followed by 18 uppercase letters or digits)",
        id="app-uri-bad-account",
    ),
    pytest.param(
        "  - number: 15676988323\n    app_id: [1]\n",
        "numbers[0] (number 15676988323): field 'app_id': must be an application id like "
        '"72509666337566" or its URI, got a list',
        id="app-id-list",
    ),
    pytest.param(
        f"  - number: 15676988323\n    subaccount: {SUB.lower()}\n",
        f"numbers[0] (number 15676988323): field 'subaccount': subaccount '{SUB.lower()}' is not uppercase; "
        f"auth ids are case sensitive, did you mean '{SUB}'?",
        id="subaccount-lowercase",
    ),
    pytest.param(
        f"  - number: 15676988323\n    subaccount: {MAIN}\n",
        f"numbers[0] (number 15676988323): field 'subaccount': subaccount '{MAIN}' is a main account "
        'auth_id, not a subaccount; use "" to assign the number to the main account',
        id="subaccount-main-account",
    ),
    pytest.param(
        "  - number: 15676988323\n    subaccount: 12\n",
        "numbers[0] (number 15676988323): field 'subaccount': subaccount must be a string like "
        "'SAMJY2ZWNJYWMZK1MWVK', got 12",
        id="subaccount-int",
    ),
    pytest.param(
        "  - number: 15676988323\n    name: 'support line'\n",
        "numbers[0] (number 15676988323): field 'name': 'support line' is not a valid resource name: use "
        "1-100 letters, digits, '-', '_' or '.', starting with a letter or digit",
        id="name-invalid",
    ),
    pytest.param(
        "  - number: 15676988323\n    name: 7\n",
        "numbers[0] (number 15676988323): field 'name': must be a string like \"support-line\", got the "
        "integer 7",
        id="name-not-a-string",
    ),
    pytest.param(
        "  - number: 15676988323\n    name: ''\n",
        "numbers[0] (number 15676988323): field 'name': is empty; give a resource name like "
        '"support-line" or remove the key',
        id="name-empty",
    ),
    pytest.param(
        "  - number: nope\n    name: support\n",
        "numbers[0] (name 'support'): field 'number': phone number 'nope' contains characters other than "
        "digits ('enop'); must be 8-15 digits in international form, like 15676988323",
        id="bad-number-entry-labelled-by-name",
    ),
]


@pytest.mark.parametrize(("entry", "expected"), ENTRY_ERRORS)
def test_entry_errors_name_the_entry_and_the_field(tmp_path, entry, expected):
    assert only_problem(tmp_path, "numbers:\n" + entry) == expected


def test_the_entry_index_counts_from_zero_and_points_at_the_bad_entry(tmp_path):
    text = "numbers:\n" + "".join(f"  - number: 1555000000{i}\n" for i in range(3))
    text += "  - number: 15676988323\n    app_id: abc\n"
    assert only_problem(tmp_path, text).startswith("numbers[3] (number 15676988323): field 'app_id': ")


def test_duplicate_numbers_after_normalization_name_both_entries(tmp_path):
    text = """
    numbers:
      - number: "+1 (567) 698-8323"
        name: support
      - number: 15550000001
      - number: 1-567-698-8323
    """
    assert only_problem(tmp_path, text) == (
        "numbers[2] (number 15676988323): field 'number': 15676988323 is already bound by numbers[0] "
        "(number 15676988323); a number can be bound once, so remove or merge one of the two entries"
    )


def test_duplicate_resource_names_name_both_entries(tmp_path):
    text = """
    numbers:
      - number: 15550000001
        name: support
      - number: 15550000002
        name: support
      - number: 15550000003
        name: number-15550000004
      - number: 15550000004
    """
    _, problems = problems_of(tmp_path, text)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "numbers[1] (number 15550000002): field 'name': resource name 'support' is already used by "
        "numbers[0] (number 15550000001); resource names must be unique, so give one of the two entries "
        "another `name`",
        "numbers[3] (number 15550000004): field 'name': resource name 'number-15550000004' is already used "
        "by numbers[2] (number 15550000003); resource names must be unique, so give one of the two entries "
        "another `name`",
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    text = f"""
    defaults:
      app: "1"
    numbers:
      - number: 15550000001
        app_id: x
      - number: [1]
      - number: 15550000003
        subaccount: {MAIN}
        unrent_on_delete: "yes"
      - number: 15550000001
    extra: 1
    """
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 7, problems
    message = str(pytest.raises(BindingsError, load_bindings, path).value)
    first_line = message.splitlines()[0]
    assert first_line == f"{path}: 7 problems in the number bindings; nothing was declared:"
    assert [p.split(": ", 2)[1] for p in problems] == [
        "top level",
        "defaults",
        "numbers[0] (number 15550000001)",
        "numbers[1]",
        "numbers[2] (number 15550000003)",
        "numbers[2] (number 15550000003)",
        "numbers[3] (number 15550000001)",
    ]


# -- declaring ------------------------------------------------------------------------------------


class _Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[tuple[str, str, dict]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = {k: v for k, v in args.inputs.items() if not k.startswith("__")}
        self.resources.append((args.typ, args.name, inputs))
        return [args.inputs.get("number"), args.inputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


@pytest.fixture
def mocks():
    # A test before this one in the same process may have ended with `asyncio.run`, which leaves no
    # current event loop; Pulumi's mocks need one (the current one when there is: RPCs may be pending).
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())
    recorder = _Recorder()
    pulumi.runtime.set_mocks(recorder, preview=False)
    yield recorder
    pulumi.runtime.settings.reset_options()


def _wait(declared):
    return pulumi.Output.all(*[r.urn for r in declared.values()])


@pulumi.runtime.test
def _declare_and_wait(source, opts=None):
    declared = declare_bindings(source, opts)
    _declare_and_wait.result = declared
    return _wait(declared)


def test_declare_bindings_declares_one_rented_number_per_entry(mocks, tmp_path):
    path = write(
        tmp_path,
        f"""
        defaults:
          app_id: "{APP}"
        numbers:
          - number: "+1 (567) 698-8323"
            name: support
          - number: 15676988324
            subaccount: ""
            unrent_on_delete: true
        """,
    )
    _declare_and_wait(str(path))
    declared = _declare_and_wait.result
    assert list(declared) == ["support", "number-15676988324"]
    typ = "pulumi-python:dynamic/plivo:RentedNumber"
    assert sorted(mocks.resources, key=lambda r: r[1]) == [
        (
            typ,
            "number-15676988324",
            {"number": "15676988324", "app_id": APP, "subaccount": "", "unrent_on_delete": True},
        ),
        (typ, "support", {"number": "15676988323", "app_id": APP, "unrent_on_delete": False}),
    ]


def test_declare_bindings_from_a_mapping_a_list_and_with_per_binding_options(mocks):
    seen = []

    def opts(binding: Binding) -> pulumi.ResourceOptions:
        seen.append(binding.name)
        return pulumi.ResourceOptions(import_=binding.number) if binding.name == "old" else None

    _declare_and_wait({"numbers": [{"number": 15550000001, "name": "old"}, {"number": 15550000002}]}, opts)
    assert seen == ["old", "number-15550000002"]
    _declare_and_wait([Binding("x", "+1 555 000 0009", app_id=f"/v1/Account/{MAIN}/Application/{APP}/")])
    assert (
        "pulumi-python:dynamic/plivo:RentedNumber",
        "x",
        {"number": "15550000009", "app_id": APP, "unrent_on_delete": False},
    ) in mocks.resources


def test_declare_bindings_declares_nothing_when_any_entry_is_bad(mocks, tmp_path):
    path = write(tmp_path, "numbers:\n  - number: 15550000001\n  - number: 15550000001\n")
    with pytest.raises(BindingsError, match=r"numbers\[1\] \(number 15550000001\): field 'number'"):
        declare_bindings(str(path))
    with pytest.raises(BindingsError, match=r"<bindings>: numbers\[1\] \(number 15550000002\): field 'name'"):
        declare_bindings([Binding("a", "15550000001"), Binding("a", "15550000002")])
    with pytest.raises(TypeError, match="a file path, a parsed mapping or a list of Binding"):
        declare_bindings([{"number": "15550000001"}])
    assert mocks.resources == []


def test_rented_number_set_takes_the_same_constructor_shapes_as_rented_number(mocks):
    from plivo_pulumi import RentedNumberSet, RentedNumberSetArgs

    def bindings(n: int) -> dict:
        return {f"1555000000{n}": {"app_id": "1"}}

    @pulumi.runtime.test
    def declare():
        made = [
            RentedNumberSet("shorthand", bindings(1)),
            RentedNumberSet("keywords", bindings=bindings(2), unrent_on_delete=True, max_in_flight=4),
            RentedNumberSet("args", RentedNumberSetArgs(bindings(3), unrent_on_delete=True, max_in_flight=4)),
        ]
        return pulumi.Output.all(*[r.urn for r in made])

    declare()
    inputs = {name: props for _typ, name, props in mocks.resources}
    assert inputs["shorthand"]["bindings"] == bindings(1) and inputs["args"]["bindings"] == bindings(3)
    for shape in ("keywords", "args"):
        assert (inputs[shape]["unrent_on_delete"], inputs[shape]["max_in_flight"]) == (True, 4)
    assert (inputs["shorthand"]["unrent_on_delete"], inputs["shorthand"]["max_in_flight"]) == (False, 8)
    with pytest.raises(TypeError, match="not both"):
        RentedNumberSet("both", RentedNumberSetArgs(bindings(4)), unrent_on_delete=True)


# -- applications declared in the file ------------------------------------------------------------

FLEET_WITH_APPS = """
applications:
  ivr:
    answer_url: https://voice.example.com/answer
  texts:
    app_name: sms_inbox
    answer_url: https://voice.example.com/a
    message_method: get
defaults:
  application: ivr
numbers:
  - number: "15550000001"
  - number: "15550000002"
    application: texts
  - number: "15550000003"
    app_id: "123"
  - number: "15550000004"
    app_id: null
"""


def test_applications_are_parsed_and_entries_bind_to_them(tmp_path):
    from plivo_pulumi.core.fleet_file import load_fleet

    path = tmp_path / "bindings.yaml"
    path.write_text(FLEET_WITH_APPS)
    fleet = load_fleet(path)
    assert list(fleet.applications) == ["ivr", "texts"]
    assert fleet.applications["ivr"].fields == {
        "app_name": "ivr",
        "answer_url": "https://voice.example.com/answer",
    }, "app_name defaults to the key; other fields are left to the resource's defaults"
    assert fleet.applications["texts"].fields["message_method"] == "GET"
    got = {b.number: (b.application, b.app_id) for b in fleet.bindings}
    assert got == {
        "15550000001": ("ivr", None),
        "15550000002": ("texts", None),
        "15550000003": (None, "123"),
        "15550000004": (None, None),
    }, "an entry's own app_id (even null) overrides the default application"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "applications:\n  ivr: {answer_url: 'https://x.example.com'}\nnumbers:\n"
            "  - {number: '15550000001', application: ivx}\n",
            "numbers[0] (number 15550000001): field 'application': 'ivx' is not declared under "
            "'applications' (ivr); declare it there or give its app_id",
        ),
        (
            "applications:\n  ivr: {answer_url: 'https://x.example.com'}\nnumbers:\n"
            "  - {number: '15550000001', application: ivr, app_id: '1'}\n",
            "numbers[0] (number 15550000001): sets both 'app_id' and 'application'; keep one "
            "(application names one declared above)",
        ),
        (
            "applications:\n  ivr: {message_url: 'https://x.example.com'}\nnumbers: []\n",
            "applications.ivr: field 'answer_url': is required: the URL Plivo fetches when a call arrives",
        ),
        (
            "applications:\n  ivr.main: {answer_url: 'https://x.example.com'}\nnumbers: []\n",
            "applications.ivr.main: field 'app_name': 'ivr.main' is not a valid application name: use 1-100 "
            'letters, digits, "-" and "_" (no spaces or dots), like "ivr-main" (the key is the default '
            "app_name: set app_name)",
        ),
        (
            "applications:\n  ivr: {answer_url: 'https://x.example.com', colour: red}\nnumbers: []\n",
            "applications.ivr: unknown key 'colour'; valid keys: app_name, answer_url, answer_method, "
            "hangup_url, hangup_method, fallback_answer_url, fallback_method, message_url, message_method, "
            "default_number_app, default_endpoint_app, subaccount, log_incoming_messages",
        ),
    ],
)
def test_application_problems_name_the_entry_and_the_fix(tmp_path, text, problem):
    assert only_problem(tmp_path, text) == problem
