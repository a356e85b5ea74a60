"""Which cells run, how often.

The full plan is sized for `make bench` to finish within 40 minutes on a 2-core machine. Engine
variants run through the `pulumi` CLI in a project folder (as users run them); one group repeats them
through the Automation API (inline). A stack of 1,000 separate resources is slow to create through the
engine (minutes per first up), so at N=1,000 the floor and RentedNumber run once; at N=10,000 only the
fleet variants run, once per step, side by side.
"""

from __future__ import annotations

from bench.runner import ALL_VARIANTS, NO_API, STEPS, VARIANTS, Group

ENGINE_ONLY = "latency does not apply: the floor makes no API call"


def custom_plan(
    sizes, latencies, variants, steps, runs: int, harnesses=None, fresh_runs: int | None = None
) -> list[Group]:
    harnesses = tuple(harnesses or ("cli",))
    sizes = sizes or [10, 100]
    latencies = latencies or [0, 50]
    variants = tuple(v for v in ALL_VARIANTS if v in (variants or VARIANTS))
    steps = tuple(s for s in STEPS if s in (steps or STEPS))
    groups = []
    for n in sizes:
        for index, latency in enumerate(latencies):
            chosen = tuple(v for v in variants if v not in NO_API or index == 0)
            if chosen:
                groups.append(
                    Group(n, latency, chosen, steps, runs, harnesses=harnesses, fresh_runs=fresh_runs)
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
            ("floor", "floor_wide", "rented_number", "rented_number_slim"),
            ("first_up",),
            5,
            "target (a): RentedNumber against a do-nothing resource with its 13 properties (floor_wide), "
            "and without its 9 API-reported outputs (slim)",
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
        Group(10_000, 50, fleet[1:], every, 1, "the targets' group: one run each, side by side"),
    ]
