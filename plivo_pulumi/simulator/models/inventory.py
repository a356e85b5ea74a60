"""The PhoneNumber API: the numbers on offer (the inventory), searching them, and buying one, which
rents a `Number` (numbers.py) to the buyer. Every purchase is recorded, so tests can count purchases
and sum the spend.

Rules (docs/simulator.md, "The PhoneNumber API"; where the reference is silent they are assumed):
- a number is offered while it is in the inventory and not rented; a buy takes it out of the
  inventory for good (unrenting it later does not put it back on offer);
- the bought number belongs to the buyer: the main account, or the subaccount whose credentials
  bought it; it links to `app_id` (an application of the buyer's family, else 400) or, without one,
  to the buyer's `default_number_app` (an account attribute, seedable), else to the buyer's own
  application flagged `default_number_app` (Plivo's mark; the lowest app_id if several), else to none;
- a number with a `restriction` is bought "pending": its rented `Number` has `compliance_status`
  "pending" until documents are accepted (the simulator never accepts them by itself);
- a number that is not on offer (never was, bought by someone else, rented) is a 404.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ...core.numbers import describe_value, normalize_number
from .accounts import Account
from .applications import Application
from .base import (
    UNSET,
    SeedError,
    SimError,
    seed_list,
    seed_mapping,
    seed_optional_str,
    seed_place,
    seed_str,
)
from .numbers import CNAM_LOOKUP, SERVICES, Number, NumbersBackend

__all__ = [
    "COUNTRY_NAMES",
    "DEFAULT_INVENTORY",
    "INVENTORY_FIELDS",
    "SEARCH_TYPES",
    "InventoryBackend",
    "Offer",
    "Purchase",
    "SearchFilter",
]

# The `type` filter of a search: `any` (or none) matches every offer; `fixed` the fixed-line offers
# whatever their sub_type (local, national, fixed); `local` and `national` a sub_type; `mobile` and
# `tollfree` the type (assumed from Plivo's documentation of the types and sub_types).
SEARCH_TYPES = ("any", "local", "fixed", "mobile", "national", "tollfree")
OFFER_TYPES = ("fixed", "mobile", "tollfree")
OFFER_SUB_TYPES = ("local", "national", "fixed", "mobile", "tollfree")
COUNTRY_NAMES = {
    "US": "UNITED STATES",
    "CA": "CANADA",
    "GB": "UNITED KINGDOM",
    "DE": "GERMANY",
    "FR": "FRANCE",
    "AU": "AUSTRALIA",
    "IN": "INDIA",
}
INVENTORY_FIELDS = (
    "number",
    "country",
    "type",
    "sub_type",
    "prefix",
    "region",
    "city",
    "rate_center",
    "lata",
    "local_calling_area",
    "services",
    "setup_rate",
    "monthly_rental_rate",
    "sms_rate",
    "mms_rate",
    "voice_rate",
    "restriction",
    "restriction_text",
)
_DEFAULT_MONTHLY = {"fixed": "0.80000", "mobile": "1.20000", "tollfree": "1.00000"}
# The rented number's `number_type` (Number API) for an offer's type.
_NUMBER_TYPE = {"fixed": "local", "mobile": "mobile", "tollfree": "tollfree"}


@dataclass
class Offer:
    """A number on offer, with the fields of the search object (and what the filters need)."""

    number: str
    country_iso: str
    type: str = "fixed"
    sub_type: str = "local"
    prefix: str = ""
    region: str | None = None
    city: str | None = None
    rate_center: str | None = None
    lata: int | None = None
    local_calling_area: list[str] = field(default_factory=list)
    services: tuple[str, ...] = ("voice", "sms")
    setup_rate: str = "0.00000"
    monthly_rental_rate: str = "0.80000"
    sms_rate: str = "0.00800"
    mms_rate: str = "0.02000"
    voice_rate: str = "0.00850"
    restriction: str | None = None
    restriction_text: str | None = None

    @property
    def country(self) -> str:
        return COUNTRY_NAMES.get(self.country_iso, self.country_iso)

    @property
    def npanxx(self) -> str | None:
        """The NPA-NXX of a North American number (the six digits after the 1), else None."""
        return self.number[1:7] if self.country_iso in ("US", "CA") else None

    def to_dict(self) -> dict[str, Any]:
        """The offer as a seed entry (what the admin API shows and takes)."""
        data = dataclasses.asdict(self)
        data["country"] = data.pop("country_iso")
        data["services"] = list(self.services)
        return data


@dataclass
class Purchase:
    """One buy that rented a number: who bought it, when, and what it costs."""

    number: str
    account: str  # the buyer: a main account or a subaccount
    main_account: str
    app_id: str | None
    time: str
    setup_rate: str
    monthly_rental_rate: str
    status: str  # the number's status in the buy's answer: "Success" or "pending"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SearchFilter:
    """The filters of one search, already parsed (the HTTP layer checks their form)."""

    country_iso: str
    type: str | None = None
    pattern: str | None = None
    region: str | None = None
    services: tuple[str, ...] = ()
    lata: int | None = None
    rate_center: str | None = None
    city: str | None = None
    npanxx: str | None = None
    local_calling_area: bool = False
    eligible: bool = False

    def matches(self, offer: Offer) -> bool:
        if offer.country_iso != self.country_iso:
            return False
        if self.type not in (None, "any"):
            if self.type in ("local", "national"):
                if offer.sub_type != self.type:
                    return False
            elif offer.type != self.type:
                return False
        if self.pattern is not None and self.pattern not in offer.number:
            return False
        if self.region is not None and (offer.region or "").casefold() != self.region.casefold():
            return False
        if not all(s in offer.services for s in self.services):
            return False
        if self.city is not None and (offer.city or "").casefold() != self.city.casefold():
            return False
        if self.eligible and offer.restriction is not None:
            return False
        if self.rate_center is not None:
            centers = {offer.rate_center or ""}
            if self.local_calling_area:
                centers.update(offer.local_calling_area)
            if self.rate_center.casefold() not in {c.casefold() for c in centers}:
                return False
        if self.lata is not None and offer.lata != self.lata:
            return False
        return self.npanxx is None or offer.npanxx == self.npanxx


def _rate(value: Any, where: str, default: str) -> str:
    """A rate in USD as the API writes it: a decimal string with five places."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SeedError(f"{where}: expected a decimal amount in USD like 0.8, got {describe_value(value)}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise SeedError(
            f"{where}: expected a decimal amount in USD like 0.8, got {describe_value(value)}"
        ) from None
    if not amount.is_finite() or amount < 0 or amount > 100_000:
        raise SeedError(f"{where}: expected an amount from 0 to 100000 USD, got {describe_value(value)}")
    return f"{amount:.5f}"


