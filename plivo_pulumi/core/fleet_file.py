"""Fleets of number bindings declared in a YAML file (see docs/bindings.md).

Schema::

    applications:             # optional; applications declared beside the numbers (resource names)
      ivr:
        app_name: ivr-main    # default: the key
        answer_url: https://example.com/answer
        # any other field of the Application resource (plivo_pulumi.core.applications)
    defaults:                 # optional; fills every field an entry does not set
      app_id: "72509666337566"
      subaccount: ""          # "" = main account; absent = not managed
      unrent_on_delete: false
    numbers:
      - number: "+1 (567) 698-8323"
        name: support-line    # optional stable resource name (default: "number-15676988323")
        app_id: "725..."      # the id or the application URI; null = not managed
        application: ivr      # or: an application declared above (instead of app_id)
        subaccount: SA...     # the auth_id or the subaccount URI; "" = main account; null = not managed
        unrent_on_delete: false

The whole file is validated before anything is declared: every problem is collected, and one
:class:`BindingsError` lists them all, each as ``FILE: numbers[3] (number 15676988323): field
'app_id': <what is wrong and the fix>``.

In a Pulumi program, one call declares a ``RentedNumber`` per entry (`plivo_pulumi.dynamic.fleet`;
this module, part of the core, imports neither Pulumi nor a front-end)::

    from plivo_pulumi.dynamic.fleet import declare_bindings
    numbers = declare_bindings("bindings.yaml")   # {resource name: RentedNumber}

Resource names depend only on the entry (its ``name``, or its normalized number), never on its
position, so reordering the file or adding entries never renames (and so never replaces) a resource.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from plivo_pulumi.core.applications import APP_FIELDS, validate_app_field
from plivo_pulumi.core.contract import type_name, validate_field
from plivo_pulumi.core.numbers import describe_value, normalize_number
from plivo_pulumi.core.safe_yaml import BoundedSafeLoader, YAMLLimitError

__all__ = [
    "ApplicationSpec",
    "Binding",
    "Fleet",
    "BindingsError",
    "ENTRY_KEYS",
    "DEFAULT_KEYS",
    "TOP_LEVEL_KEYS",
    "default_name",
    "load_bindings",
    "load_fleet",
    "parse_bindings",
    "parse_fleet",
    "resolve_bindings",
    "resolve_fleet",
]

TOP_LEVEL_KEYS = ("applications", "defaults", "numbers")
DEFAULT_KEYS = ("app_id", "application", "subaccount", "unrent_on_delete")
ENTRY_KEYS = ("number", "name", "app_id", "application", "subaccount", "unrent_on_delete")
APPLICATION_KEYS = APP_FIELDS

NAME_PREFIX = "number-"
NAME_MAX_CHARS = 100
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

# Spellings people reach for, mapped to the real key (checked before the fuzzy match).
_SYNONYMS = {
    "app": "app_id",
    "apps": "applications",
    "appid": "app_id",
    "application_id": "app_id",
    "applicationid": "app_id",
    "sub_account": "subaccount",
    "subaccount_id": "subaccount",
    "sub_account_id": "subaccount",
    "account": "subaccount",
    "phone": "number",
    "phone_number": "number",
    "numbers": "number",
    "unrent": "unrent_on_delete",
    "unrent_on_destroy": "unrent_on_delete",
    "release_on_delete": "unrent_on_delete",
    "resource_name": "name",
    "default": "defaults",
    "number": "numbers",
    "bindings": "numbers",
    "entries": "numbers",
}


@dataclass(frozen=True)
class Binding:
    """One validated entry: the resource name, the normalized number and the desired bindings.

    ``app_id`` / ``subaccount``: ``None`` = not managed, ``""`` = managed as "no application" /
    "main account", otherwise the bare id.
    """

    name: str
    number: str
    app_id: str | None = None
    subaccount: str | None = None
    unrent_on_delete: bool = False
    application: str | None = None  # the key of an application declared in the same file


@dataclass(frozen=True)
class ApplicationSpec:
    """One validated entry of `applications`: the resource name (its key) and the given fields."""

    name: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Fleet:
    """A whole bindings file: its applications (in file order) and its number bindings."""

    applications: dict[str, ApplicationSpec]
    bindings: list[Binding]


class BindingsError(ValueError):
    """The bindings are invalid. ``problems`` holds one line per problem, each starting with the source
    (the file name) and naming the entry and the field; ``source`` is the file name or ``<inline>``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        plural = "s" if count != 1 else ""
        header = f"{source}: {count} problem{plural} in the number bindings; nothing was declared:"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))


def default_name(number: str) -> str:
    """The resource name of an entry without ``name``: ``number-`` + the normalized number."""
    return f"{NAME_PREFIX}{number}"


# -- YAML loading ---------------------------------------------------------------------------------

