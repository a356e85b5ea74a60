"""The lifecycle of `PhoneNumberOrder`: numbers bought by declaration, never twice, never over the cap.

API calls (docs/buying-numbers.md):
  check   validate the inputs; no API call
  plan    (preview, from the front-end's Check) read only: the order's numbers (List API, all
          pages), the reservation application (List), and a search when more are wanted; the cost
          is shown, and a plan over `max_monthly_cost` or with no candidate is refused
  create  the plan again, then per number to buy: POST buy (linked to the reservation app), then
  update  one POST that sets app_id, subaccount and the order's key as `alias`
  read    the order's numbers as the account has them; a binding changed by hand, or fewer numbers
          held than `count` (one released in the console), shows as a change the next `up` applies
  delete  nothing is released unless `release_on_delete`, and then not a number that any resource
          of the deployment declares; the reservation application is deleted once nothing uses it

The order's numbers are found by one List call filtered on the order's key as `alias` (a page for
an order of up to 20 numbers, whatever the account's size); the whole account is listed only while
the reservation application exists, that is after a run that stopped between a buy and its edit.

Never buy twice. The order's key (`order_key_for`, from the project, the stack and the resource's
name: the same in both front-ends and under any parent) marks what it bought: a number's
`alias` is the key once the edit after the buy is done, and until then its application is the
order's reservation application (`<key>-reservation`), with which every buy is made. So a number
bought by a run whose answer was lost, or that was killed before the edit, is still recognized: a
run adopts every number with the key as alias or linked to the reservation app, and buys only the
rest. A buy whose answer is lost is followed at once by a GET of the number: rented -> adopted,
404 -> not bought. Each number bought is read back after its edit: an API that dropped the alias
would make the next run buy again, so the number is linked back to the reservation application and
the run fails. A number the state lists that lost its alias (edited by hand) but is still rented is
held still, not replaced. Numbers with another key (another order, another stack) are never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from plivo_pulumi.core.client import BuyOutcomeUnknownError, NumberTakenError, PlivoClient
from plivo_pulumi.core.client.phone_numbers import SEARCH_TYPES
from plivo_pulumi.core.errors import MissingCredentialsError, NotFoundError, NumberNotFoundError, PlivoError
from plivo_pulumi.core.lifecycle.context import Context
from plivo_pulumi.core.lifecycle.results import Checked, Failure, Observed, Planned, Written, changed_inputs
from plivo_pulumi.core.lifecycle.safety import listed, numbers_to_unrent, unrent
from plivo_pulumi.core.numbers import (
    app_id_from_uri,
    describe_value,
    normalize_app_id,
    normalize_subaccount,
    subaccount_from_uri,
)
from plivo_pulumi.core.unknown import is_unknown

KEY = "__order_key"  # set by the front-end from the resource's URN
INPUTS = (
    "country",
    "type",
    "pattern",
    "region",
    "services",
    "count",
    "app_id",
    "subaccount",
    "release_on_delete",
    "max_monthly_cost",
)
FILTERS = ("country", "type", "pattern", "region", "services")
RESERVATION_URL = "https://example.invalid/plivo-pulumi/reservation"  # never answered: a parked number
_SERVICES = ("voice", "sms", "mms")
_CENT = Decimal("0.00001")


class OverCapError(PlivoError):
    """A plan that would cost more per month than `max_monthly_cost`."""


def order_key(identity: str) -> str:
    """A short, stable key for an identity, fit for a number's alias."""
    return "po-" + hashlib.sha256(identity.encode()).hexdigest()[:10]


def order_key_for(project: str, stack: str, name: str) -> str:
    """The key of the order `name` in `project`/`stack`: distinct across stacks, and the same in
    both front-ends and under any parent, so moving an order into a component, or from the dynamic
    resource to the native one, keeps the numbers it bought instead of buying a second set."""
    return order_key(f"{project}/{stack}/{name}")


def order_key_of_urn(urn: str) -> str:
    """`order_key_for` of a resource URN (`urn:pulumi:STACK::PROJECT::TYPES::NAME`)."""
    head, project, _types, name = urn.split("::", 3)
    return order_key_for(project, head.removeprefix("urn:pulumi:"), name)