def _services(value: Any, where: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(s, str) for s in items):
        raise SeedError(f"{where}: expected a list of {', '.join(SERVICES)}")
    picked = [s.strip() for s in items if s.strip()]
    bad = sorted({s for s in picked if s not in SERVICES})
    if bad:
        raise SeedError(f"{where}: unknown service(s) {', '.join(bad)}; use {', '.join(SERVICES)}")
    return tuple(s for s in SERVICES if s in picked)


def parse_offer(raw: Any, where: str, *, number: str | None = None) -> Offer:
    """One inventory entry (seed or admin API); errors name `where` and the field."""
    entry = seed_mapping(raw, where, INVENTORY_FIELDS)
    if number is None:
        try:
            number = normalize_number(entry.get("number"))
        except ValueError as exc:
            raise SeedError(f"{where}.number: {exc}") from None
    country = seed_str(entry.get("country"), f"{where}.country", default="US").upper()
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise SeedError(f"{where}.country: expected an ISO 3166-1 alpha-2 code like US, got {country!r}")
    sub_type = seed_optional_str(entry.get("sub_type"), f"{where}.sub_type")
    kind = seed_optional_str(entry.get("type"), f"{where}.type")
    if kind is None:
        kind = sub_type if sub_type in ("mobile", "tollfree") else "fixed"
    if kind not in OFFER_TYPES:
        raise SeedError(f"{where}.type: must be one of {', '.join(OFFER_TYPES)}, got {kind!r}")
    if sub_type is None:
        sub_type = "local" if kind == "fixed" else kind
    if sub_type not in OFFER_SUB_TYPES:
        raise SeedError(f"{where}.sub_type: must be one of {', '.join(OFFER_SUB_TYPES)}, got {sub_type!r}")
    prefix = seed_optional_str(entry.get("prefix"), f"{where}.prefix")
    if prefix is None:
        if country not in ("US", "CA"):
            raise SeedError(f"{where}.prefix: is required outside the US and Canada (the area code)")
        prefix = number[1:4]
    if not (prefix.isascii() and prefix.isdigit()):
        raise SeedError(f"{where}.prefix: expected digits, got {prefix!r}")
    lata = entry.get("lata")
    if lata is not None and (isinstance(lata, bool) or not isinstance(lata, int) or lata < 0):
        raise SeedError(f"{where}.lata: expected a non-negative integer, got {describe_value(lata)}")
    area = seed_list(entry.get("local_calling_area"), f"{where}.local_calling_area")
    if not all(isinstance(a, str) for a in area):
        raise SeedError(f"{where}.local_calling_area: expected a list of rate centers")
    default_services = ("voice",) if kind == "tollfree" else ("voice", "sms")
    restriction = seed_optional_str(entry.get("restriction"), f"{where}.restriction") or None
    text = seed_optional_str(entry.get("restriction_text"), f"{where}.restriction_text") or None
    if text is not None and restriction is None:
        raise SeedError(f"{where}.restriction_text: needs a restriction (e.g. city-address)")
    return Offer(
        number=number,
        country_iso=country,
        type=kind,
        sub_type=sub_type,
        prefix=prefix,
        region=seed_optional_str(entry.get("region"), f"{where}.region"),
        city=seed_optional_str(entry.get("city"), f"{where}.city"),
        rate_center=seed_optional_str(entry.get("rate_center"), f"{where}.rate_center"),
        lata=lata,
        local_calling_area=list(area),
        services=_services(entry.get("services"), f"{where}.services", default_services),
        setup_rate=_rate(entry.get("setup_rate"), f"{where}.setup_rate", "0.00000"),
        monthly_rental_rate=_rate(
            entry.get("monthly_rental_rate"), f"{where}.monthly_rental_rate", _DEFAULT_MONTHLY[kind]
        ),
        sms_rate=_rate(entry.get("sms_rate"), f"{where}.sms_rate", "0.00800"),
        mms_rate=_rate(entry.get("mms_rate"), f"{where}.mms_rate", "0.02000"),
        voice_rate=_rate(entry.get("voice_rate"), f"{where}.voice_rate", "0.00850"),
        restriction=restriction,
        restriction_text=text,
    )


