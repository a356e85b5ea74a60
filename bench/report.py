"""Tables, ratios and target verdicts from the measured cells, as text for the terminal and as
markdown for docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from bench.runner import ALL_VARIANTS, NO_API, STEPS, Cell, base_variant

STEP_LABELS = {
    "preview_new": "preview (new stack)",
    "first_up": "first up",
    "noop_up": "no-op up",
    "refresh": "refresh",
    "drift_up": "up --refresh after 5% drift",
}
VARIANT_LABELS = {
    "floor": "floor (no-op resource)",
    "rented_number": "RentedNumber × N",
    "rented_number_set": "RentedNumberSet",
    "imperative": "imperative script",
}
MB = 2**20


class Results:
    def __init__(self, cells: Iterable[Cell]) -> None:
        self.cells = {(c.variant, c.n, c.latency, c.step): c for c in cells if c.samples}

    def get(self, variant: str, n: int, latency: int, step: str) -> Cell | None:
        if base_variant(variant) in NO_API:  # the floor makes no API call: latency does not apply
            return self.cells.get((variant, n, latency, step)) or next(
                (c for (v, m, _, s), c in sorted(self.cells.items()) if (v, m, s) == (variant, n, step)), None
            )
        return self.cells.get((variant, n, latency, step))

    def ordered(self) -> list[Cell]:
        def key(c: Cell) -> tuple:
            return (
                c.n,
                c.latency,
                ALL_VARIANTS.index(base_variant(c.variant)),
                c.variant,
                STEPS.index(c.step),
            )

        return sorted(self.cells.values(), key=key)

    def sizes_latencies(self) -> list[tuple[int, int]]:
        return sorted(
            {(c.n, c.latency) for c in self.cells.values() if base_variant(c.variant) not in NO_API}
        )

    def ratio(self, num: str, den: str, n: int, latency: int, step: str) -> float | None:
        a, b = self.get(num, n, latency, step), self.get(den, n, latency, step)
        if a is None or b is None or b.median <= 0:
            return None
        return a.median / b.median

    def paired_ratio(self, num: str, den: str, n: int, latency: int, step: str) -> float | None:
        """Median of the per-repetition ratios: the variants of one repetition ran back to back, so
        this cancels a change of the machine's load between repetitions better than a ratio of
        medians."""
        a, b = self.get(num, n, latency, step), self.get(den, n, latency, step)
        if a is None or b is None or len(a.samples) != len(b.samples) or len(a.samples) < 2:
            return None
        return statistics.median(x.seconds / y.seconds for x, y in zip(a.samples, b.samples, strict=True))


def fmt_calls(cell: Cell) -> str:
    calls = cell.calls
    if not calls:
        return "0"
    total = sum(calls.values())
    text = " ".join(f"{m} {c}" for m, c in calls.items())
    text = text if len(calls) == 1 else f"{total}: {text}"
    return text + (" *" if cell.calls_vary else "")


def fmt_state(cell: Cell) -> str:
    if cell.state_bytes is None:
        return ""
    return f"{cell.state_bytes / cell.n:,.0f}"


def fmt_mb(value: int) -> str:
    return f"{value / MB:.0f}" if value else ""


def fmt_ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def table_rows(results: Results) -> list[list[str]]:
    rows = []
    for c in results.ordered():
        runs = len(c.samples)
        spread = f"{min(s.seconds for s in c.samples):.2f}-{max(s.seconds for s in c.samples):.2f}"
        rows.append(
            [
                c.variant,
                f"{c.n:,}",
                "-" if base_variant(c.variant) in NO_API else f"{c.latency}",
                c.step,
                f"{c.median:.2f}",
                f"{runs}" if runs == 1 else f"{runs} ({spread})",
                fmt_calls(c),
                fmt_state(c),
                fmt_mb(c.provider_rss),
                fmt_mb(c.engine_rss),
            ]
        )
    return rows


TABLE_HEADER = [
    "variant",
    "N",
    "latency ms",
    "step",
    "median s",
    "runs (min-max s)",
    "API calls",
    "state B/number",
    "provider RSS MB",
    "engine RSS MB",
]


def ratio_rows(results: Results) -> list[list[str]]:
    rows = []
    for n, latency in results.sizes_latencies():
        for step in STEPS:
            values = [
                results.ratio("rented_number", "floor", n, latency, step),
                results.ratio("rented_number_set", "imperative", n, latency, step),
                results.ratio("rented_number_set", "rented_number", n, latency, step),
                results.ratio("rented_number_set", "floor", n, latency, step),
            ]
            if any(v is not None for v in values):
                rows.append([f"{n:,}", f"{latency}", step, *(fmt_ratio(v) for v in values)])
    return rows


RATIO_HEADER = [
    "N",
    "latency ms",
    "step",
    "RentedNumber / floor",
    "Set / imperative",
    "Set / RentedNumber",
    "Set / floor",
]


@dataclass
class Target:
    name: str
    measured: str
    limit: str
    ok: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return "n/a" if self.ok is None else ("PASS" if self.ok else "MISS")


def targets(results: Results) -> list[Target]:
    found: list[Target] = []
    r = results.ratio("rented_number", "floor", 200, 0, "first_up")
    paired = results.paired_ratio("rented_number", "floor", 200, 0, "first_up")
    measured = fmt_ratio(r) or "not measured"
    if r is not None and paired is not None:
        measured += f" (median of the per-run ratios: {paired:.2f}x)"
    found.append(
        Target(
            "(a) RentedNumber first up, N=200, 0 ms, vs the floor",
            measured,
            "<= 1.10x",
            None if r is None else r <= 1.10,
        )
    )
    r = results.ratio("rented_number_set", "imperative", 1000, 50, "drift_up")
    found.append(
        Target(
            "(b) RentedNumberSet reconcile (up --refresh after 5% drift), N=1,000, 50 ms, vs the imperative "
            "script (list + compare + POST the 5%)",
            fmt_ratio(r) or "not measured",
            "<= 1.50x",
            None if r is None else r <= 1.50,
        )
    )
    cell = results.get("rented_number_set", 1000, 50, "refresh")
    calls = None if cell is None else sum(cell.calls.values())
    found.append(
        Target(
            "(b) RentedNumberSet refresh API calls, N=1,000, 50 ms",
            "not measured" if calls is None else f"{calls} ({fmt_calls(cell)})",
            "<= 60",
            None if calls is None else calls <= 60,
        )
    )
    cell = results.get("rented_number_set", 1000, 50, "drift_up") or results.get(
        "rented_number_set", 1000, 0, "drift_up"
    )
    gets = None if cell is None else cell.calls.get("GET", 0)
    found.append(
        Target(
            "(b) RentedNumberSet reads (GET) inside the reconcile, N=1,000",
            "not measured" if gets is None else f"{gets}",
            "<= 60",
            None if gets is None else gets <= 60,
        )
    )
    cell = next(
        (
            results.get("rented_number_set", 1000, lat, "first_up")
            for lat in (50, 0)
            if results.get("rented_number_set", 1000, lat, "first_up")
        ),
        None,
    )
    per = None if cell is None or cell.state_bytes is None else cell.state_bytes / cell.n
    found.append(
        Target(
            "(b) RentedNumberSet state per number, N=1,000",
            "not measured" if per is None else f"{per:.0f} B",
            "< 200 B",
            None if per is None else per < 200,
        )
    )
    return found


# -- rendering -------------------------------------------------------------------------------------


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def text_report(results: Results) -> str:
    parts = [
        "Results (median wall time; API calls of the median run, by method; * = runs differed)",
        text_table(TABLE_HEADER, table_rows(results)),
        "",
        "Ratios of median wall times (the floor makes no API call: its 0 ms figures serve both latencies)",
        text_table(RATIO_HEADER, ratio_rows(results)),
        "",
        "Targets",
    ]
    parts += [f"  {t.verdict:4}  {t.name}: {t.measured} (target {t.limit})" for t in targets(results)]
    wide = results.ratio("floor_wide", "floor", 200, 0, "first_up")
    rn = results.ratio("rented_number", "floor_wide", 200, 0, "first_up")
    if wide is not None and rn is not None:
        parts.append(
            f"  (N=200 first up: a do-nothing resource with RentedNumber's 13 properties is {wide:.2f}x the "
            f"floor; RentedNumber, with its 400 API calls, is {rn:.2f}x that)"
        )
    slim = results.ratio("rented_number_slim", "floor", 200, 0, "first_up")
    if slim is not None:
        parts.append(
            f"  (N=200 first up: RentedNumber without the 9 API-reported outputs, same API calls, is "
            f"{slim:.2f}x the floor)"
        )
    for variant in ("floor", "rented_number"):
        for step in ("first_up", "drift_up"):
            saved, plain = (results.get(variant + t, 1000, 0, step) for t in ("+skip_checkpoints", ""))
            if saved is not None and plain is not None:
                parts.append(
                    f"  (N=1,000 {variant} {step} with PULUMI_SKIP_CHECKPOINTS=true: {saved.median:.1f} s, "
                    f"{plain.median:.1f} s without)"
                )
    return "\n".join(parts)


def sdk_version() -> str:
    try:
        return importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPUs (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU model": cpu,
        "memory": mem,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Pulumi Python SDK": sdk_version(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
