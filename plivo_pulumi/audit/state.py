"""What a stack's state declares: one extractor per resource type (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from plivo_pulumi.audit.model import (
    _SECRET_SIG_KEY,
    APPLICATION_TYPE,
    RENTED_NUMBER_SET_TYPE,
    RENTED_NUMBER_TYPE,
    ManagedApplication,
    ManagedNumber,
)
from plivo_pulumi.core.contract import (
    declared_bindings,
    decode,
)
from plivo_pulumi.core.numbers import normalize_app_id, normalize_number, normalize_subaccount

# -- state extraction (pure) ----------------------------------------------------------------------

Extractor = Callable[[Mapping[str, Any]], Iterable[ManagedNumber]]
_EXTRACTORS: dict[str, Extractor] = {}


def register_extractor(type_token: str) -> Callable[[Extractor], Extractor]:
    """Register ``fn(resource) -> iterable of ManagedNumber`` for state resources of ``type_token``.

    ``resource`` is one entry of the export's ``deployment.resources`` (``urn``, ``type``, ``id``,
    ``inputs``, ``outputs``, ...). Desired values come from ``inputs``.
    """

    def decorator(fn: Extractor) -> Extractor:
        _EXTRACTORS[type_token] = fn
        return fn

    return decorator


def extractor_for(type_token: str) -> Extractor | None:
    return _EXTRACTORS.get(type_token)


def resource_name(resource: Mapping[str, Any]) -> str:
    """The resource's name: the last ``::`` segment of its URN."""
    urn = str(resource.get("urn", ""))
    return urn.rsplit("::", 1)[-1] if urn else str(resource.get("id", ""))


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and _SECRET_SIG_KEY in value


def _desired(value: Any, normalize: Callable[[Any], str]) -> str | None:
    """A desired value from the state: None stays None (not managed), ids are normalized.

    A value stored as a secret cannot be read without decrypting the whole state; it is treated as
    not managed (never reported as drift). A value that does not normalize is compared as written."""
    if value is None or _is_secret(value):
        return None
    try:
        return normalize(value)
    except ValueError:
        return str(value)


def _state_number(value: Any) -> str | None:
    if value is None or _is_secret(value):
        return None
    try:
        return normalize_number(value)
    except ValueError:
        return None


@register_extractor(RENTED_NUMBER_TYPE)
def _rented_number(resource: Mapping[str, Any]) -> Iterator[ManagedNumber]:
    inputs = resource.get("inputs") or {}
    number = _state_number(inputs.get("number")) or _state_number(resource.get("id"))
    if number is None:
        return
    # A refresh sets drifted inputs to their live values; what the code declares is kept in
    # `__declared` (an input the program sets, so the newest one after any `up`; also in the outputs).
    declared = inputs.get("__declared")
    if not isinstance(declared, Mapping):
        declared = (resource.get("outputs") or {}).get("__declared")
    desired = declared if isinstance(declared, Mapping) else inputs
    yield ManagedNumber(
        number=number,
        app_id=_desired(desired.get("app_id"), normalize_app_id),
        subaccount=_desired(desired.get("subaccount"), normalize_subaccount),
        resource=resource_name(resource),
        type=str(resource.get("type", RENTED_NUMBER_TYPE)),
    )


@register_extractor(RENTED_NUMBER_SET_TYPE)
def _rented_number_set(resource: Mapping[str, Any]) -> Iterator[ManagedNumber]:
    # A refresh sets drifted bindings in the inputs to their live values; what the code declares is
    # rebuilt from the written bindings and `__declared` (the inputs for states written before it).
    outputs = resource.get("outputs") or {}
    declared, written = outputs.get("__declared"), outputs.get("bindings")
    if isinstance(declared, Mapping) and "mask" in declared and isinstance(written, Mapping):
        bindings: Any = declared_bindings(written, declared)
    else:
        bindings = (resource.get("inputs") or {}).get("bindings")
    if not isinstance(bindings, Mapping):
        return
    name = resource_name(resource)
    for raw_number, binding in bindings.items():
        number = _state_number(raw_number)
        if number is None:
            continue
        if isinstance(binding, str):
            binding = decode(binding)
        elif not isinstance(binding, Mapping):
            binding = {}
        yield ManagedNumber(
            number=number,
            app_id=_desired(binding.get("app_id"), normalize_app_id),
            subaccount=_desired(binding.get("subaccount"), normalize_subaccount),
            resource=name,
            type=str(resource.get("type", RENTED_NUMBER_SET_TYPE)),
        )


def managed_from_state(state: Mapping[str, Any]) -> list[ManagedNumber]:
    """Every managed number of a stack state: ``pulumi stack export`` output (``{"version",
    "deployment"}``) or its ``deployment``. Resources pending deletion (the old half of a replacement)
    and resource types without an extractor are skipped."""
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    resources = (deployment or {}).get("resources") or []
    managed: list[ManagedNumber] = []
    for resource in resources:
        if not isinstance(resource, Mapping) or resource.get("delete"):
            continue
        extract = extractor_for(str(resource.get("type", "")))
        if extract is not None:
            managed.extend(extract(resource))
    return managed


def managed_applications_from_state(state: Mapping[str, Any]) -> list[ManagedApplication]:
    """Every `Application` of a stack state (as `managed_from_state`), with the fields the code
    declares (`__declared`, which a refresh never changes; the inputs for older states)."""
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    apps: list[ManagedApplication] = []
    for resource in (deployment or {}).get("resources") or []:
        if not isinstance(resource, Mapping) or resource.get("delete"):
            continue
        if resource.get("type") != APPLICATION_TYPE or not resource.get("id"):
            continue
        inputs = resource.get("inputs") or {}
        declared = inputs.get("__declared")
        if not isinstance(declared, Mapping):
            declared = (resource.get("outputs") or {}).get("__declared")
        fields = declared if isinstance(declared, Mapping) else inputs
        plain = {k: v for k, v in fields.items() if not _is_secret(v) and not str(k).startswith("__")}
        apps.append(ManagedApplication(str(resource["id"]), resource_name(resource), plain))
    return apps


def pending_application_names(state: Mapping[str, Any]) -> list[str]:
    """The `app_name`s of `Application` creates that a crashed run left pending in the state: the
    API may hold such an application, which the state does not (README, "When a run is interrupted")."""
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    names = []
    for op in (deployment or {}).get("pending_operations") or []:
        resource = op.get("resource") if isinstance(op, Mapping) else None
        if not isinstance(resource, Mapping) or op.get("type") != "creating":
            continue
        name = (resource.get("inputs") or {}).get("app_name")
        if resource.get("type") == APPLICATION_TYPE and isinstance(name, str):
            names.append(name)
    return names