_DECIMAL_INT_RE = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_BOOL_WORDS = {"true": True, "false": False}


class _Loader(BoundedSafeLoader):
    """``yaml.SafeLoader`` with the size limits of `plivo_pulumi.core.safe_yaml` and three guards for
    hand-written files:

    * an unquoted integer that is not plain decimal (``0123`` octal, ``0x1F``, ``1_000``, ``1:30``)
      stays the text that was written, instead of silently becoming another number;
    * only ``true`` / ``false`` are booleans; ``yes``, ``no``, ``on``, ``off`` stay text (and are then
      reported where a boolean is expected);
    * a key repeated in one mapping is recorded (YAML would silently keep the last one); a key that
      overrides one brought in by a merge (`<<: *defaults`) is not a repeat: the explicit key wins.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    if _DECIMAL_INT_RE.fullmatch(text):
        return int(text)
    return text


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    return _BOOL_WORDS.get(text.lower(), text)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:  # the keys written in this mapping, before merges are flattened
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            key = key_node.value
            if key in seen:
                loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
            seen.add(key)
    loader.flatten_mapping(node)  # merged pairs first, so the explicit keys override them
    return loader.construct_mapping(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _read_yaml(path: Path, source: str) -> tuple[Any, list[str]]:
    """The parsed document and the problems found while reading it (a BindingsError if unusable)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BindingsError(
            source,
            [
                f"{source}: the bindings file does not exist; check the path (relative paths start "
                f"from the current directory, {os.getcwd()})"
            ],
        ) from None
    except IsADirectoryError:
        raise BindingsError(
            source, [f"{source}: is a directory, not a bindings file; name the YAML file"]
        ) from None
    except OSError as exc:
        raise BindingsError(
            source,
            [
                f"{source}: the bindings file cannot be read: {exc.strerror or exc}; "
                "check the path and its permissions"
            ],
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BindingsError(
            source, [f"{source}: byte {exc.start} is not UTF-8; save the bindings file as UTF-8 text"]
        ) from None
    loader = _Loader(text)
    try:
        data = loader.load()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        context = exc.context or ""
        cmark = exc.context_mark
        if context and cmark is not None and mark is not None and cmark.line != mark.line:
            context += f" started at line {cmark.line + 1}, column {cmark.column + 1}:"
        what = " ".join(p for p in (context, exc.problem) if p)
        raise BindingsError(
            source,
            [f"{source}: {where}not valid YAML ({what}); fix the syntax (indentation, quotes, colons)"],
        ) from None
    except YAMLLimitError as exc:
        raise BindingsError(source, [f"{source}: refused: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise BindingsError(source, [f"{source}: not valid YAML ({exc}); fix the syntax"]) from None
    finally:
        loader.dispose()
    problems = [
        f"{source}: line {line}: key {key!r} appears twice in the same mapping; YAML would keep only the "
        "last one, so remove or rename the other"
        for key, line in loader.duplicate_keys
    ]
    return data, problems


def load_fleet(path: str | os.PathLike[str]) -> Fleet:
    """Read, parse and validate a bindings file with its applications; raises :class:`BindingsError`
    listing every problem."""
    source = os.fspath(path)
    data, problems = _read_yaml(Path(source), source)
    return _parse(data, source, problems)


def load_bindings(path: str | os.PathLike[str]) -> list[Binding]:
    """Read, parse and validate a bindings file; raises :class:`BindingsError` listing every problem.
    (`load_fleet` also returns the file's applications.)"""
    return load_fleet(path).bindings


def parse_fleet(data: Any, source: str = "<inline>") -> Fleet:
    """Validate an already parsed document (the same schema as the file); ``source`` names it in errors."""
    return _parse(data, source, [])


def parse_bindings(data: Any, source: str = "<inline>") -> list[Binding]:
    """The bindings of an already parsed document (see `parse_fleet`)."""
    return parse_fleet(data, source).bindings


# -- validation -----------------------------------------------------------------------------------


def _suggest(key: Any, valid: Iterable[str]) -> str:
    valid = list(valid)
    listing = f"valid keys: {', '.join(valid)}"
    if not isinstance(key, str):
        return listing
    lowered = key.strip().lower().replace("-", "_").replace(" ", "_")
    guess = lowered if lowered in valid else _SYNONYMS.get(lowered)
    if guess not in valid:
        close = difflib.get_close_matches(lowered, valid, n=1, cutoff=0.6)
        guess = close[0] if close else None
    if guess is not None:
        return f"did you mean {guess!r}? ({listing})"
    return listing


class _Collector:
    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")


def _check_field(name: str, value: Any, where: str, out: _Collector) -> tuple[bool, Any]:
    """Validate and normalize one field value (not None). Returns (ok, normalized). The binding fields
    have the rules of resource inputs (plivo_pulumi.core.contract); `name` is this file's own."""
    try:
        if name in ("name", "application"):
            return True, _check_name(value)
        return True, validate_field(name, value)
    except ValueError as exc:
        out.add(where, f"field {name!r}: {exc}")
        return False, None


def _check_name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(
            f'must be a string like "support-line", got {type_name(value)} {describe_value(value)}'
        )
    if not value:
        raise ValueError('is empty; give a resource name like "support-line" or remove the key')
    if len(value) > NAME_MAX_CHARS or not _NAME_RE.fullmatch(value):
        raise ValueError(
            f"{describe_value(value)} is not a valid resource name: use 1-{NAME_MAX_CHARS} letters, "
            "digits, '-', '_' or '.', starting with a letter or digit"
        )
    return value


def _check_keys(mapping: Mapping[Any, Any], valid: tuple[str, ...], where: str, out: _Collector) -> None:
    for key in mapping:
        if key in valid:
            continue
        shown = describe_value(key)
        if where == "defaults" and key in ("number", "name"):
            out.add(
                where,
                f"{key!r} cannot have a default: each entry sets its own {key}; move it into "
                "the entries under 'numbers'",
            )
            continue
        out.add(where, f"unknown key {shown}; {_suggest(key, valid)}")


def _parse_defaults(data: Any, out: _Collector) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        out.add("defaults", f"must be a mapping of {', '.join(DEFAULT_KEYS)}, got {type_name(data)}")
        return {}
    _check_keys(data, DEFAULT_KEYS, "defaults", out)
    defaults: dict[str, Any] = {}
    for name in DEFAULT_KEYS:
        if name not in data:
            continue
        value = data[name]
        if value is None and name != "unrent_on_delete":
            continue  # null default = not managed, the same as no default
        ok, normalized = _check_field(name, value, "defaults", out)
        if ok:
            defaults[name] = normalized
    return defaults


def _entry_label(index: int, entry: Mapping[Any, Any]) -> str:
    label = f"numbers[{index}]"
    try:
        return f"{label} (number {normalize_number(entry.get('number'))})"
    except ValueError:
        name = entry.get("name")
        if isinstance(name, str) and name:
            return f"{label} (name {describe_value(name)})"
        return label


def _parse_applications(data: Any, out: _Collector) -> dict[str, ApplicationSpec]:
    """The `applications` section: {resource name: fields}; `app_name` defaults to the key."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        out.add(
            "applications",
            f"must be a mapping of resource name to application fields (`ivr: {{answer_url: ...}}`), "
            f"got {type_name(data)}",
        )
        return {}
    specs: dict[str, ApplicationSpec] = {}
    for key, entry in data.items():
        where = f"applications.{key}"
        try:
            name = _check_name(key)
        except ValueError as exc:
            out.add("applications", f"key {describe_value(key)}: {exc}")
            continue
        if not isinstance(entry, Mapping):
            out.add(
                where, f"must be a mapping of application fields (answer_url, ...), got {type_name(entry)}"
            )
            continue
        _check_keys(entry, APPLICATION_KEYS, where, out)
        fields: dict[str, Any] = {}
        ok = True
        for field_name in APPLICATION_KEYS:
            value = entry.get(field_name)
            if field_name == "app_name" and value is None:
                value = name
            if value is None:
                if field_name == "answer_url":
                    out.add(
                        where, "field 'answer_url': is required: the URL Plivo fetches when a call arrives"
                    )
                    ok = False
                continue
            try:
                fields[field_name] = validate_app_field(field_name, value)
            except ValueError as exc:
                hint = " (the key is the default app_name: set app_name)" if "app_name" not in entry else ""
                out.add(where, f"field {field_name!r}: {exc}{hint if field_name == 'app_name' else ''}")
                ok = False
        if ok:
            specs[name] = ApplicationSpec(name, fields)
    return specs


def _parse(data: Any, source: str, problems: list[str]) -> Fleet:
    out = _Collector(source, problems)
    if data is None:
        out.add(
            "top level", "the file is empty; expected a mapping with a 'numbers' list (see docs/bindings.md)"
        )
        raise BindingsError(source, problems)
    if not isinstance(data, Mapping):
        out.add(
            "top level",
            f"must be a mapping with the keys 'defaults' (optional) and 'numbers', got {type_name(data)}; "
            "write `numbers:` followed by a list of entries",
        )
        raise BindingsError(source, problems)
    _check_keys(data, TOP_LEVEL_KEYS, "top level", out)
    applications = _parse_applications(data.get("applications"), out)
    raw_apps = data.get("applications")
    declared_apps: Mapping[Any, Any] = raw_apps if isinstance(raw_apps, Mapping) else {}
    defaults = _parse_defaults(data.get("defaults"), out)
    if "application" in defaults and "app_id" in defaults:
        out.add("defaults", "sets both 'app_id' and 'application'; keep one")

    entries = data.get("numbers")
    if "numbers" not in data:
        out.add("top level", "the 'numbers' list is missing; add `numbers:` with one entry per number")
        entries = []
    elif entries is None:
        out.add("numbers", "is empty (null); list the entries under it, or write `numbers: []` for none")
        entries = []
    elif not isinstance(entries, list):
        out.add("numbers", f"must be a list of entries (`- number: ...`), got {type_name(entries)}")
        entries = []

    bindings: list[Binding] = []
    by_number: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            out.add(
                f"numbers[{index}]",
                f'must be a mapping like `- number: "+15676988323"`, got {type_name(entry)} '
                f"{describe_value(entry)}",
            )
            continue
        where = _entry_label(index, entry)
        _check_keys(entry, ENTRY_KEYS, where, out)
        valid = True
        fields: dict[str, Any] = {}
        if entry.get("number") is None:
            out.add(where, "field 'number': is required: the rented number, like \"+1 (567) 698-8323\"")
            valid = False
        if entry.get("app_id") is not None and entry.get("application") is not None:
            out.add(
                where, "sets both 'app_id' and 'application'; keep one (application names one declared above)"
            )
            valid = False
        for name in ENTRY_KEYS:
            if (
                name in ("app_id", "application")
                and name not in entry
                and ({"app_id", "application"} & set(entry))
            ):
                continue  # the entry's own app_id / application overrides either default
            if name in entry:
                value = entry[name]
                if value is None and name in ("app_id", "application", "subaccount"):
                    fields[name] = None  # explicitly not managed, whatever the defaults say
                    continue
                if value is None:
                    if name != "number":
                        out.add(where, f"field {name!r}: is null; remove the key or give a value")
                        valid = False
                    continue
                ok, normalized = _check_field(name, value, where, out)
                if ok:
                    fields[name] = normalized
                valid = valid and ok
            elif name in defaults:
                fields[name] = defaults[name]
        app_key = fields.get("application")
        if app_key is not None and app_key not in declared_apps:
            known = ", ".join(str(k) for k in declared_apps) or "none are declared"
            out.add(
                where,
                f"field 'application': {describe_value(app_key)} is not declared under 'applications' "
                f"({known}); declare it there or give its app_id",
            )
            valid = False
        # Uniqueness is checked whenever the number (and the name) are valid, so that one run reports
        # duplicates together with the entry's other problems.
        number = fields.get("number")
        if number is None:
            continue
        if number in by_number:
            out.add(
                where,
                f"field 'number': {number} is already bound by {by_number[number]}; a number can be bound "
                "once, so remove or merge one of the two entries",
            )
            valid = False
            if "name" not in fields:
                continue  # its derived name repeats the other entry's: one problem is enough
        else:
            by_number[number] = where
        if "name" in entry and "name" not in fields:
            continue  # an invalid name, already reported
        name = fields.get("name") or default_name(number)
        if name in by_name:
            out.add(
                where,
                f"field 'name': resource name {name!r} is already used by {by_name[name]}; "
                "resource names must be unique, so give one of the two entries another `name`",
            )
            valid = False
        else:
            by_name[name] = where
        if valid:
            bindings.append(
                Binding(
                    name=name,
                    number=number,
                    app_id=fields.get("app_id"),
                    subaccount=fields.get("subaccount"),
                    unrent_on_delete=bool(fields.get("unrent_on_delete", False)),
                    application=app_key,
                )
            )
    if problems:
        raise BindingsError(source, problems)
    return Fleet(applications, bindings)


# -- declaring resources --------------------------------------------------------------------------


def _resolve(source: Any) -> Fleet:
    if isinstance(source, (str, os.PathLike)):
        return load_fleet(source)
    if isinstance(source, Mapping):
        return parse_fleet(source)
    items = list(source)
    if not all(isinstance(b, Binding) for b in items):
        raise TypeError(
            "declare_bindings takes a file path, a parsed mapping or a list of Binding, "
            f"got a {type(source).__name__} of {', '.join(sorted({type(b).__name__ for b in items}))}"
        )
    # Validate a hand-built list exactly like a file (normalization, duplicates), names kept.
    entries = [{k: v for k, v in asdict(b).items() if k != "application" or v is not None} for b in items]
    return parse_fleet({"numbers": entries}, source="<bindings>")


def resolve_bindings(source: Any) -> list[Binding]:
    """Bindings from a file path, a parsed mapping of the file's schema, or a list of `Binding`,
    validated the same way in each case."""
    return _resolve(source).bindings


def resolve_fleet(source: Any) -> Fleet:
    """As `resolve_bindings`, with the applications the file declares."""
    return _resolve(source)
