"""What the account holds beyond one number object, read through the client: which numbers the List
API shows under a subaccount (docs/design.md, "Bindings"). The rules of what those answers mean are
in `plivo_pulumi.core.contract`, which does no I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import PAGE_SIZE, elsewhere
from plivo_pulumi.core.numbers import normalize_number

# Below this many numbers of one subaccount, per-number List calls are cheaper than paging it.
_PER_NUMBER_AT_MOST = 2


def _listed(api: PlivoClient, subaccount: str, number: str) -> bool:
    """One List call (more only if longer numbers share the prefix): is `number` in `subaccount`?"""
    for obj in api.iter_numbers(subaccount=subaccount, number_startswith=number):
        if normalize_number(obj["number"]) == number:
            return True
    return False


def subaccount_members(
    api: PlivoClient, subaccount: str, numbers: Iterable[str], in_flight: int = 8
) -> set[str]:
    """Which of `numbers` the List API shows under `subaccount`.

    Calls: one per number for at most two numbers; otherwise page 1 of the subaccount's listing,
    then the remaining pages or one call per number not yet seen, whichever is fewer:
    at most 1 + min(pages - 1, numbers)."""
    wanted = set(numbers)
    if len(wanted) <= _PER_NUMBER_AT_MOST:
        return {n for n in wanted if _listed(api, subaccount, n)}
    first = api.list_numbers(subaccount=subaccount, limit=PAGE_SIZE, offset=0)
    seen = {normalize_number(o["number"]) for o in first["objects"]}
    pages = math.ceil(int(first["meta"].get("total_count") or 0) / PAGE_SIZE)
    rest = sorted(wanted - seen)

    def page(offset: int) -> list[str]:
        listed = api.list_numbers(subaccount=subaccount, limit=PAGE_SIZE, offset=offset)
        return [normalize_number(o["number"]) for o in listed["objects"]]

    def listed(number: str) -> list[str]:
        return [number] if _listed(api, subaccount, number) else []

    if rest:
        by_pages = pages - 1 <= len(rest)
        work = range(PAGE_SIZE, pages * PAGE_SIZE, PAGE_SIZE) if by_pages else rest
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            for found in pool.map(page if by_pages else listed, work):
                seen.update(found)
    return wanted & seen


def resolve_subaccounts(api: PlivoClient, to_check: Mapping[str, str], in_flight: int = 8) -> dict[str, str]:
    """Live subaccounts of numbers whose objects carried none: {number: subaccount to check} ->
    {number: that subaccount, or `(not in ...)`}. Calls: `subaccount_members` per subaccount."""
    by_subaccount: dict[str, list[str]] = {}
    for number, subaccount in to_check.items():
        by_subaccount.setdefault(subaccount, []).append(number)
    live: dict[str, str] = {}
    for subaccount, numbers in sorted(by_subaccount.items()):
        members = subaccount_members(api, subaccount, numbers, in_flight)
        live.update({n: subaccount if n in members else elsewhere(subaccount) for n in numbers})
    return live
