"""What `RentedNumber` and `RentedNumberSet` do alike: refuse numbers the account does not rent,
refuse an `import_` whose bindings differ, and the delete rules (never unrent unless asked, never a
number that a resource of the current deployment declares). One wording for both resources."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.errors import NumberNotFoundError, PlivoError
from plivo_pulumi.core.lifecycle.context import Context
from plivo_pulumi.core.run_journal import RunMemoryUnavailable

_SHOWN = 20


def listed(numbers: Sequence[str]) -> str:
    return ", ".join(numbers[:_SHOWN]) + (" ..." if len(numbers) > _SHOWN else "")


def not_rented(kind: str, numbers: Sequence[str], fix: str) -> PlivoError:
    """`kind` ("RentedNumber") binds only rented numbers; `fix` says what to change in the code."""
    if len(numbers) == 1:
        subject, pronoun = f"number {numbers[0]} is not rented by this account", "it"
    else:
        subject = f"{len(numbers)} number(s) are not rented by this account: {listed(numbers)}"
        pronoun = "them"
    return PlivoError(
        f"{subject}. {kind} binds numbers that are already rented (console or buy API); rent {pronoun} "
        f"first or {fix}. Nothing was changed."
    )


NUMBER_IMPORT_FIX = (
    "Make the code match the account (or leave the field unset), or drop `import_` to adopt and apply "
    "the code's bindings."
)


def import_refusal(subject: str, differences: Sequence[str], fix: str = NUMBER_IMPORT_FIX) -> str:
    """`import_` adopts without writing: why it is refused when the code's values differ from the
    account's. `fix` is the resource's own way out (a number's unset field is unmanaged, an
    application's is its default)."""
    return f"cannot import {subject} without a write: {'; '.join(differences[:_SHOWN])}. {fix}"


def import_mismatch(subject: str, differences: Sequence[str], fix: str = NUMBER_IMPORT_FIX) -> PlivoError:
    """The error of a create that `import_refusal` refuses."""
    return PlivoError(import_refusal(subject, differences, fix))


def numbers_to_unrent(
    context: Context, numbers: Iterable[str], unrent_on_delete: bool, owner: str | None = None
) -> list[str]:
    """The numbers a delete may unrent; the log says which stay rented and why (per number, or per
    `owner` such as "set numberset-1a2b" for many).

    A number that any resource of the current deployment declares is never unrented, whatever the
    state says (docs/design.md, "When a number is unrented"). Under `--target` / `--exclude` the
    engine does not check the resources left out, so the provider cannot know whether one of them
    declares the number: the delete then fails and the number stays rented until a full run.
    """
    numbers = sorted(numbers)
    if not unrent_on_delete:
        if owner:
            context.notify(
                f"{owner}: {len(numbers)} number(s) stay rented and bound (unrent_on_delete is false)"
            )
        for number in [] if owner else numbers:
            context.notify(f"number {number} stays rented with its bindings (unrent_on_delete is false)")
        return []
    try:
        kept = [n for n in numbers if context.deployment.declares(n)]
    except RunMemoryUnavailable as exc:  # fail closed: the number may be declared elsewhere
        raise PlivoError(f"{_subject(numbers)} not unrented: {exc}") from None
    if kept and owner:
        context.notify(
            f"{owner}: {len(kept)} number(s) stay rented: another resource of the stack declares them"
        )
    for number in [] if owner else kept:
        context.notify(f"number {number} stays rented: another resource of the stack declares it")
    doomed = [n for n in numbers if n not in kept]
    try:
        constrained = bool(doomed) and context.constrained()
    except PlivoError as exc:  # the run's limits are unknown: as if limited
        raise PlivoError(f"{_subject(doomed)} not unrented: {exc}") from None
    if constrained:
        raise PlivoError(
            f"{_subject(doomed)} not unrented: "
            "this run is limited by --target/--exclude, so the resources it "
            "leaves out are not checked and one of them may still declare "
            f"{'it' if len(doomed) == 1 else 'them'} ({listed(doomed)}). Nothing was unrented. Run "
            "`pulumi up` without --target/--exclude to delete the resource: its numbers are unrented then "
            "only if no resource of the code declares them."
        )
    return doomed


def _subject(numbers: Sequence[str]) -> str:
    return f"number {numbers[0]}" if len(numbers) == 1 else f"{len(numbers)} number(s) ({listed(numbers)})"


def unrent(api: PlivoClient, number: str) -> None:
    """DELETE (unrent); a number already gone counts as done."""
    try:
        api.unrent_number(number)
    except NumberNotFoundError:
        pass
