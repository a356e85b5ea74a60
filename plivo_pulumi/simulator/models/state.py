"""`PlivoState`: the whole simulated world behind one lock, made of one backend per domain.

Every operation runs under the one lock, so the model is safe to use from the threads of a threading
HTTP server. Objects handed out are copies.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from .accounts import Account, AccountsBackend
from .applications import FIRST_APP_ID, Application, ApplicationsBackend
from .base import seed_mapping
from .inventory import InventoryBackend, Offer, Purchase, spend
from .numbers import DEFAULT_NUMBER_SHAPE, Number, check_number_shape

__all__ = ["PlivoState"]


_SEED_SECTIONS = ("accounts", "applications", "numbers", "generate", "number_shape", "inventory")


class PlivoState(InventoryBackend, ApplicationsBackend, AccountsBackend):
    """All accounts, applications, numbers and numbers on offer of the simulator, behind one lock.
    Each domain's operations live in its backend (accounts.py, applications.py, numbers.py,
    inventory.py); this class holds the data they share and loads or dumps it whole."""

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        *,
        default_seed: dict[str, Any] | None = None,
        number_shape: str | None = None,
    ) -> None:
        """`number_shape` (the `--number-shape` flag) is the shape of every seed that names none."""
        self.lock = threading.RLock()
        self.default_shape = check_number_shape(number_shape) if number_shape else DEFAULT_NUMBER_SHAPE
        self.number_shape = self.default_shape
        self.accounts: dict[str, Account] = {}
        self.applications: dict[str, Application] = {}
        self.numbers: dict[str, Number] = {}
        self.inventory: dict[str, Offer] = {}
        self.purchases: list[Purchase] = []
        self._next_app_id = FIRST_APP_ID
        self._default_seed = copy.deepcopy(default_seed) if default_seed is not None else None
        self._known_tokens: dict[str, str] = {}
        self.startup_seed: dict[str, Any] = {}
        self.startup_seed = self.load_seed(seed if seed is not None else (default_seed or {}))

    def load_seed(self, seed: Any) -> dict[str, Any]:
        """Replace the whole world with ``seed``; returns the seed with every token filled in.

        Tokens missing from the seed are taken from an account with the same auth_id loaded
        earlier (so ``reset`` keeps credentials stable), else generated at random.
        """
        if seed is None:
            seed = {}
        seed = seed_mapping(seed, "seed", _SEED_SECTIONS)
        resolved = copy.deepcopy(seed)
        with self.lock:
            accounts, resolved_accounts, defaulted = self._parse_accounts(seed)
            resolved["accounts"] = resolved_accounts
            if "applications" not in seed and defaulted and self._default_seed:
                app_entries = self._default_seed.get("applications", [])
                resolved["applications"] = copy.deepcopy(app_entries)
            else:
                app_entries = seed.get("applications")
            applications = self._parse_applications(app_entries, accounts)
            self._check_default_apps(accounts, applications)
            numbers = self._parse_numbers(seed.get("numbers"), accounts, applications)
            self._generate(seed.get("generate"), accounts, applications, numbers)
            inventory = self._parse_inventory(seed.get("inventory"))
            shape = check_number_shape(seed.get("number_shape", self.default_shape))
            self.accounts, self.applications, self.numbers = accounts, applications, numbers
            self.inventory, self.purchases = inventory, []
            self.number_shape = shape
            for account in accounts.values():
                self._known_tokens[account.auth_id] = account.auth_token
        return resolved

    def reset(self, seed: Any = None) -> dict[str, Any]:
        """Back to ``seed`` or, without one, to the startup seed."""
        return self.load_seed(copy.deepcopy(self.startup_seed) if seed is None else seed)

    def snapshot(self, *, credentials: bool = False) -> dict[str, Any]:
        with self.lock:
            return {
                "accounts": [a.to_dict(credentials=credentials) for a in self.accounts.values()],
                "applications": [
                    a.to_dict() for a in sorted(self.applications.values(), key=lambda a: a.app_id)
                ],
                "numbers": [n.to_dict() for n in sorted(self.numbers.values(), key=lambda n: n.number)],
                "inventory": [o.to_dict() for o in sorted(self.inventory.values(), key=lambda o: o.number)],
                "purchases": [p.to_dict() for p in self.purchases],
            }

    def purchase_log(self) -> dict[str, Any]:
        """Every purchase, with their count and total setup and monthly cost (the admin API's)."""
        with self.lock:
            purchases = list(self.purchases)
        setup, monthly = spend(purchases)
        return {
            "purchases": [p.to_dict() for p in purchases],
            "count": len(purchases),
            "setup_total": setup,
            "monthly_total": monthly,
        }
