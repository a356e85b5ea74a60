"""The built-in default seed and seed-file loading (YAML or JSON).

Seed format (every section optional; see ``docs/simulator.md``)::

    accounts:                      # absent: the default accounts below
      - auth_id: MAGWNTM3ZTK1M2YZMDF5
        auth_token: ...            # absent: random per simulator start (stable across resets)
        name: main
        subaccounts: [{auth_id: SAMJY2ZWNJYWMZK1MWVK, auth_token: ..., name: support}]
    applications:                  # absent: the default applications when accounts are the default ones
      - {app_id: "72509666337566", account: MAGWNTM3ZTK1M2YZMDF5, name: voice-prod}
      - {app_id: "72509666337567", app_name: voice-staging, answer_url: https://..., message_method: GET,
         ...}                      # any field of the application; `name` is the older `app_name`
    numbers:
      - {number: "15676988323", account: MA..., app_id: "725...", subaccount: SA..., alias: ...,
         number_type: local, voice_enabled: true, sms_enabled: true, mms_enabled: false,
         description: TOLEDO, added_on: "2012-03-21", cnam_lookup: disabled}
    generate:                      # bulk numbers for fleet tests (a mapping or a list of them)
      count: 1000
      prefix: "1555"               # numbers are prefix + zero-padded counter, `length` digits (11)
      account: MA...               # plus optional start, subaccount, app_id, number_type, ...
    inventory:                     # numbers on offer (PhoneNumber API); absent: the built-in inventory
      - {number: "14154001001", country: US, city: SAN FRANCISCO, services: [voice, sms],
         monthly_rental_rate: "0.80", restriction: null, ...}

An account (or subaccount) entry may name its `default_number_app`, the application a number it
buys without `app_id` links to.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from ..core import safe_yaml
from .models import SeedError

__all__ = [
    "DEFAULT_MAIN_ACCOUNT",
    "DEFAULT_SUBACCOUNT",
    "DEFAULT_SEED",
    "default_seed",
    "load_seed_file",
    "parse_seed_text",
]

DEFAULT_MAIN_ACCOUNT = "MAGWNTM3ZTK1M2YZMDF5"
DEFAULT_SUBACCOUNT = "SAMJY2ZWNJYWMZK1MWVK"

DEFAULT_SEED: dict[str, Any] = {
    "accounts": [
        {
            "auth_id": DEFAULT_MAIN_ACCOUNT,
            "name": "Simulated main account",
            "subaccounts": [{"auth_id": DEFAULT_SUBACCOUNT, "name": "support"}],
        }
    ],
    "applications": [
        {"app_id": "72509666337566", "account": DEFAULT_MAIN_ACCOUNT, "name": "voice-prod"},
        {"app_id": "72509666337567", "account": DEFAULT_MAIN_ACCOUNT, "name": "voice-staging"},
        {"app_id": "31415926535897", "account": DEFAULT_SUBACCOUNT, "name": "support-ivr"},
    ],
    "numbers": [
        {
            "number": "15676988323",
            "app_id": "72509666337566",
            "number_type": "local",
            "description": "TOLEDO",
            "added_on": "2012-03-21",
        },
        {"number": "15676988324", "number_type": "local", "description": "TOLEDO", "alias": "spare"},
        {
            "number": "18005550100",
            "app_id": "72509666337567",
            "number_type": "tollfree",
            "description": "TOLL FREE",
            "sms_enabled": False,
        },
        {
            "number": "14155550123",
            "subaccount": DEFAULT_SUBACCOUNT,
            "app_id": "31415926535897",
            "number_type": "local",
            "description": "SAN FRANCISCO",
            "alias": "support-line",
        },
        {
            "number": "447700900123",
            "number_type": "mobile",
            "description": "UNITED KINGDOM",
            "voice_enabled": True,
            "sms_enabled": True,
            "mms_enabled": False,
        },
    ],
}


def default_seed() -> dict[str, Any]:
    """A fresh copy of the built-in default seed."""
    return copy.deepcopy(DEFAULT_SEED)


def parse_seed_text(text: str, source: str = "seed") -> dict[str, Any]:
    """Parse a YAML (or JSON) seed document; empty → ``{}``."""
    try:
        data = safe_yaml.load(text) if text.strip() else {}
    except safe_yaml.YAMLLimitError as exc:
        raise SeedError(f"{source}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        raise SeedError(f"{source}: not valid YAML/JSON: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SeedError(
            f"{source}: the top level must be a mapping with accounts/applications/numbers/generate"
        )
    # Round-trip through JSON so that YAML-only types (dates) become plain strings.
    return json.loads(json.dumps(data, default=str))


def load_seed_file(path: str | Path) -> dict[str, Any]:
    """Read a seed file; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{path}: cannot read the seed file: {exc.strerror or exc}") from None
    return parse_seed_text(text, str(path))
