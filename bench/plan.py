"""Which cells run, how often.

The full plan is sized for `make bench` to finish in about 25 minutes on a 2-core machine. A stack of
1,000 separate resources is slow to create through the engine (minutes per first up, see
docs/benchmarks.md), so at N=1,000 the floor and RentedNumber run once per step and their 50 ms
steps reuse the stack deployed at 0 ms; every cell a target depends on keeps three runs or more.
"""

from __future__ import annotations

from bench.runner import ALL_VARIANTS, NO_API, STEPS, VARIANTS, Group

ENGINE_ONLY = "latency does not apply: the floor makes no API call"


def custom_plan(sizes, latencies, variants, steps, runs: int) -> list[Group]:
    sizes = sizes or [10, 100]
    latencies = latencies or [0, 50]
    variants = tuple(v for v in ALL_VARIANTS if v in (variants or VARIANTS))
    steps = tuple(s for s in STEPS if s in (steps or STEPS))
    groups = []
    for n in sizes:
        for index, latency in enumerate(latencies):
            chosen = tuple(v for v in variants if v not in NO_API or index == 0)
            if chosen:
                groups.append(Group(n, latency, chosen, steps, runs))
    return groups


def quick_plan(runs: int = 1) -> list[Group]:
    return custom_plan([10, 100], [0, 50], None, None, runs)


def full_plan() -> list[Group]:
    every = STEPS
    without_floor = tuple(v for v in VARIANTS if v != "floor")
    fleet = ("rented_number_set", "imperative")
    return [
        Group(10, 0, VARIANTS, every, 3),
        Group(10, 50, without_floor, every, 3, ENGINE_ONLY),
        Group(100, 0, VARIANTS, every, 3),
        Group(100, 50, without_floor, every, 3, ENGINE_ONLY),
        Group(
            200,
            0,
            ("floor", "floor_wide", "rented_number", "rented_number_slim"),
            ("first_up",),
            5,
            "target (a); the floor with RentedNumber's 13 properties, and RentedNumber without its 9 "
            "API-reported outputs, to take the gap apart",
        ),
        Group(1000, 0, fleet, every, 3),
        Group(1000, 50, fleet, every, 3),
        Group(
            1000,
            0,
            ("floor", "rented_number"),
            every,
            1,
            "one run: a first up of 1,000 resources takes minutes",
        ),
        Group(
            1000,
            0,
            ("floor", "rented_number"),
            ("first_up", "noop_up", "refresh", "drift_up"),
            1,
            "one run: how much of the time is the engine saving state after every step",
            engine_env={"PULUMI_SKIP_CHECKPOINTS": "true"},
            tag="+skip_checkpoints",
        ),
        Group(
            1000,
            50,
            ("rented_number",),
            ("refresh", "drift_up"),
            1,
            "one run, on the stack deployed at 0 ms; preview and no-op up make no API call, so latency "
            "does not change them",
        ),
    ]
