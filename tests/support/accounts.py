"""The accounts, applications and numbers of the end-to-end tests, and the simulator seed that holds
them (one main account with a subaccount, three applications, five unbound numbers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plivo_pulumi.simulator.testing import account_seed

MAIN = "MAE2ETESTACCOUNT0001"
SUB = "SAE2ESUBACCOUNT00001"
TOKEN = "tok-e2e-Zx9QmA7rLp2VbN4cQ"
SUB_TOKEN = "tok-sub-Wq3TnB8sKd5HcM1vR"
ROTATED_TOKEN = "tok-rotated-Hx7PqL2wNc9VbZ4"  # the main account's token after a rotation
WRONG_CLI_TOKEN = "tok-wrong-Bq5RtY8uIo1Pa"  # a token the simulator never accepts
APPS = ("11111111111111", "22222222222222", "33333333333333")
NUMBERS = ("15550000001", "15550000002", "15550000003", "15550000004", "15550000005")


def e2e_seed(numbers: Iterable[str | dict] = NUMBERS, **more: Any) -> dict:
    """The e2e account (main + subaccount, the three applications) renting `numbers`, unbound."""
    return account_seed(
        MAIN, TOKEN, subaccounts=[(SUB, SUB_TOKEN)], applications=APPS, numbers=numbers, **more
    )


# The property tests' account token (tests/test_properties.py): the secrets scan looks for it too.
PROP_TOKEN = "tok-prop-Hq7Ws2Lx9Rk4Ty"