def reservation_name(key: str) -> str:
    return f"{key}-reservation"


def money(value: Any) -> Decimal | None:
    """A rate or a cost as the API writes it (`"0.80000"`), or None when it is not an amount."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))} USD"


@dataclass
class Plan:
    """What a run would do: the numbers the order holds (number -> its API object), the offers it
    would buy (in order), and the cost per month of both."""

    owned: dict[str, dict[str, Any]]
    to_buy: list[dict[str, Any]]
    candidates: list[dict[str, Any]]  # every offer, best first: the spares replace taken ones
    monthly_cost: Decimal
    setup_cost: Decimal
    reservation_app: str | None
    rates: dict[str, Decimal] = field(default_factory=dict)  # number -> monthly rate, owned ones

    def message(self, count: int) -> str:
        held = len(self.owned)
        if self.to_buy:
            shown = ", ".join(f"{o['number']} ({o['monthly_rental_rate']}/month)" for o in self.to_buy[:20])
            head = f"would buy {len(self.to_buy)} number(s): {shown}"
        elif held > count:
            head = f"holds {held} number(s), more than count {count}: the extra ones are kept"
        else:
            head = "buys nothing"
        return (
            f"{head}; the order holds {held}; cost {_usd(self.monthly_cost)} per month"
            f" and {_usd(self.setup_cost)} setup"
        )


class PhoneNumberOrderLifecycle:
    def __init__(self, context: Context) -> None:
        self.context = context

    # -- check and diff (no API call) ---------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]) -> Checked:
        inputs: dict[str, Any] = {}
        failures: list[Failure] = []
        country = news.get("country")
        if is_unknown(country):
            inputs["country"] = country
        elif not isinstance(country, str) or len(country.strip()) != 2 or not country.strip().isalpha():
            failures.append(
                Failure("country", f"give a two-letter ISO code like 'US', got {describe_value(country)}")
            )
        else:
            inputs["country"] = country.strip().upper()
        kind = news.get("type")
        if kind is None or is_unknown(kind):
            inputs["type"] = kind
        elif not isinstance(kind, str) or kind.strip().lower() not in SEARCH_TYPES:
            failures.append(
                Failure("type", f"use one of {', '.join(SEARCH_TYPES)}, got {describe_value(kind)}")
            )
        else:
            inputs["type"] = kind.strip().lower()
        for name, check in (("pattern", _digits_check), ("region", _text_check)):
            value = news.get(name)
            if value is None or is_unknown(value):
                inputs[name] = value
                continue
            reason = check(value)
            if reason:
                failures.append(Failure(name, reason))
            else:
                inputs[name] = str(value).strip()
        services = news.get("services")
        if services is None or is_unknown(services):
            inputs["services"] = services
        elif not isinstance(services, list | tuple) or any(
            not isinstance(s, str) or s.strip().lower() not in _SERVICES for s in services
        ):
            failures.append(
                Failure("services", f"give a list of {', '.join(_SERVICES)}, got {describe_value(services)}")
            )
        else:
            picked = {s.strip().lower() for s in services}
            inputs["services"] = [s for s in _SERVICES if s in picked]
        count = news.get("count")
        if is_unknown(count):
            inputs["count"] = count
        elif isinstance(count, float) and count.is_integer():
            count = int(count)
        if not is_unknown(count):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                failures.append(
                    Failure("count", f"give how many numbers to hold, 1 or more, got {describe_value(count)}")
                )
            else:
                inputs["count"] = count
        cap = news.get("max_monthly_cost")
        if is_unknown(cap):
            inputs["max_monthly_cost"] = cap
        elif cap is None:
            failures.append(
                Failure(
                    "max_monthly_cost", "is required: the most this order may cost per month, in USD (e.g. 5)"
                )
            )
        elif isinstance(cap, bool) or not isinstance(cap, int | float) or not cap > 0:
            failures.append(
                Failure(
                    "max_monthly_cost", f"give the monthly cap in USD, more than 0, got {describe_value(cap)}"
                )
            )
        else:
            inputs["max_monthly_cost"] = cap
        for name, normalize, hint in (
            ("app_id", normalize_app_id, "the application id (digits)"),
            ("subaccount", normalize_subaccount, "the subaccount auth id (SA...)"),
        ):
            value = news.get(name)
            if value is None or is_unknown(value):
                inputs[name] = value
                continue
            try:
                inputs[name] = normalize(value) or None
            except ValueError as exc:
                failures.append(Failure(name, f"{exc}; give {hint} or leave it unset"))
        release = news.get("release_on_delete", False)
        if release is None:
            release = False
        if not isinstance(release, bool) and not is_unknown(release):
            failures.append(
                Failure("release_on_delete", f"give true or false, got {describe_value(release)}")
            )
        inputs["release_on_delete"] = release
        key = olds.get(KEY) or news.get(KEY)
        if not isinstance(key, str) or not key.startswith("po-"):
            failures.append(
                Failure("", "the order has no key: the provider derives it from the resource's URN")
            )
        else:
            inputs[KEY] = key
        return Checked(inputs, failures)

    def diff(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned:
        """No replacement ever (a replacement would buy a second set): a changed filter applies to
        what the order buys next; a changed binding is applied to the numbers it holds."""
        return Planned(changed_inputs(olds, news, INPUTS), [])

    # -- the plan (read only) -------------------------------------------------------------------------

    def plan(self, props: dict[str, Any], known: dict[str, Any] | None = None) -> Plan:
        """Read only: the numbers the order holds, the offers it would buy, and the cost; raises
        PlivoError when the plan is over the cap or nothing on offer matches. `known`: the state's
        details of the numbers the order held (their rates, and which to look for)."""
        api = self.context.client()
        key = props[KEY]
        reservation = self._reservation_app(api, key)
        owned, listing = self._held(api, key, reservation, known or {})
        count = int(props["count"])
        need = max(0, count - len(owned))
        # A new order's filtered List is empty: one number of the account shows whether the API
        # reports aliases at all.
        sample = listing or (api.list_numbers(limit=1)["objects"] if need else [])
        if need and any("alias" not in obj for obj in sample):
            # Without the alias the numbers this order bought earlier cannot be told apart: fail
            # closed rather than risk a second purchase.
            raise PlivoError(
                "the API's number objects carry no `alias`, so the numbers this order already bought "
                "cannot be recognized; nothing is bought. Check `plivo:baseUrl` (Plivo's API reports "
                "the alias) and run again."
            )
        candidates: list[dict[str, Any]] = []
        if need or any(_rate_of(obj, known) is None for obj in owned.values()):
            candidates = self._candidates(api, props, owned)
        rates: dict[str, Decimal] = {}
        for number, obj in owned.items():
            rate = _rate_of(obj, known)
            if rate is None:  # unknown: counted as the dearest offer, so the cap still holds
                rate = max(
                    (money(o.get("monthly_rental_rate")) or Decimal(0) for o in candidates),
                    default=Decimal(0),
                )
            rates[number] = rate
        to_buy = candidates[:need]
        if need and len(to_buy) < need:
            raise PlivoError(
                f"the search found {len(candidates)} number(s) on offer for {_filters(props)}, "
                f"{need} more are wanted (count {count}, held {len(owned)}). Widen the filters "
                "(pattern, region, type, services) or lower `count`. Nothing was bought."
            )
        monthly = sum(rates.values(), Decimal(0)) + sum(
            (money(o.get("monthly_rental_rate")) or Decimal(0) for o in to_buy), Decimal(0)
        )
        setup = sum((money(o.get("setup_rate")) or Decimal(0) for o in to_buy), Decimal(0))
        plan = Plan(owned, to_buy, candidates, monthly, setup, reservation, rates)
        self._refuse_over_cap(props, plan)
        return plan

    def preview(self, props: dict[str, Any]) -> str | None:
        """The plan as a line for the user, or None when an input is not known yet."""
        if any(is_unknown(props.get(name)) for name in (*FILTERS, "count", "max_monthly_cost")):
            return None
        plan = self.plan(props)
        # Held by the order: no delete of this run (a dropped RentedNumber's) may unrent them.
        self.context.deployment.note_declared(list(plan.owned))
        return f"PhoneNumberOrder {props[KEY]} {plan.message(int(props['count']))}"

    def check_plan(self, props: dict[str, Any]) -> Failure | None:
        """What both front-ends' check runs after the inputs pass: the plan shown to the user (a
        line), or the failure that refuses it before any `up` can buy (over the cap, nothing on
        offer). Without credentials yet, nothing: create plans again before buying."""
        try:
            line = self.preview(props)
        except MissingCredentialsError:
            return None
        except OverCapError as exc:
            return Failure("max_monthly_cost", str(exc))
        except PlivoError as exc:
            return Failure("", str(exc))
        if line:
            self.context.notify(line)
        return None

    @staticmethod
    def _refuse_over_cap(props: dict[str, Any], plan: Plan) -> None:
        cap = Decimal(str(props["max_monthly_cost"]))
        if plan.monthly_cost <= cap:
            return
        numbers = [*sorted(plan.owned), *[o["number"] for o in plan.to_buy]]
        raise OverCapError(
            f"max_monthly_cost is {_usd(cap)} but the order would cost {_usd(plan.monthly_cost)} per month "
            f"(numbers {listed(numbers)}; {len(plan.to_buy)} to buy). Raise `max_monthly_cost` or lower "
            "`count`. Nothing was bought."
        )

    def _reservation_app(self, api: PlivoClient, key: str) -> str | None:
        found = api.applications_named(reservation_name(key))
        return str(sorted(a["app_id"] for a in found)[0]) if found else None

    def _held(
        self, api: PlivoClient, key: str, reservation: str | None, known: dict[str, Any]
    ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """The numbers the order holds (number -> its API object), and the listing they came from.

        One List filtered on the key; the whole account while the reservation application exists
        (a number bought and not yet edited carries no alias). A number of `known` (the state's)
        that neither shows but is still rented (its alias edited by hand) is held still: replacing
        it would buy a second number. One that another order's key now marks is let go."""
        listing = list(api.iter_numbers() if reservation else api.iter_numbers(alias=key))
        owned = self._owned(listing, key, reservation)
        for number in sorted(set(known) - set(owned)):
            try:
                obj = api.get_number(number)
            except NumberNotFoundError:
                continue  # released (in the console): no longer held
            alias = obj.get("alias")
            if isinstance(alias, str) and alias.startswith("po-") and alias != key:
                continue
            owned[number] = obj
        return owned, listing

    @staticmethod
    def _owned(listing: list[dict[str, Any]], key: str, reservation: str | None) -> dict[str, dict[str, Any]]:
        """The numbers of `listing` that this order holds."""
        owned = {}
        for obj in listing:
            linked = app_id_from_uri(obj.get("application"))
            if obj.get("alias") == key or (reservation and linked == reservation):
                owned[str(obj["number"])] = obj
        return owned

    @staticmethod
    def _candidates(api: PlivoClient, props: dict[str, Any], owned: dict[str, Any]) -> list[dict[str, Any]]:
        filters: dict[str, Any] = {
            "type": props.get("type"),
            "pattern": props.get("pattern"),
            "region": props.get("region"),
            "services": props.get("services") or None,
        }
        offers = [o for o in api.iter_phone_numbers(props["country"], **filters) if o["number"] not in owned]
        # Cheapest first, then by number: the same plan for the same offers, run after run.
        return sorted(offers, key=lambda o: (money(o.get("monthly_rental_rate")) or Decimal(0), o["number"]))

    # -- create, update: buy what is missing, adopt what is held ------------------------------------

    def create(self, props: dict[str, Any]) -> Written:
        return self._apply(props, {})

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Written:
        rebind = olds.get("app_id") != news.get("app_id") or olds.get("subaccount") != news.get("subaccount")
        return self._apply({**news, KEY: olds.get(KEY) or news.get(KEY)}, olds, rebind=rebind)

    def _apply(self, props: dict[str, Any], olds: dict[str, Any], *, rebind: bool = False) -> Written:
        api = self.context.client()
        key = props[KEY]
        known = _known(olds)
        plan = self.plan(props, known)
        count = int(props["count"])
        managed = _managed_fields(props)
        default_app: list[str | None] = []  # listed once, when a number needs it

        def first_binding() -> dict[str, Any]:
            """What a number just bought gets: the declared binding, else the default number app."""
            if "app_id" in managed:
                return managed
            if not default_app:
                default_app.append(self._default_app(api))
            return {**managed, "app_id": default_app[0]}

        details: dict[str, dict[str, Any]] = {}
        for number, obj in plan.owned.items():
            if plan.reservation_app and app_id_from_uri(obj.get("application")) == plan.reservation_app:
                api.update_number(number, **first_binding())  # bought by a run that stopped
            elif obj.get("alias") != key or rebind or _drift(obj, props):
                api.update_number(number, **managed)
            details[number] = known.get(number) or {
                "number": number,
                "monthly_rental_rate": f"{plan.rates[number]:.5f}",
                "setup_rate": None,
                "status": "active",
            }
        cap = Decimal(str(props["max_monthly_cost"]))
        spent = sum(plan.rates.values(), Decimal(0))
        need = max(0, count - len(plan.owned))
        reservation = plan.reservation_app
        if need:
            reservation = reservation or self._make_reservation(api, key)
            for offer in plan.candidates:
                if need == 0:
                    break
                rate = money(offer.get("monthly_rental_rate")) or Decimal(0)
                if spent + rate > cap:  # a taken candidate replaced by a dearer one
                    continue
                status = self._buy(api, offer["number"], reservation)
                if status is None:
                    continue
                spent += rate
                need -= 1
                details[offer["number"]] = _detail(offer, status)
                self._settle_bought(api, offer["number"], first_binding(), reservation)
                if status == "pending":
                    self.context.notify(
                        f"number {offer['number']} was bought pending: Plivo needs "
                        f"{offer.get('restriction_text') or offer.get('restriction') or 'documents'} "
                        "before it can be used; it is not bought again"
                    )
            if need:
                raise PlivoError(
                    f"could buy only {count - len(plan.owned) - need} of {count - len(plan.owned)} number(s) "
                    f"for {_filters(props)} within max_monthly_cost {_usd(cap)}: the others on offer were "
                    "taken meanwhile or too dear. What was bought is kept and adopted by the next run; "
                    "widen the filters or raise the cap and run again."
                )
        if len(details) > count:
            self.context.notify(
                f"PhoneNumberOrder {key} holds {len(details)} number(s), more than count {count}: "
                "the extra ones are kept (a lowered count releases nothing)"
            )
        self.context.deployment.note_declared(list(details))
        if reservation:  # every number it held is edited now: the next buy makes it again
            try:
                api.delete_application(reservation)
            except NotFoundError:
                pass
        return Written(key, _outputs(props, details, None))

    @staticmethod
    def _settle_bought(api: PlivoClient, number: str, binding: dict[str, Any], reservation: str) -> None:
        """Edit a number just bought (its binding, the key as alias) and read it back: an API that
        dropped the alias would make the next run buy again, so then the number is linked back to
        the reservation application, by which the next run still knows it, and the run stops."""
        api.update_number(number, **binding)
        if api.get_number(number).get("alias") == binding["alias"]:
            return
        api.update_number(number, app_id=reservation)
        raise PlivoError(
            f"number {number} was bought, but the API did not keep its alias {binding['alias']!r}, by which "
            "the order knows its numbers; it stays linked to the order's reservation application so no "
            "run buys it again. Check `plivo:baseUrl` (Plivo's API keeps the alias); nothing more was bought."
        )

    def _buy(self, api: PlivoClient, number: str, reservation: str) -> str | None:
        """Buy one candidate; its status, or None when it was not bought (taken, or a lost answer
        that the GET shows did not buy it)."""
        try:
            return str(api.buy_phone_number(number, app_id=reservation)["status"])
        except NumberTakenError:
            self.context.notify(
                f"number {number} was taken by someone else since the search; trying the next"
            )
            return None
        except BuyOutcomeUnknownError:
            try:
                api.get_number(number)
            except NumberNotFoundError:
                self.context.notify(f"the buy of {number} got no answer and did not rent it; trying the next")
                return None
            self.context.notify(f"the buy of {number} got no answer but rented it: adopted")
            return "Success"

    @staticmethod
    def _default_app(api: PlivoClient) -> str | None:
        flagged = sorted(str(a["app_id"]) for a in api.iter_applications() if a.get("default_app"))
        return flagged[0] if flagged else None

    def _make_reservation(self, api: PlivoClient, key: str) -> str:
        found = self._reservation_app(api, key)  # made by a run whose create answer was lost
        if found:
            return found
        return str(api.create_application(reservation_name(key), RESERVATION_URL)["app_id"])

    # -- read, delete -------------------------------------------------------------------------------

    def read(self, id: str, props: dict[str, Any]) -> Observed:
        """The numbers the order holds. A refresh shows what the next `up` would set right as a
        change of the inputs it concerns: `app_id` / `subaccount` when a number's binding was changed
        by hand (the live value) or a number is still parked on the reservation application, `count`
        when fewer numbers carry the order's key than declared (one released, or its alias edited)."""
        if not props:
            raise PlivoError(
                f"cannot import PhoneNumberOrder {id!r}: an order is declared, not imported; declared "
                "under the same name it adopts the numbers that carry its key. Nothing was imported."
            )
        api = self.context.client()
        key = props.get(KEY) or id
        known = _known(props) or {str(n): {} for n in props.get("numbers") or ()}
        reservation = self._reservation_app(api, key)
        owned, _ = self._held(api, key, reservation, known)
        gone = sorted(set(known) - set(owned))
        count = props.get("count")  # the engine's numbers are floats
        if gone:
            short = isinstance(count, int | float) and len(owned) < count
            self.context.notify(
                f"PhoneNumberOrder {key}: number(s) {listed(gone)} no longer held (released, or marked by "
                "another order); "
                + (
                    "the next `up` buys replacements within max_monthly_cost"
                    if short
                    else f"it still holds {len(owned)}, count {count}: nothing to replace"
                )
            )
        observed = {**props, KEY: key}
        for number, obj in sorted(owned.items()):
            drift = _drift(obj, props)
            if reservation and app_id_from_uri(obj.get("application")) == reservation:
                drift["app_id"] = reservation  # parked by a run that stopped after the buy: bind it
            for name, have in drift.items():
                if observed.get(name) == props.get(name):
                    observed[name] = have
                    self.context.notify(
                        f"PhoneNumberOrder {key}: number {number} has {name} {have or '(none)'!r}, the order "
                        f"declares {props.get(name)!r}; the next `up` sets it back"
                    )
        # Held but not carrying the key (parked, or its alias edited by hand): counted out, so the
        # next `up` runs and gives it the key back (buying nothing for it: it is held).
        untagged = sorted(n for n, obj in owned.items() if obj.get("alias") != key)
        if untagged:
            self.context.notify(
                f"PhoneNumberOrder {key}: number(s) {listed(untagged)} held without the order's key as "
                "alias; the next `up` sets it"
            )
        tagged = len(owned) - len(untagged)
        if isinstance(count, int | float) and not isinstance(count, bool) and tagged < count:
            observed["count"] = tagged
        details = {
            n: known.get(n)
            or {
                "number": n,
                "monthly_rental_rate": obj.get("monthly_rental_rate"),
                "setup_rate": None,
                "status": "active",
            }
            for n, obj in owned.items()
        }
        return Observed(id, _outputs(observed, details, props.get("reservation_app_id")), None)

    def delete(self, id: str, props: dict[str, Any]) -> None:
        key = props.get(KEY) or id
        numbers = [str(n) for n in props.get("numbers") or ()]
        release = bool(props.get("release_on_delete"))
        api = self.context.client()
        reservation = self._reservation_app(api, key)
        listing: list[dict[str, Any]] = []
        if release or reservation:
            owned, listing = self._held(api, key, reservation, {n: {} for n in numbers})
            if release:
                numbers = sorted(set(numbers) | set(owned))
        self.context.deployment.mark_released(numbers)
        released = []
        for doomed in numbers_to_unrent(self.context, numbers, release, owner=f"PhoneNumberOrder {key}"):
            with self.context.explaining_refusals():
                unrent(api, doomed)
            released.append(doomed)
            self.context.notify(f"number {doomed} released (release_on_delete is true)")
        if reservation and not any(
            app_id_from_uri(o.get("application")) == reservation and str(o.get("number")) not in released
            for o in listing
        ):
            try:
                api.delete_application(reservation)
            except NotFoundError:
                pass

    def check_import(
        self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]
    ) -> list[Failure]:
        return [
            Failure(
                "", "a PhoneNumberOrder cannot be imported; declare it and it adopts the numbers it bought"
            )
        ]


