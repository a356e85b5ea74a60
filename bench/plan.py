"""Which cells run, how often.

The full plan is sized for `make bench` to finish within 40 minutes on a 2-core machine. Engine
variants run through the `pulumi` CLI in a project folder (as users run them); one group repeats them
through the Automation API (inline). A stack of 1,000 separate resources is slow to create through the
engine (minutes per first up), so at N=1,000 the floor and RentedNumber run once; at N=10,000 only the
fleet variants run: at 0 ms once per step, at 50 ms (the targets) the sets (dynamic and native) and the
parallel script three times per step but once for the fresh starts, side by side. The native
provider's variants run in the groups of the targets they answer: N=200 (RentedNumber against
floor_wide) and N=10,000 at 50 ms (the set against the parallel script).
"""

from __future__ import annotations

from bench.runner import ALL_VARIANTS, ANATOMY_STEPS, NO_API, STEPS, VARIANTS, Group

ENGINE_ONLY = "latency does not apply: the floor makes no API call"


def custom_plan(
    sizes,
    latencies,
    variants,
    steps,
    runs: int,
    harnesses=None,
    fresh_runs: int | None = None,
    anatomy: bool = False,
) -> list[Group]:
    harnesses = tuple(harnesses or ("cli",))
    sizes = sizes or [10, 100]
    latencies = latencies or [0, 50]
    variants = tuple(v for v in ALL_VARIANTS if v in (variants or VARIANTS))
    steps = tuple(s for s in STEPS if s in (steps or STEPS))
    anatomy_steps = tuple(s for s in steps if s in ANATOMY_STEPS) if anatomy else ()
    groups = []
    for n in sizes:
        for index, latency in enumerate(latencies):
            chosen = tuple(v for v in variants if v not in NO_API or index == 0)
            if chosen:
                groups.append(
                    Group(
                        n,
                        latency,
                        chosen,
                        steps,
                        runs,
                        harnesses=harnesses,
                        fresh_runs=fresh_runs,
                        anatomy_steps=anatomy_steps,
                    )
                )
    return groups


def quick_plan(runs: int = 1) -> list[Group]:
    return custom_plan([10, 100], [0, 50], None, None, runs)


def full_plan() -> list[Group]:
    every = STEPS
    without_floor = tuple(v for v in VARIANTS if v != "floor")
    fleet = ("floor_set", "rented_number_set", "imperative_parallel", "imperative")
    return [
        Group(10, 0, VARIANTS, every, 3),
        Group(10, 50, without_floor, every, 3, ENGINE_ONLY),
        Group(100, 0, VARIANTS, every, 3),
        Group(100, 50, without_floor, every, 3, ENGINE_ONLY),
        Group(
            100,
            0,
            ("floor", "rented_number", "rented_number_set"),
            every,
            3,
            "the same programs through the Automation API (inline), as programs that drive Pulumi run them",
            harnesses=("inline",),
        ),
        Group(
            200,
            0,
            ("floor", "floor_wide", "rented_number", "rented_number_slim", "native_rented_number"),
            ("first_up", "noop_up"),
            5,
            "target (a): RentedNumber, dynamic and native, against a do-nothing resource with its 13 "
            "properties (floor_wide), and without its 9 API-reported outputs (slim); then one more first "
            "up and no-op up of each with the engine's log",
            anatomy_steps=("first_up", "noop_up"),
        ),
        Group(1000, 0, fleet, every, 3),
        Group(1000, 50, fleet[1:], every, 3),
        Group(
            1000,
            0,
            ("floor", "rented_number"),
            every,
            1,
            "one run: a first up of 1,000 resources takes minutes",
        ),
        Group(
            10_000,
            0,
            fleet,
            every,
            1,
            "one run each (a first up of 10,000 numbers takes minutes); the variants side by side",
        ),
        Group(
            10_000,
            50,
            ("rented_number_set", "native_rented_number_set", "imperative_parallel"),
            every,
            3,
            "the targets' group: the dynamic and the native set beside the parallel script, side by side; "
            "a first up of 10,000 numbers takes minutes, so the fresh starts run once",
            fresh_runs=1,
        ),
        Group(10_000, 50, ("imperative",), every, 1, "the sequential script, once: the naive reference"),
    ]
