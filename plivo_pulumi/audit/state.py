"""What a stack's state declares: one extractor per resource type (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from plivo_pulumi.audit.model import (
    _SECRET_SIG_KEY,
    APPLICATION_TYPES,
    NATIVE_RENTED_NUMBER_SET_TYPE,
    NATIVE_RENTED_NUMBER_TYPE,
    PHONE_NUMBER_ORDER_TYPES,
    PROVIDER_TYPE,
    RENTED_NUMBER_SET_TYPE,
    RENTED_NUMBER_TYPE,
    ManagedApplication,
    ManagedNumber,
    ManagedOrder,
)
from plivo_pulumi.core.contract import (
    declared_bindings,
    decode,
)
from plivo_pulumi.core.lifecycle.phone_number_order import KEY as ORDER_KEY
from plivo_pulumi.core.lifecycle.phone_number_order import money
from plivo_pulumi.core.numbers import normalize_app_id, normalize_number, normalize_subaccount

# -- state extraction (pure) ----------------------------------------------------------------------

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")

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


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return name if name.startswith("__") else _CAMEL_BOUNDARY.sub(lambda m: "_" + m.group(1).lower(), name)


def _get(values: Mapping[str, Any], name: str) -> Any:
    """``values[name]``, or its camelCase spelling: the dynamic resources store snake_case
    properties, the native provider camelCase (its hidden `__declared` keeps the core's snake_case)."""
    return values[name] if name in values else values.get(_camel(name))


def _declared(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """What the code declares: `__declared` (an input the program sets, so the newest one after any
    `up`; also in the outputs), which a refresh never changes. None when absent or stored as a secret
    (the native provider stores the hidden copies secret when an input is)."""
    for where in ("inputs", "outputs"):
        declared = (resource.get(where) or {}).get("__declared")
        if isinstance(declared, Mapping) and not _is_secret(declared):
            return declared
    return None


def provider_reference(resource: Mapping[str, Any]) -> str:
    """The reference (``urn::id``) of the explicit `plivo` provider that manages ``resource``; ``""``
    for the default provider (its account is the stack config's) and for dynamic resources (they use
    the stack config's account too)."""
    ref = resource.get("provider")
    if not isinstance(ref, str) or "::" not in ref:
        return ""
    urn = ref.rsplit("::", 1)[0]
    parts = urn.split("::")
    if len(parts) < 4 or parts[2].rsplit("$", 1)[-1] != PROVIDER_TYPE:
        return ""
    name = "::".join(parts[3:])
    # The engine names a default provider `default` or `default_<version>`.
    return "" if name == "default" or name.startswith("default_") else ref


def _rented_number(resource: Mapping[str, Any]) -> Iterator[ManagedNumber]:
    inputs = resource.get("inputs") or {}
    number = _state_number(inputs.get("number")) or _state_number(resource.get("id"))
    if number is None:
        return
    # A refresh sets drifted inputs to their live values; `__declared` keeps the code's.
    desired = _declared(resource) or inputs
    yield ManagedNumber(
        number=number,
        app_id=_desired(_get(desired, "app_id"), normalize_app_id),
        subaccount=_desired(_get(desired, "subaccount"), normalize_subaccount),
        resource=resource_name(resource),
        type=str(resource.get("type", RENTED_NUMBER_TYPE)),
        provider=provider_reference(resource),
    )


def _rented_number_set(resource: Mapping[str, Any]) -> Iterator[ManagedNumber]:
    # A refresh sets drifted bindings in the inputs to their live values; what the code declares is
    # rebuilt from the written bindings and `__declared` (the inputs for states written before it).
    # Both front-ends store a binding as "<app_id>/<subaccount>"; an object form is read too.
    outputs = resource.get("outputs") or {}
    declared, written = outputs.get("__declared"), outputs.get("bindings")
    if isinstance(declared, Mapping) and "mask" in declared and isinstance(written, Mapping):
        bindings: Any = declared_bindings(written, declared)
    else:
        bindings = (resource.get("inputs") or {}).get("bindings")
    if not isinstance(bindings, Mapping):
        return
    name = resource_name(resource)
    provider = provider_reference(resource)
    for raw_number, binding in bindings.items():
        number = _state_number(raw_number)
        if number is None:
            continue
        if isinstance(binding, str):
            binding = decode(binding)
        elif not isinstance(binding, Mapping) or _is_secret(binding):
            binding = {}
        yield ManagedNumber(
            number=number,
            app_id=_desired(_get(binding, "app_id"), normalize_app_id),
            subaccount=_desired(_get(binding, "subaccount"), normalize_subaccount),
            resource=name,
            type=str(resource.get("type", RENTED_NUMBER_SET_TYPE)),
            provider=provider,
        )


for _token in (RENTED_NUMBER_TYPE, NATIVE_RENTED_NUMBER_TYPE):
    register_extractor(_token)(_rented_number)
for _token in (RENTED_NUMBER_SET_TYPE, NATIVE_RENTED_NUMBER_SET_TYPE):
    register_extractor(_token)(_rented_number_set)


def managed_from_state(state: Mapping[str, Any]) -> list[ManagedNumber]:
    """Every managed number of a stack state: ``pulumi stack export`` output (``{"version",
    "deployment"}``) or its ``deployment``. Resources pending deletion (the old half of a replacement)
    and resource types without an extractor are skipped."""
    managed: list[ManagedNumber] = []
    for resource in _resources(state):
        extract = extractor_for(str(resource.get("type", "")))
        if extract is not None:
            managed.extend(extract(resource))
    return managed


def managed_applications_from_state(state: Mapping[str, Any]) -> list[ManagedApplication]:
    """Every `Application` of a stack state, dynamic or native (as `managed_from_state`), with the
    fields the code declares in snake_case (`__declared`, which a refresh never changes; the inputs
    for older states)."""
    apps: list[ManagedApplication] = []
    for resource in _resources(state):
        if resource.get("type") not in APPLICATION_TYPES or not resource.get("id"):
            continue
        fields = _declared(resource) or resource.get("inputs") or {}
        plain = {
            _snake(str(k)): v
            for k, v in fields.items()
            if not _is_secret(v) and not str(k).startswith("__") and k != "import_id"
        }
        provider = provider_reference(resource)
        apps.append(ManagedApplication(str(resource["id"]), resource_name(resource), plain, provider))
    return apps


def explicit_providers(state: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The explicit `plivo` providers of a stack state by reference (``urn::id``, as resources name
    them): ``{"name": ..., "inputs": {...}}``, inputs as stored (a secret stays a ciphertext)."""
    found: dict[str, dict[str, Any]] = {}
    for resource in _resources(state):
        if resource.get("type") != PROVIDER_TYPE:
            continue
        ref = f"{resource.get('urn', '')}::{resource.get('id', '')}"
        if provider_reference({"provider": ref}):
            found[ref] = {"name": resource_name(resource), "inputs": dict(resource.get("inputs") or {})}
    return found


def _resources(state: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The state's live resources (not those pending deletion: the old half of a replacement)."""
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    for resource in (deployment or {}).get("resources") or []:
        if isinstance(resource, Mapping) and not resource.get("delete"):
            yield resource


def pending_application_names(state: Mapping[str, Any]) -> list[str]:
    """The `app_name`s of `Application` creates that a crashed run left pending in the state: the
    API may hold such an application, which the state does not (README, "When a run is interrupted")."""
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    names = []
    for op in (deployment or {}).get("pending_operations") or []:
        resource = op.get("resource") if isinstance(op, Mapping) else None
        if not isinstance(resource, Mapping) or op.get("type") != "creating":
            continue
        name = _get(resource.get("inputs") or {}, "app_name")
        if resource.get("type") in APPLICATION_TYPES and isinstance(name, str):
            names.append(name)
    return names


def orders_from_state(state: Mapping[str, Any]) -> list[ManagedOrder]:
    """Every `PhoneNumberOrder` of a stack state, dynamic or native: the recorded ones (key, numbers
    and rates from the outputs), then those whose create a crashed run left pending (only the key,
    from the hidden input): what such a run bought carries that key but is in no output."""
    orders: list[ManagedOrder] = []
    for resource in _resources(state):
        if resource.get("type") not in PHONE_NUMBER_ORDER_TYPES:
            continue
        outputs = resource.get("outputs") or {}
        key = _order_key(resource.get("inputs") or {}) or _get(outputs, "order_key") or resource.get("id")
        if not isinstance(key, str) or not key:
            continue
        rates: dict[str, Decimal | None] = {}
        for detail in _get(outputs, "details") or ():
            if isinstance(detail, Mapping) and _state_number(detail.get("number")):
                rates[str(_state_number(detail.get("number")))] = money(_get(detail, "monthly_rental_rate"))
        numbers = [n for n in (_state_number(raw) for raw in _get(outputs, "numbers") or ()) if n]
        reservation = _get(outputs, "reservation_app_id")
        orders.append(
            ManagedOrder(
                key,
                resource_name(resource),
                tuple((n, rates.get(n)) for n in sorted(set(numbers))),
                str(reservation) if reservation else None,
                **_order_binding(resource),
            )
        )
    recorded = {o.key for o in orders}
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    for op in (deployment or {}).get("pending_operations") or []:
        pending = op.get("resource") if isinstance(op, Mapping) else None
        if not isinstance(pending, Mapping) or pending.get("type") not in PHONE_NUMBER_ORDER_TYPES:
            continue
        key = _order_key(pending.get("inputs") or {})
        if key and key not in recorded:
            recorded.add(key)
            orders.append(
                ManagedOrder(key, resource_name(pending), recorded=False, **_order_binding(pending))
            )
    return orders


def _order_binding(resource: Mapping[str, Any]) -> dict[str, Any]:
    """What an order declares for its numbers (``app_id``, ``subaccount``: ``None`` when unset, so
    not managed after the buy), its type and its provider."""
    inputs = resource.get("inputs") or {}
    return {
        "app_id": _desired(_get(inputs, "app_id"), normalize_app_id) or None,
        "subaccount": _desired(_get(inputs, "subaccount"), normalize_subaccount) or None,
        "provider": provider_reference(resource),
        "type": str(resource.get("type")),
    }


def _order_key(inputs: Mapping[str, Any]) -> str | None:
    key = inputs.get(ORDER_KEY)
    return key if isinstance(key, str) and key else None