def _default_inventory() -> list[dict[str, Any]]:
    """The built-in inventory: US local numbers in four area codes (415 first), US toll-free, GB
    mobile, and German local numbers that need a local address (a restriction)."""
    entries: list[dict[str, Any]] = []
    us_places = [
        ("1415400", "SAN FRANCISCO", "CA", "SNFC CNTRL", 722, 8),
        ("1212555", "NEW YORK", "NY", "NWYRCYZN01", 132, 5),
        ("1312555", "CHICAGO", "IL", "CHICAGO", 358, 4),
        ("1512555", "AUSTIN", "TX", "AUSTIN", 558, 3),
    ]
    for head, city, region, center, lata, count in us_places:
        for k in range(count):
            entries.append(
                {
                    "number": f"{head}{1001 + k}",
                    "country": "US",
                    "city": city,
                    "region": region,
                    "rate_center": center,
                    "lata": lata,
                    "services": ["voice", "sms", "mms"] if k % 2 == 0 else ["voice", "sms"],
                    "monthly_rental_rate": "0.80",
                }
            )
    for k, head in enumerate(("1833555", "1833555", "1888555", "1888555")):
        entries.append(
            {
                "number": f"{head}{2001 + k}",
                "country": "US",
                "type": "tollfree",
                "sub_type": "tollfree",
                "services": ["voice", "sms"] if k % 2 == 0 else ["voice"],
                "monthly_rental_rate": "1.00",
            }
        )
    for k in range(4):
        entries.append(
            {
                "number": f"44770090{1001 + k}",
                "country": "GB",
                "type": "mobile",
                "sub_type": "mobile",
                "prefix": "7700",
                "region": "United Kingdom",
                "services": ["voice", "sms"],
                "monthly_rental_rate": "1.20",
                "sms_rate": "0.04",
            }
        )
    for k in range(3):
        entries.append(
            {
                "number": f"49305550{1001 + k}",
                "country": "DE",
                "type": "fixed",
                "sub_type": "local",
                "prefix": "30",
                "region": "Berlin",
                "city": "BERLIN",
                "services": ["voice"],
                "setup_rate": "1.00",
                "monthly_rental_rate": "1.50",
                "restriction": "city-address",
                "restriction_text": "A proof of address in the number's city (Berlin) is required.",
            }
        )
    return entries


