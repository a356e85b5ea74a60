"""Accounts: main accounts and their subaccounts, their credentials, and who may see what.

A main account sees everything of its family (itself and its subaccounts); a subaccount only its own.
"""

from __future__ import annotations

import copy
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from ...core.numbers import is_main_account_id, is_subaccount_id
from .base import SeedError, SimError, seed_list, seed_mapping, seed_optional_str, seed_place, seed_str

__all__ = ["Account", "AccountsBackend"]


@dataclass
class Account:
    auth_id: str
    auth_token: str
    is_main: bool
    parent: str | None = None
    name: str = ""
    # The application a bought number links to when the buy names none (inventory.py).
    default_number_app: str | None = None

    @property
    def main_id(self) -> str:
        return self.auth_id if self.is_main else str(self.parent)

    def to_dict(self, *, credentials: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "auth_id": self.auth_id,
            "is_main": self.is_main,
            "parent": self.parent,
            "name": self.name,
            "default_number_app": self.default_number_app,
        }
        if credentials:
            data["auth_token"] = self.auth_token
        return data


def _default_app(entry: dict[str, Any], where: str) -> str | None:
    """An account's `default_number_app` (checked against the applications in state.py)."""
    value = seed_optional_str(entry.get("default_number_app"), f"{where}.default_number_app")
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()):
        raise SeedError(f"{where}.default_number_app: expected a numeric application id, got {value!r}")
    return value


def _token() -> str:
    # Plivo auth tokens are 40 characters of letters and digits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(40))


_ACCOUNT_FIELDS = ("auth_id", "auth_token", "name", "subaccounts", "default_number_app")
_SUBACCOUNT_FIELDS = ("auth_id", "auth_token", "name", "default_number_app")


class AccountsBackend:
    """The accounts part of `PlivoState` (state.py): seeding, authentication, token rotation."""

    lock: threading.RLock
    accounts: dict[str, Account]
    _default_seed: dict[str, Any] | None
    _known_tokens: dict[str, str]

    def _parse_accounts(self, seed: dict[str, Any]) -> tuple[dict[str, Account], list[dict[str, Any]], bool]:
        defaulted = "accounts" not in seed
        entries = seed.get("accounts")
        if defaulted:
            entries = copy.deepcopy((self._default_seed or {}).get("accounts", []))
        entries = seed_list(entries, "accounts")
        if not entries:
            raise SeedError("accounts: at least one main account is required")
        accounts: dict[str, Account] = {}
        resolved: list[dict[str, Any]] = []

        def add(account: Account, where: str) -> None:
            if account.auth_id in accounts:
                raise SeedError(f"{where}.auth_id: {account.auth_id} is defined twice")
            accounts[account.auth_id] = account

        for i, raw in enumerate(entries):
            where = seed_place("accounts", i)
            entry = seed_mapping(raw, where, _ACCOUNT_FIELDS)
            auth_id = seed_str(entry.get("auth_id"), f"{where}.auth_id")
            if not is_main_account_id(auth_id):
                raise SeedError(
                    f"{where}.auth_id: {auth_id!r} is not a main account auth_id "
                    "(MA followed by 18 uppercase letters or digits)"
                )
            token = self._token_for(auth_id, entry.get("auth_token"), f"{where}.auth_token")
            default_app = _default_app(entry, where)
            add(
                Account(
                    auth_id,
                    token,
                    True,
                    None,
                    seed_str(entry.get("name"), f"{where}.name", default=""),
                    default_app,
                ),
                where,
            )
            subs_resolved = []
            for j, raw_sub in enumerate(seed_list(entry.get("subaccounts"), f"{where}.subaccounts")):
                swhere = f"{where}.subaccounts[{j}]"
                sub = seed_mapping(raw_sub, swhere, _SUBACCOUNT_FIELDS)
                sub_id = seed_str(sub.get("auth_id"), f"{swhere}.auth_id")
                if not is_subaccount_id(sub_id):
                    raise SeedError(
                        f"{swhere}.auth_id: {sub_id!r} is not a subaccount auth_id "
                        "(SA followed by 18 uppercase letters or digits)"
                    )
                sub_token = self._token_for(sub_id, sub.get("auth_token"), f"{swhere}.auth_token")
                name = seed_str(sub.get("name"), f"{swhere}.name", default="")
                sub_app = _default_app(sub, swhere)
                add(Account(sub_id, sub_token, False, auth_id, name, sub_app), swhere)
                sub_resolved: dict[str, Any] = {"auth_id": sub_id, "auth_token": sub_token, "name": name}
                if sub_app is not None:
                    sub_resolved["default_number_app"] = sub_app
                subs_resolved.append(sub_resolved)
            main_resolved: dict[str, Any] = {
                "auth_id": auth_id,
                "auth_token": token,
                "name": accounts[auth_id].name,
                "subaccounts": subs_resolved,
            }
            if default_app is not None:
                main_resolved["default_number_app"] = default_app
            resolved.append(main_resolved)
        return accounts, resolved, defaulted

    def _token_for(self, auth_id: str, value: Any, where: str) -> str:
        if value is None:
            return self._known_tokens.get(auth_id) or _token()
        token = seed_str(value, where)
        assert token is not None
        if len(token) < 8 or not token.isascii() or not token.isprintable() or " " in token:
            raise SeedError(f"{where}: must be at least 8 printable ASCII characters without spaces")
        return token

    @staticmethod
    def _first_main(accounts: dict[str, Account]) -> str:
        return next(a.auth_id for a in accounts.values() if a.is_main)

    def authenticate(self, auth_id: str, auth_token: str) -> Account | None:
        """The account for these credentials, or None (constant-time token comparison)."""
        with self.lock:
            account = self.accounts.get(auth_id)
            expected = account.auth_token if account else "x" * 40
        ok = hmac.compare_digest(expected.encode(), auth_token.encode())
        return copy.copy(account) if account is not None and ok else None

    def account(self, auth_id: str) -> Account | None:
        with self.lock:
            account = self.accounts.get(auth_id)
            return copy.copy(account) if account else None

    def main_account(self) -> Account:
        with self.lock:
            return copy.copy(self.accounts[self._first_main(self.accounts)])

    def _family(self, main_id: str) -> set[str]:
        return {a.auth_id for a in self.accounts.values() if a.main_id == main_id}

    def _check_subaccount_filter(self, caller: Account, subaccount: str | None, what: str) -> None:
        """A List call's `subaccount=` filter: a subaccount of the caller's main account, and for a
        subaccount caller only itself."""
        if subaccount is None:
            return
        sub = self.accounts.get(subaccount)
        if sub is None or sub.is_main or sub.parent != caller.main_id:
            raise SimError(400, f"subaccount {subaccount} not found")
        if not caller.is_main and subaccount != caller.auth_id:
            raise SimError(400, f"a subaccount can only list its own {what}")

    def oob_rotate_token(self, auth_id: str, auth_token: str) -> Account:
        """Give an account a new auth token, as "regenerate token" in the console does: the old one
        stops working at once."""
        if not isinstance(auth_token, str) or not auth_token.strip() or len(auth_token) > 256:
            raise SimError(400, "auth_token must be a non-empty string of at most 256 characters")
        with self.lock:
            account = self.accounts.get(auth_id)
            if account is None:
                raise SimError(404, f"account {auth_id} not found")
            account.auth_token = auth_token
            return copy.copy(account)
