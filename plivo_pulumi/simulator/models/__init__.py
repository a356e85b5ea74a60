"""Domain model of the simulated Plivo account world, one module per domain, moto-style: plain objects
and one method per API operation, no HTTP (that is `server.py`, `responses.py`,
`application_responses.py` and `admin.py`, which read a request, call the model, render the answer).

- `base.py`: what every domain shares: `SimError` (carries the HTTP status), `SeedError`, `UNSET`,
  the seed-field readers;
- `accounts.py`: `Account`, `AccountsBackend` (seeding, authentication, token rotation);
- `applications.py`: `Application`, `ApplicationsBackend` (the Application API, the console's edits,
  the rules of the links from numbers to applications);
- `numbers.py`: `Number`, `NumbersBackend` (the Number API: list, get, edit, unrent; the console's
  rent, edit, unrent);
- `inventory.py`: `Offer`, `Purchase`, `InventoryBackend` (the PhoneNumber API: the numbers on
  offer, search, buy, which rents a `Number`, and the purchase log);
- `state.py`: `PlivoState`, the one object the server holds: the shared data behind one lock, built
  from the backends above.

A new domain gets a module of its own here with a backend class, added to `PlivoState`'s bases, and
its own responses module beside `responses.py` (as `phone_number_responses.py` for inventory.py).

Where the API reference is silent, the choice made is documented in ``docs/simulator.md``.
"""

from .accounts import Account
from .applications import (
    APP_CREATE_PARAMS,
    APP_MODIFY_PARAMS,
    APP_SETTABLE,
    Application,
    check_app_field,
    parse_flag,
)
from .base import UNSET, SeedError, SimError
from .inventory import SEARCH_TYPES, Offer, Purchase, SearchFilter
from .numbers import (
    CNAM_LOOKUP,
    DEFAULT_NUMBER_SHAPE,
    NUMBER_SHAPES,
    NUMBER_TYPES,
    SERVICES,
    Number,
    check_number_shape,
)
from .state import PlivoState

__all__ = [
    "UNSET",
    "NUMBER_TYPES",
    "NUMBER_SHAPES",
    "DEFAULT_NUMBER_SHAPE",
    "CNAM_LOOKUP",
    "SERVICES",
    "Account",
    "Application",
    "Number",
    "Offer",
    "Purchase",
    "SEARCH_TYPES",
    "SearchFilter",
    "SimError",
    "SeedError",
    "PlivoState",
    "APP_CREATE_PARAMS",
    "APP_MODIFY_PARAMS",
    "APP_SETTABLE",
    "check_app_field",
    "check_number_shape",
    "parse_flag",
]