DEFAULT_INVENTORY: list[dict[str, Any]] = _default_inventory()


class InventoryBackend(NumbersBackend):
    """The PhoneNumber API part of `PlivoState` (state.py): the offers, search, buy and the
    purchase log."""

    inventory: dict[str, Offer]
    purchases: list[Purchase]

    def _parse_inventory(self, entries: Any) -> dict[str, Offer]:
        """The seed's `inventory:` list; absent (None) is the built-in one, `[]` none at all."""
        if entries is None:
            entries = copy.deepcopy(DEFAULT_INVENTORY)
        offers: dict[str, Offer] = {}
        for i, raw in enumerate(seed_list(entries, "inventory")):
            where = seed_place("inventory", i)
            offer = parse_offer(raw, where)
            if offer.number in offers:
                raise SeedError(f"{where}.number: {offer.number} is listed twice")
            offers[offer.number] = offer
        return offers

    @staticmethod
    def _check_default_apps(accounts: dict[str, Account], applications: dict[str, Application]) -> None:
        for account in accounts.values():
            app_id = account.default_number_app
            if app_id is None:
                continue
            app = applications.get(app_id)
            where = f"accounts: {account.auth_id}.default_number_app"
            if app is None:
                raise SeedError(f"{where}: unknown application {app_id}; define it under applications")
            if accounts[app.account].main_id != account.main_id:
                raise SeedError(f"{where}: application {app_id} belongs to another main account")

    def _on_offer(self, number: str) -> Offer | None:
        offer = self.inventory.get(number)
        return None if offer is None or number in self.numbers else offer

    def search_numbers(
        self, caller: Account, search: SearchFilter, *, limit: int = 20, offset: int = 0
    ) -> tuple[list[Offer], int]:
        """One page of the offers that match, ordered by number, and the total that match."""
        with self.lock:
            matching = [
                o for o in self.inventory.values() if o.number not in self.numbers and search.matches(o)
            ]
            matching.sort(key=lambda o: o.number)
            return [copy.deepcopy(o) for o in matching[offset : offset + limit]], len(matching)

    def buy_number(
        self, caller: Account, number: str, *, app_id: Any = UNSET, cnam_lookup: str | None = None
    ) -> tuple[Number, Purchase]:
        """Rent an offered number to `caller`; `app_id` UNSET (or None) links the caller's default
        number application. All checks come first: a refused buy changes nothing."""
        with self.lock:
            offer = self._on_offer(number)
            if offer is None:
                raise SimError(
                    404,
                    f"number {number} is not available to buy (not on offer, or already bought); "
                    "search again",
                )
            account = self.accounts[caller.auth_id]
            if app_id is UNSET or app_id is None:
                linked = account.default_number_app
                if linked is not None and linked not in self.applications:
                    linked = None  # the default application was deleted since
                if linked is None:
                    # Plivo's own mark: an application of the buyer with `default_number_app` set.
                    flagged = sorted(
                        a.app_id
                        for a in self.applications.values()
                        if a.account == caller.auth_id and a.default_number_app
                    )
                    linked = flagged[0] if flagged else None
            else:
                app = self.applications.get(app_id)
                if app is None or app.account not in self._family(caller.main_id):
                    raise SimError(400, f"application {app_id} not found")
                linked = app_id
            if cnam_lookup is not None:
                if cnam_lookup not in CNAM_LOOKUP:
                    raise SimError(
                        400, f"invalid cnam_lookup {describe_value(cnam_lookup)}; use enabled or disabled"
                    )
                if cnam_lookup == "enabled" and (offer.country_iso != "US" or offer.type == "mobile"):
                    raise SimError(400, "cnam_lookup is only available on US local and toll-free numbers")
            pending = offer.restriction is not None
            rented = Number(
                number=number,
                account=caller.main_id,
                subaccount=None if caller.is_main else caller.auth_id,
                app_id=linked,
                description=offer.city or offer.region or offer.country,
                number_type=_NUMBER_TYPE[offer.type],
                voice_enabled="voice" in offer.services,
                sms_enabled="sms" in offer.services,
                mms_enabled="mms" in offer.services,
                added_on=_dt.date.today().isoformat(),
                cnam_lookup=cnam_lookup or "disabled",
                compliance_status="pending" if pending else None,
                monthly_rental_rate=offer.monthly_rental_rate,
            )
            purchase = Purchase(
                number=number,
                account=caller.auth_id,
                main_account=caller.main_id,
                app_id=linked,
                time=_dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                setup_rate=offer.setup_rate,
                monthly_rental_rate=offer.monthly_rental_rate,
                status="pending" if pending else "Success",
            )
            del self.inventory[number]
            self.numbers[number] = rented
            self.purchases.append(purchase)
            return copy.copy(rented), copy.copy(purchase)

    # -- out of band (admin API) --------------------------------------------------------------------

    def oob_inventory(self) -> list[Offer]:
        """Every offer, bought or not yet, ordered by number."""
        with self.lock:
            return [copy.deepcopy(o) for o in sorted(self.inventory.values(), key=lambda o: o.number)]

    def oob_get_offer(self, number: str) -> Offer | None:
        with self.lock:
            offer = self.inventory.get(number)
            return copy.deepcopy(offer) if offer else None

    def oob_add_offer(self, number: str, fields: dict[str, Any]) -> Offer:
        """Put a number on offer (or replace its offer)."""
        if "number" in fields and str(fields["number"]) != number:
            raise SimError(400, f"number {fields['number']!r} in the body does not match the path ({number})")
        try:
            offer = parse_offer(dict(fields), f"inventory {number}", number=number)
        except SeedError as exc:
            raise SimError(400, str(exc)) from None
        with self.lock:
            if number in self.numbers:
                raise SimError(409, f"number {number} is rented by {self.numbers[number].account}")
            self.inventory[number] = offer
            return copy.deepcopy(offer)

    def oob_take_offer(self, number: str) -> Offer:
        """Take a number off offer, as when another customer buys it."""
        with self.lock:
            offer = self.inventory.pop(number, None)
            if offer is None:
                raise SimError(404, f"number {number} is not in the inventory")
            return offer

    def oob_purchases(self) -> list[Purchase]:
        with self.lock:
            return [copy.copy(p) for p in self.purchases]

    def oob_clear_purchases(self) -> None:
        with self.lock:
            self.purchases.clear()

    def oob_set_default_app(self, auth_id: str, app_id: str | None) -> Account:
        """Set (or with None clear) an account's default number application."""
        with self.lock:
            account = self.accounts.get(auth_id)
            if account is None:
                raise SimError(404, f"account {auth_id} not found")
            if app_id is not None:
                app = self.applications.get(app_id)
                if app is None or self.accounts[app.account].main_id != account.main_id:
                    raise SimError(400, f"application {app_id} not found in the account's family")
            account.default_number_app = app_id
            return copy.copy(account)


def spend(purchases: Iterable[Purchase]) -> tuple[str, str]:
    """The setup and the monthly cost of `purchases`, in USD with five places."""
    items = list(purchases)
    setup = sum((Decimal(p.setup_rate) for p in items), Decimal(0))
    monthly = sum((Decimal(p.monthly_rental_rate) for p in items), Decimal(0))
    return f"{setup:.5f}", f"{monthly:.5f}"
