"""Runs the benchmark plan: one simulator, a fresh stack per repetition where a step needs a fresh
start (preview of a new stack, first up), the same stack for no-op up, refresh and reconcile. Every
engine variant is one program source (`program_source`), run by each harness of its group
(bench/engine.py: the CLI in a project folder, or the Automation API inline)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench.anatomy import anatomy, provider_calls
from bench.engine import (
    REPO,
    BenchStack,
    CliStack,
    InlineStack,
    engine_command,
    make_stack,
    plugin_dir,
)
from bench.rss import PeakRss
from plivo_pulumi.simulator.testing import account_seed

MAIN = "MABENCHMARK000000001"
TOKEN = "tok-bench-Qm4Zr8Lx2Vn6Tb"
APP = "10000000000001"  # what the code binds every number to
OTHER_APP = "20000000000002"  # what an out-of-band change binds 5% of them to
DRIFT_SHARE = 0.05

VARIANTS = ("floor", "rented_number", "rented_number_set", "imperative_parallel", "imperative")
# Diagnostic variants, not in the default grid (the full plan runs them where they answer a question):
# `floor_wide`, a do-nothing resource with RentedNumber's 13 properties, tells the engine's cost per
# property from the cost of the API calls; `rented_number_slim`, RentedNumber's provider keeping only
# the 4 binding outputs, tells what the 9 API-reported outputs of docs/design.md cost; `floor_set`, one
# do-nothing resource holding the same N-entry `bindings` map as a RentedNumberSet, tells what the
# engine and the SDK cost to carry that map apart from the set's own work and its API calls.
ALL_VARIANTS = (
    "floor",
    "floor_wide",
    "floor_set",
    "rented_number",
    "rented_number_slim",
    "rented_number_set",
    "native_rented_number",
    "native_rented_number_set",
    "imperative_parallel",
    "imperative",
)
# The native provider plugin `pulumi-resource-plivo` (plivo_pulumi/native) on the same work as the
# dynamic RentedNumber and RentedNumberSet: its programs use the generated SDK `pulumi_plivo` when the
# venv has it, and the project's Pulumi.yaml loads the plugin from the venv's bin dir (bench/engine.py).
NATIVE = ("native_rented_number", "native_rented_number_set")
# The type token of each variant's resources in the engine's log and the checkpoint (bench/anatomy.py).
SET_TYPES = {
    "rented_number_set": "dynamic/plivo:RentedNumberSet::",
    "native_rented_number_set": "plivo:index:RentedNumberSet::",
}
RESOURCE_TYPES = {
    "floor": "dynamic/bench:Noop::",
    "floor_wide": "dynamic/bench:NoopWide::",
    "rented_number": "dynamic/plivo:RentedNumber::",
    "rented_number_slim": "dynamic/bench:SlimRentedNumber::",
    "native_rented_number": "plivo:index:RentedNumber::",
}
# The steps of the separate-resource variants that a group may take apart (Group.anatomy_steps), and
# which variants: the native RentedNumber's aim and what it is compared with.
ANATOMY_STEPS = ("first_up", "noop_up")
ANATOMY_VARIANTS = ("floor_wide", "rented_number", "native_rented_number")
NO_API = ("floor", "floor_wide", "floor_set")
# The scripts a user would write instead of a stack (bench/imperative.py): no engine, so no harness.
SCRIPTS = {"imperative": 1, "imperative_parallel": 8}  # List pages in flight; both POST 8 in flight
SCRIPT = "script"  # the harness name of their cells


def base_variant(name: str) -> str:
    """`rented_number+skip_checkpoints` -> `rented_number`."""
    return name.split("+", 1)[0]


STEPS = ("preview_new", "first_up", "noop_up", "refresh", "drift_up")
FRESH_STEPS = ("preview_new", "first_up")


@dataclass
class Sample:
    seconds: float
    calls: dict[str, int]
    provider_rss: int = 0  # bytes; for `imperative`, the script's own process
    engine_rss: int = 0
    inner_seconds: float | None = None  # imperative only: the work inside the script
    # Where the time went, from the simulator's request log (see api_phases); empty with no call.
    phases: dict[str, float] = field(default_factory=dict)


@dataclass
class Cell:
    variant: str
    n: int
    latency: int
    step: str
    harness: str = "cli"  # bench/engine.py HARNESSES, or SCRIPT for the imperative scripts
    samples: list[Sample] = field(default_factory=list)
    state_bytes: int | None = None  # checkpoint size after first up
    state_detail: dict[str, int] = field(default_factory=dict)  # what the checkpoint spends bytes on
    # One extra reconcile of the set with the engine's verbose log, not among the samples: where its
    # time goes (bench/anatomy.py).
    anatomy: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def median_sample(self) -> Sample:
        """The run whose time is the median (the lower one of an even count)."""
        ordered = sorted(self.samples, key=lambda s: s.seconds)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def calls(self) -> dict[str, int]:
        """Calls of the median run (all runs of a step make the same calls)."""
        return self.median_sample.calls

    @property
    def calls_vary(self) -> bool:
        return len({json.dumps(s.calls, sort_keys=True) for s in self.samples}) > 1

    @property
    def provider_rss(self) -> int:
        return max(s.provider_rss for s in self.samples)

    @property
    def phases(self) -> dict[str, float]:
        """The phases of the median run."""
        return self.median_sample.phases

    @property
    def engine_rss(self) -> int:
        return max(s.engine_rss for s in self.samples)


@dataclass
class Group:
    """Variants measured side by side at one size and latency: the fresh-start steps (preview of a new
    stack, first up) for each repetition and each variant in turn, then every other step, again one
    variant after the other within each repetition, so that a change in the machine's load hits
    every variant alike. `note` says why a group measures less than the whole grid."""

    n: int
    latency: int
    variants: tuple[str, ...]
    steps: tuple[str, ...]
    runs: int
    note: str = ""
    engine_env: dict[str, str] = field(default_factory=dict)  # extra engine settings for this group
    tag: str = ""  # appended to the variant names when engine_env changes what is measured
    harnesses: tuple[str, ...] = ("cli",)  # how the engine variants run (the scripts have none)
    # Repetitions of the fresh-start steps (preview of a new stack, first up) when fewer than `runs`:
    # at N=10,000 a first up takes minutes, a reconcile seconds.
    fresh_runs: int | None = None
    # After the measured runs, one more run of these steps (of ANATOMY_STEPS) for each separate-resource
    # variant, with the engine's verbose log: its time outside and inside provider calls.
    anatomy_steps: tuple[str, ...] = ()

    @property
    def fresh_reps(self) -> int:
        return self.runs if self.fresh_runs is None else min(self.fresh_runs, self.runs)

    def harnesses_of(self, variant: str) -> tuple[str, ...]:
        return (SCRIPT,) if variant in SCRIPTS else self.harnesses

    def describe(self) -> str:
        names = ", ".join(v + self.tag for v in self.variants)
        runs = f"x{self.runs}"
        if self.fresh_reps != self.runs:
            runs += f" (fresh starts x{self.fresh_reps})"
        text = f"N={self.n} {self.latency}ms {runs}: {names} | {' '.join(self.steps)}"
        if self.harnesses != ("cli",):
            text += f" [{' and '.join(self.harnesses)}]"
        if self.engine_env:
            text += " with " + " ".join(f"{k}={v}" for k, v in self.engine_env.items())
        return f"{text} ({self.note})" if self.note else text


PHASES = ("before", "reads", "between", "writes", "after")


def api_phases(
    requests: list[dict[str, Any]], started: float, ended: float, latency: float
) -> dict[str, float]:
    """Split a timed command (wall clock `started`..`ended`) by its API calls, from the simulator's
    request log (each entry's `time` is when its answer went out, after `latency`): `before` the first
    call, `reads` (first GET to last GET), `between` the last GET and the first write, `writes` (first
    to last POST or DELETE), `after` the last call. What is not reads or writes is the engine's,
    the program's and the provider's own time."""
    if not requests:
        return {}
    times = sorted((r["time"] - latency, r["time"], r["method"]) for r in requests)
    reads = [(s, e) for s, e, m in times if m == "GET"]
    writes = [(s, e) for s, e, m in times if m != "GET"]
    first, last = times[0][0], max(e for _, e, _ in times)
    phases = {"before": first - started, "after": ended - last}
    reads_end = max((e for _, e in reads), default=0.0)
    if reads:
        phases["reads"] = reads_end - reads[0][0]
    if writes:
        phases["writes"] = max(e for _, e in writes) - writes[0][0]
    if reads and writes:
        phases["between"] = writes[0][0] - reads_end
    return {k: round(max(0.0, phases[k]), 3) for k in PHASES if k in phases}


def seed(n: int) -> dict[str, Any]:
    # Rented, not linked to any application: the first up binds every number.
    return account_seed(
        MAIN,
        TOKEN,
        applications=[(APP, "voice-prod"), (OTHER_APP, "voice-old")],
        generate={"count": n, "prefix": "1555", "number_type": "local"},
    )


def drifted(numbers: list[str], rep: int) -> list[str]:
    """5% of the numbers (at least one), spread over the account, a different set each repetition."""
    k = max(1, round(len(numbers) * DRIFT_SHARE))
    stride = len(numbers) // k
    return numbers[rep % stride :: stride][:k]


# -- programs -------------------------------------------------------------------------------------

PROGRAM_HEAD = '''"""Benchmark program `{variant}` (bench/runner.py): numbers.json's numbers, bound to APP."""

import json
from pathlib import Path

NUMBERS = json.loads(Path(__file__).with_name("numbers.json").read_text())
APP = "{app}"

'''
PROGRAM_BODY = {
    "floor": 'from bench.noop import Noop\n\nfor number in NUMBERS:\n    Noop(f"n{number}", number)\n',
    "floor_wide": (
        'from bench.noop import NoopWide\n\nfor number in NUMBERS:\n    NoopWide(f"n{number}", number, APP)\n'
    ),
    "floor_set": 'from bench.noop import NoopMap\n\nNoopMap("fleet", {n: f"{APP}/*" for n in NUMBERS})\n',
    "rented_number": (
        "from plivo_pulumi import RentedNumber\n\n"
        'for number in NUMBERS:\n    RentedNumber(f"n{number}", number=number, app_id=APP)\n'
    ),
    "rented_number_slim": (
        "from bench.slim import SlimRentedNumber\n\n"
        'for number in NUMBERS:\n    SlimRentedNumber(f"n{number}", number, APP)\n'
    ),
    "rented_number_set": (
        "from plivo_pulumi import RentedNumberSet\n\n"
        'RentedNumberSet("fleet", {number: {"app_id": APP} for number in NUMBERS})\n'
    ),
}


# The native variants through the generated SDK, as users write them ...
NATIVE_SDK_BODY = {
    "native_rented_number": (
        "import pulumi_plivo as plivo\n\n"
        'for number in NUMBERS:\n    plivo.RentedNumber(f"n{number}", number=number, app_id=APP)\n'
    ),
    "native_rented_number_set": (
        "import pulumi_plivo as plivo\n\n"
        'plivo.RentedNumberSet("fleet", bindings={number: {"app_id": APP} for number in NUMBERS})\n'
    ),
}
# ... or, in a venv without the SDK, as raw resources of the same type tokens (the same calls to the
# plugin; the SDK only adds typed arguments in the program).
NATIVE_RAW_BODY = {
    "native_rented_number": (
        "import pulumi\n\n"
        "for number in NUMBERS:\n"
        '    pulumi.CustomResource("plivo:index:RentedNumber", f"n{number}", '
        '{"number": number, "appId": APP, "unrentOnDelete": False})\n'
    ),
    "native_rented_number_set": (
        "import pulumi\n\n"
        'pulumi.CustomResource("plivo:index:RentedNumberSet", "fleet", '
        '{"bindings": {number: {"appId": APP} for number in NUMBERS}, "maxInFlight": 8, '
        '"unrentOnDelete": False})\n'
    ),
}


def has_sdk() -> bool:
    """Whether this python has the generated SDK `pulumi_plivo` (`make venv` installs it)."""
    return importlib.util.find_spec("pulumi_plivo") is not None


def program_source(variant: str, *, sdk: bool | None = None) -> str:
    """The `__main__.py` of an engine variant (both harnesses run this same file). The native variants
    use the generated SDK when `sdk` (default: when this python has it)."""
    if variant in NATIVE:
        use_sdk = has_sdk() if sdk is None else sdk
        body = (NATIVE_SDK_BODY if use_sdk else NATIVE_RAW_BODY)[variant]
    elif variant in PROGRAM_BODY:
        body = PROGRAM_BODY[variant]
    else:
        raise ValueError(f"no engine program for variant {variant}")
    return PROGRAM_HEAD.format(variant=variant, app=APP) + body


# -- the run --------------------------------------------------------------------------------------


class Bench:
    def __init__(
        self, groups: list[Group], *, keep: bool = False, log: Callable[[str], None] = print
    ) -> None:
        self.groups = groups
        self.keep = keep
        self.log = log
        self.cells: dict[tuple[str, int, int, str, str], Cell] = {}
        self.started = time.monotonic()
        self.command = engine_command()
        self.sim: Any = None
        self.root = Path()  # a temp dir, made by run()
        # the deployed stack of each variant, size and harness
        self.stacks: dict[tuple[str, int, str], BenchStack] = {}
        self._stack_count = 0
        self.overhead: dict[str, float] = {}

    def say(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.log(f"[{int(elapsed // 60):3d}:{int(elapsed % 60):02d}] {text}")

    # simulator ---------------------------------------------------------------------------------

    def fresh_account(self, n: int) -> list[str]:
        """The account holds exactly N rented numbers, none linked to an application."""
        self.sim.reset(seed(n))
        numbers = sorted(x["number"] for x in self.sim.state()["numbers"])
        if len(numbers) != n:
            raise RuntimeError(f"the simulator holds {len(numbers)} numbers, expected {n}")
        return numbers

    def unbound(self, numbers: list[str]) -> list[str]:
        apps = {x["number"]: x["app_id"] for x in self.sim.state()["numbers"]}
        return [x for x in numbers if apps.get(x) != APP]

    def check_bound(self, numbers: list[str], what: str) -> None:
        wrong = self.unbound(numbers)
        if wrong:
            raise RuntimeError(f"after {what}, {len(wrong)} number(s) are not bound to {APP}: {wrong[:5]}")

    def drift(self, numbers: list[str], rep: int) -> None:
        for number in drifted(numbers, rep):
            self.sim.edit_out_of_band(number, app_id=OTHER_APP)

    # measuring ---------------------------------------------------------------------------------

    def timed(
        self, action: Callable[[], Any], latency_ms: int
    ) -> tuple[Any, float, dict[str, Any], dict[str, float]]:
        """Run `action` with the request log cleared first: its result, its seconds, the request log
        read after it, and the log's API phases (`api_phases`)."""
        self.sim.clear_log()
        wall_start, start = time.time(), time.perf_counter()
        result = action()
        seconds = time.perf_counter() - start
        wall_end = time.time()
        log = self.sim.requests_log()
        return result, seconds, log, api_phases(log["requests"], wall_start, wall_end, latency_ms / 1000)

    def measure(
        self, variant: str, harness: str, group: Group, step: str, rep: int, action: Callable[[], Any]
    ) -> Sample:
        """Time `action` (an engine command, or the imperative script, which returns its own work
        time and peak RSS), with the request log cleared before and read after."""
        with PeakRss() as peak:
            inner, seconds, log, phases = self.timed(action, group.latency)
        calls = dict(sorted(log["by_method"].items()))
        sample = Sample(seconds, calls, peak.provider, peak.engine)
        sample.phases = phases
        if isinstance(inner, tuple):
            sample.inner_seconds, sample.provider_rss = inner
        key = (variant + group.tag, group.n, group.latency, step, harness)
        self.cells.setdefault(key, Cell(*key)).samples.append(sample)
        shown = ", ".join(f"{m} {c}" for m, c in calls.items()) or "no API call"
        rss = f", {sample.provider_rss / 2**20:.0f} MB" if sample.provider_rss else ""
        self.say(
            f"{variant}{group.tag} [{harness}] N={group.n} {group.latency}ms {step} "
            f"run {rep + 1}/{group.runs}: {seconds:.2f} s, {shown}{rss}"
        )
        return sample

    # engine variants ---------------------------------------------------------------------------

    def new_stack(self, variant: str, harness: str, numbers: list[str], group: Group) -> BenchStack:
        self._stack_count += 1
        name = f"s{self._stack_count}"
        config = {
            "plivo:authId": (MAIN, False),
            "plivo:authToken": (TOKEN, True),
            "plivo:baseUrl": (self.sim.base_url, False),
        }
        return make_stack(
            harness,
            self.root / f"{variant}{group.tag}-{len(numbers)}-{harness}-{name}",
            name,
            program_source(variant),
            files={"numbers.json": json.dumps(numbers)},
            config=config,
            env=group.engine_env,
            command=self.command,
            plugins=plugin_dir() if base_variant(variant) in NATIVE else None,
        )

    def fresh_start(self, variant: str, harness: str, group: Group, rep: int, *, timed: bool) -> None:
        """A fresh account and, for the engine variants, a new stack: preview it, then first up."""
        numbers = self.fresh_account(group.n)
        measure = partial(self.measure, variant, harness, group)
        if variant in SCRIPTS:
            if timed and "preview_new" in group.steps:  # what would change: list and compare, no write
                measure("preview_new", rep, lambda: self.script(variant, numbers, write=False))
            if timed and "first_up" in group.steps:
                measure("first_up", rep, lambda: self.script(variant, numbers, write=True))
            else:
                self.script(variant, numbers, write=True)
        else:
            stack = self.new_stack(variant, harness, numbers, group)
            if timed and "preview_new" in group.steps:
                measure("preview_new", rep, stack.preview)
            if timed and "first_up" in group.steps:
                measure("first_up", rep, stack.up)
                cell = self.cells[(variant + group.tag, group.n, group.latency, "first_up", harness)]
                cell.state_bytes = stack.checkpoint().stat().st_size
                cell.state_detail = checkpoint_detail(stack.checkpoint())
            else:
                self.say(f"{variant} [{harness}] N={group.n}: deploying the stack (not measured)")
                stack.up()
            self.stacks[(variant + group.tag, group.n, harness)] = stack
        if variant not in NO_API:
            self.check_bound(numbers, f"the first {variant} deployment")

    def reuse_step(
        self, variant: str, harness: str, group: Group, step: str, rep: int, numbers: list[str]
    ) -> None:
        api = variant not in NO_API
        measure = partial(self.measure, variant, harness, group, step, rep)
        if variant in SCRIPTS:
            if step == "drift_up":
                self.drift(numbers, rep)
            # noop_up and drift_up: list, compare, write what differs; refresh: list and compare
            measure(lambda: self.script(variant, numbers, write=step != "refresh"))
        else:
            stack = self.stacks[(variant + group.tag, group.n, harness)]
            if step == "noop_up":
                measure(stack.up)
            elif step == "refresh":
                measure(stack.refresh)
            elif step == "drift_up":
                if api:
                    self.drift(numbers, rep)
                measure(lambda: stack.up(refresh=True))
        if api and step == "drift_up":
            self.check_bound(numbers, f"{variant} {step}")

    # imperative --------------------------------------------------------------------------------

    def script(self, variant: str, numbers: list[str], *, write: bool) -> tuple[float, int]:
        request = {
            "base_url": self.sim.base_url,
            "auth_id": MAIN,
            "auth_token": TOKEN,
            "desired": {number: APP for number in numbers},
            "write": write,
            "pages_in_flight": SCRIPTS[variant],
        }
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        done = subprocess.run(
            [sys.executable, "-m", "bench.imperative"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the imperative script failed ({done.returncode}): {done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return result["seconds"], result["vm_hwm"]

    # driver ------------------------------------------------------------------------------------

    def run_group(self, group: Group) -> None:
        self.sim.set_faults(latency_ms=group.latency)
        fresh = [s for s in group.steps if s in FRESH_STEPS]
        reuse = [s for s in group.steps if s not in FRESH_STEPS]
        if fresh:
            for rep in range(group.fresh_reps):
                for variant in group.variants:
                    for harness in group.harnesses_of(variant):
                        self.fresh_start(variant, harness, group, rep, timed=True)
        if not reuse:
            self.dissect_resources(group)
            return
        for variant in group.variants:
            for harness in group.harnesses_of(variant):
                if variant not in SCRIPTS and (variant + group.tag, group.n, harness) not in self.stacks:
                    self.fresh_start(variant, harness, group, 0, timed=False)
        numbers = sorted(x["number"] for x in self.sim.state()["numbers"])
        if any(v not in NO_API for v in group.variants):
            for number in self.unbound(numbers):  # the floor's fresh start leaves the account unbound
                self.sim.edit_out_of_band(number, app_id=APP)
        for step in reuse:
            for rep in range(group.runs):
                for variant in group.variants:
                    for harness in group.harnesses_of(variant):
                        self.reuse_step(variant, harness, group, step, rep, numbers)
        if "cli" in group.harnesses:
            for step in ("refresh", "drift_up"):
                for variant in group.variants:
                    if variant in SET_TYPES and step in reuse:
                        self.dissect(group, numbers, variant, step)
        self.dissect_resources(group)

    def dissect_resources(self, group: Group) -> None:
        """Group.anatomy_steps: one more no-op up of each deployed stack of separate resources, then one
        more first up of a new stack of each, with the engine's verbose log, not among the samples."""
        if "cli" not in group.harnesses:
            return
        variants = [v for v in group.variants if v in ANATOMY_VARIANTS]
        for step in ("noop_up", "first_up"):
            if step not in group.anatomy_steps:
                continue
            for variant in variants:
                key = (variant + group.tag, group.n, group.latency, step, "cli")
                if key not in self.cells:
                    continue
                if step == "noop_up":
                    stack = self.stacks[(variant + group.tag, group.n, "cli")]
                else:
                    numbers = self.fresh_account(group.n)
                    stack = self.new_stack(variant, "cli", numbers, group)
                assert isinstance(stack, CliStack)
                log, seconds, _, _ = self.timed(stack.up_logged, group.latency)
                if step == "first_up" and variant not in NO_API:
                    self.check_bound(numbers, f"the dissected first up of {variant}")
                calls = provider_calls(log, RESOURCE_TYPES[variant])
                cell = self.cells[key]
                cell.anatomy = anatomy(seconds, calls, {})
                self.say(
                    f"{variant} [cli] N={group.n} {group.latency}ms {step} with the engine's log: "
                    f"{seconds:.2f} s = engine {cell.anatomy['engine']:.2f} s, inside provider calls "
                    f"{cell.anatomy['provider']:.2f} s ({len(calls)} calls)"
                )

    def dissect(
        self, group: Group, numbers: list[str], variant: str = "rented_number_set", step: str = "drift_up"
    ) -> None:
        """After the measured runs, one more reconcile (`drift_up`, after a new drift) or refresh of a
        set with the engine's verbose log: how its time splits between the engine, the provider and
        the API (bench/anatomy.py)."""
        stack = self.stacks[(variant + group.tag, group.n, "cli")]
        assert isinstance(stack, CliStack)
        if step == "drift_up":
            self.drift(numbers, group.runs)
            action: Callable[[], str] = partial(stack.up_logged, refresh=True)
        else:
            action = stack.refresh_logged
        log, seconds, _, phases = self.timed(action, group.latency)
        if step == "drift_up":
            self.check_bound(numbers, "the dissected reconcile")
        calls = provider_calls(log, SET_TYPES[variant])
        cell = self.cells[(variant + group.tag, group.n, group.latency, step, "cli")]
        cell.anatomy = anatomy(seconds, calls, phases)
        parts = ", ".join(f"{k} {cell.anatomy[k]:.2f} s" for k in ("engine", "api", "provider"))
        what = "reconcile" if step == "drift_up" else step
        self.say(
            f"{variant} [cli] N={group.n} {group.latency}ms {what} with the engine's log: "
            f"{seconds:.2f} s = {parts}"
        )

    def measure_overhead(self) -> None:
        """After `up`, the Automation API runs `pulumi stack output` and `pulumi stack history` (for
        UpResult): time both on a deployed inline stack, as a fixed cost included in every inline
        `up` figure (the CLI does not run them)."""
        inline = {key: stack for key, stack in self.stacks.items() if isinstance(stack, InlineStack)}
        if not inline:
            return
        stack = min(inline.items(), key=lambda item: item[0][1])[1].stack
        for name, call in (("stack_output", stack.outputs), ("stack_history", stack.info)):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            self.overhead[name] = statistics.median(times)
        self.say(
            "Automation API bookkeeping after each inline up: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in self.overhead.items())
        )

    def run(self) -> list[Cell]:
        from plivo_pulumi.simulator.testing import SimulatorProcess

        self.root = Path(tempfile.mkdtemp(prefix="plivo-bench-"))
        try:
            with SimulatorProcess(seed=seed(1)) as sim:
                self.sim = sim
                for index, group in enumerate(self.groups, 1):
                    self.say(f"group {index}/{len(self.groups)}: {group.describe()}")
                    self.run_group(group)
                self.measure_overhead()
        finally:
            if self.keep:
                self.say(f"kept the stacks in {self.root}")
            else:
                shutil.rmtree(self.root, ignore_errors=True)
        return list(self.cells.values())


def checkpoint_detail(path: Path) -> dict[str, int]:
    """Bytes of the checkpoint spent on the plivo/bench resources, the engine's record of where each
    was declared (`stackTrace`, `sourcePosition`), and the serialized provider (`__provider`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    resources = data["checkpoint"]["latest"]["resources"]
    detail = {"resources": 0, "source_positions": 0, "serialized_provider": 0}
    for res in resources:
        if not res["type"].startswith(("pulumi-python:dynamic/", "plivo:index:")):
            continue
        detail["resources"] += len(json.dumps(res, separators=(",", ":")))
        for key in ("stackTrace", "sourcePosition"):
            if key in res:
                detail["source_positions"] += len(json.dumps(res[key], separators=(",", ":"))) + len(key) + 4
        for part in ("inputs", "outputs"):
            blob = (res.get(part) or {}).get("__provider")
            if blob:
                detail["serialized_provider"] += len(blob) + len('"__provider":"",')
    return detail


def cells_to_json(cells: list[Cell]) -> list[dict[str, Any]]:
    return [asdict(c) for c in cells]


def cells_from_json(data: list[dict[str, Any]]) -> list[Cell]:
    cells = []
    for item in data:
        if "harness" not in item:  # results written before the CLI harness: all inline
            item["harness"] = SCRIPT if item["variant"] in SCRIPTS else "inline"
        samples = [Sample(**s) for s in item.pop("samples")]
        cells.append(Cell(**item, samples=samples))
    return cells