def _digits_check(value: Any) -> str | None:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 15):
        return f"give 1-15 digits the number must contain, like '415', got {describe_value(value)}"
    return None


def _text_check(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return f"give a region or state name or code, like 'CA', got {describe_value(value)}"
    return None


def _filters(props: dict[str, Any]) -> str:
    shown = [f"{name}={props[name]!r}" for name in FILTERS if props.get(name)]
    return "filters " + ", ".join(shown)


def _rate_of(obj: dict[str, Any], known: dict[str, Any] | None) -> Decimal | None:
    rate = money(obj.get("monthly_rental_rate")) if obj.get("monthly_rental_rate") is not None else None
    if rate is None and known and str(obj.get("number")) in known:
        rate = money((known[str(obj["number"])] or {}).get("monthly_rental_rate"))
    return rate


def _managed_fields(props: dict[str, Any]) -> dict[str, Any]:
    """The fields the order sets on each number it holds: its key as alias, and the binding it
    declares (an unset `app_id` or `subaccount` is not managed after the buy)."""
    fields: dict[str, Any] = {"alias": props[KEY]}
    for name in ("app_id", "subaccount"):
        if props.get(name):
            fields[name] = props[name]
    return fields


def _drift(obj: dict[str, Any], props: dict[str, Any]) -> dict[str, str]:
    """The declared binding fields whose live value on the number `obj` differs: name -> live value."""
    live = {
        "app_id": app_id_from_uri(obj.get("application")),
        "subaccount": subaccount_from_uri(obj.get("sub_account", obj.get("subaccount")) or None),
    }
    return {name: live[name] for name in live if props.get(name) and live[name] != props[name]}


def _known(props: dict[str, Any]) -> dict[str, Any]:
    return {str(d.get("number")): d for d in props.get("details") or () if isinstance(d, dict)}


def _detail(offer: dict[str, Any], status: str) -> dict[str, Any]:
    detail = {
        "number": offer["number"],
        "monthly_rental_rate": offer.get("monthly_rental_rate"),
        "setup_rate": offer.get("setup_rate"),
        "status": "pending" if status == "pending" else "active",
    }
    if status == "pending":
        detail["restriction_text"] = offer.get("restriction_text") or offer.get("restriction")
    return detail


def _outputs(
    props: dict[str, Any], details: dict[str, dict[str, Any]], reservation: str | None
) -> dict[str, Any]:
    outs = {name: props.get(name) for name in INPUTS}
    outs[KEY] = props[KEY]
    outs["order_key"] = props[KEY]
    items = [details[n] for n in sorted(details)]
    outs["numbers"] = [d["number"] for d in items]
    outs["details"] = items
    monthly = sum((money(d.get("monthly_rental_rate")) or Decimal(0) for d in items), Decimal(0))
    setup = sum((money(d.get("setup_rate")) or Decimal(0) for d in items), Decimal(0))
    outs["monthly_cost"] = float(monthly.quantize(_CENT))
    outs["setup_cost"] = float(setup.quantize(_CENT))
    outs["reservation_app_id"] = reservation
    return outs
