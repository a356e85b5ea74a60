"""Which account each declared resource belongs to, and the credentials to list it.

The stack config's account (with the environment as fallback, `read_settings`) holds every dynamic
resource and every native resource of the default `plivo` provider. A native resource of an explicit
`plivo.Provider` belongs to the account of that provider's inputs (`authId`, `authToken`, `baseUrl`,
with the same environment fallbacks as the provider itself). Accounts are told apart by auth_id and
base URL (compared after normalisation), so an explicit provider of the stack config's own account
adds nothing to audit and needs no decryption; the token of another account's provider is stored
encrypted, and is read from one `pulumi stack export --show-secrets`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plivo_pulumi.audit.model import _SECRET_SIG_KEY, AuditError, ManagedApplication, ManagedNumber
from plivo_pulumi.core.client import DEFAULT_BASE_URL
from plivo_pulumi.core.config import ENV_VARS, ProviderSettings, resolve_settings
from plivo_pulumi.core.config import normalized_base_url as normalized_base_url_of
from plivo_pulumi.core.errors import InvalidSettingError, MissingCredentialsError

# How a report names the stack config's account among the providers.
STACK_CONFIG = "(stack config)"
# The provider inputs that say which account it is (the token only proves it).
_ACCOUNT_INPUTS = ("authId", "baseUrl")


def normalized_base_url(url: str) -> str:
    """`url` as an account's address (`core.config.normalized_base_url`: the same endpoint under
    another spelling is the same account); a value that is not a URL loses its trailing slashes."""
    text = url.strip()
    normalized = normalized_base_url_of(text)
    return normalized if normalized != text else text.rstrip("/")


def account_key(settings: ProviderSettings) -> tuple[str, str]:
    return settings.auth_id, normalized_base_url(settings.base_url)


@dataclass
class AccountGroup:
    """One account and what the audited stacks declare in it; `providers` names them for the report
    (`STACK_CONFIG`, or an explicit provider's name)."""

    settings: ProviderSettings
    providers: list[str] = field(default_factory=list)
    managed: list[ManagedNumber] = field(default_factory=list)
    apps: list[ManagedApplication] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return account_key(self.settings)

    def add(self, item: ManagedNumber | ManagedApplication) -> None:
        if isinstance(item, ManagedNumber):
            self.managed.append(item)
        else:
            self.apps.append(item)


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and _SECRET_SIG_KEY in value


def _plain(value: Any) -> Any:
    """A state value as written: a decrypted secret (`--show-secrets` leaves its JSON text in
    `plaintext`) becomes its value; an encrypted one stays a mapping."""
    if _is_secret(value) and isinstance(value.get("plaintext"), str):
        try:
            return json.loads(value["plaintext"])
        except ValueError:
            return value["plaintext"]
    return value


def provider_settings(name: str, inputs: Mapping[str, Any], environ: Mapping[str, str]) -> ProviderSettings:
    """The settings an explicit provider named `name` runs with: its inputs (decrypted), else the
    environment, as the provider process reads them."""

    def get(key: str) -> Any:
        value = _plain(inputs.get(key.split(":", 1)[-1]))
        return None if _is_secret(value) else value

    try:
        return resolve_settings(get, environ)
    except MissingCredentialsError:
        raise AuditError(
            f"the plivo provider '{name}' has no authId or authToken input, and {ENV_VARS['auth_id']} / "
            f"{ENV_VARS['auth_token']} are not set: the audit cannot list its account. Give the "
            "provider its credentials in the program (the token from a secret config value)."
        ) from None
    except InvalidSettingError as exc:
        raise AuditError(f"the plivo provider '{name}': {exc}") from None


def _same_account_as(
    inputs: Mapping[str, Any], default: ProviderSettings, environ: Mapping[str, str]
) -> bool:
    """Whether a provider's plain inputs name the stack config's account (then its token, encrypted
    in the state, is not needed)."""
    if any(_is_secret(inputs.get(name)) for name in _ACCOUNT_INPUTS):
        return False
    auth_id = str(inputs.get("authId") or environ.get(ENV_VARS["auth_id"]) or "").strip()
    base_url = str(inputs.get("baseUrl") or environ.get(ENV_VARS["base_url"]) or DEFAULT_BASE_URL)
    return (auth_id, normalized_base_url(base_url)) == account_key(default)


def group_by_account(
    default: ProviderSettings | None,
    managed: Sequence[ManagedNumber],
    apps: Sequence[ManagedApplication],
    providers: Mapping[str, Mapping[str, Any]],
    decrypted: Callable[[], Mapping[str, Mapping[str, Any]]],
    environ: Mapping[str, str],
    label: str = "",
) -> list[AccountGroup]:
    """The accounts of one stack, the stack config's first (when it has credentials: `default`),
    each with what the stack declares in it. `providers`: `explicit_providers` of the state;
    `decrypted()`: the same from a decrypted export, asked only for another account's token.
    `label` prefixes provider names (`stack:`) when several stacks are audited."""
    groups: dict[tuple[str, str], AccountGroup] = {}
    by_ref: dict[str, AccountGroup] = {}
    if default is not None:
        groups[account_key(default)] = by_ref[""] = AccountGroup(default, [f"{label}{STACK_CONFIG}"])
    items: list[ManagedNumber | ManagedApplication] = [*managed, *apps]
    for item in items:
        ref = item.provider
        if ref in by_ref:
            by_ref[ref].add(item)
            continue
        if not ref:
            raise AuditError("no stack config account for a resource of the default provider")
        entry = providers.get(ref)
        if entry is None:
            raise AuditError(
                f"resource {item.resource} names the provider {ref}, which is not in the state: run "
                "`pulumi refresh`, then audit again"
            )
        name = str(entry.get("name", ref))
        inputs = entry.get("inputs") or {}
        if default is not None and _same_account_as(inputs, default, environ):
            settings = default
        else:
            if any(_is_secret(value) and "plaintext" not in value for value in inputs.values()):
                inputs = _decrypted_inputs(name, ref, decrypted)
            settings = provider_settings(name, inputs, environ)
        group = groups.setdefault(account_key(settings), AccountGroup(settings))
        group.providers.append(f"{label}{name}")
        by_ref[ref] = group
        group.add(item)
    return list(groups.values())


def _decrypted_inputs(
    name: str, ref: str, decrypted: Callable[[], Mapping[str, Mapping[str, Any]]]
) -> Mapping[str, Any]:
    try:
        return (decrypted().get(ref) or {}).get("inputs") or {}
    except AuditError as exc:
        raise AuditError(
            f"the plivo provider '{name}' names another account than the stack config, and its inputs "
            f"are stored encrypted in the state; reading them failed: {exc}\nSet PULUMI_CONFIG_PASSPHRASE "
            "(or PULUMI_CONFIG_PASSPHRASE_FILE), or log in to the stack's secrets manager, so that the audit "
            "can decrypt them."
        ) from None


def merge_groups(groups: Sequence[AccountGroup]) -> list[AccountGroup]:
    """The groups of several stacks as one per account, in the order first seen."""
    merged: dict[tuple[str, str], AccountGroup] = {}
    for group in groups:
        into = merged.setdefault(group.key, AccountGroup(group.settings))
        into.providers += [p for p in group.providers if p not in into.providers]
        into.managed += group.managed
        into.apps += group.apps
    return list(merged.values())
