"""`python -m bench` (what `make bench` runs). See `--help`, and docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.engine import HARNESSES, REPO, default_signals, engine_command, engine_version
from bench.plan import custom_plan, full_plan, quick_plan
from bench.report import Results, machine, sdk_version, text_report
from bench.runner import ALL_VARIANTS, STEPS, Bench, cells_from_json, cells_to_json

DOC = REPO / "docs" / "benchmarks.md"
RESULTS = REPO / ".bench" / "results.json"


def _csv(kind, allowed=None):
    def parse(text: str):
        items = [kind(x.strip().replace("_", "") if kind is int else x.strip()) for x in text.split(",")]
        bad = [x for x in items if allowed is not None and x not in allowed]
        if bad:
            raise argparse.ArgumentTypeError(
                f"unknown: {', '.join(map(str, bad))} (choose from {', '.join(allowed)})"
            )
        return items

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Fleet benchmarks of plivo-pulumi against the local simulator (the full run writes "
        "docs/benchmarks.md).",
    )
    parser.add_argument("--quick", action="store_true", help="N=10 and 100 only, one run each (development)")
    parser.add_argument("--sizes", type=_csv(int), help="numbers per stack, e.g. 10,100 (custom run)")
    parser.add_argument("--latencies", type=_csv(int), help="simulator latency in ms, e.g. 0,50 (custom run)")
    parser.add_argument(
        "--variants", type=_csv(str, ALL_VARIANTS), help=f"subset of {','.join(ALL_VARIANTS)}"
    )
    parser.add_argument("--steps", type=_csv(str, STEPS), help=f"subset of {','.join(STEPS)}")
    parser.add_argument(
        "--harnesses",
        type=_csv(str, HARNESSES),
        help="how the engine variants run: cli (the pulumi CLI in a project folder, the default), "
        "inline (Automation API), or both: cli,inline",
    )
    parser.add_argument("--runs", type=int, help="repetitions per step (default 3; 1 with --quick)")
    parser.add_argument(
        "--fresh-runs",
        type=int,
        help="repetitions of the fresh-start steps (preview_new, first_up) when fewer than --runs "
        "(a first up of 10,000 numbers takes minutes)",
    )
    parser.add_argument(
        "--anatomy",
        action="store_true",
        help="after the measured runs, one more first up and no-op up of each separate-resource variant "
        "with the engine's verbose log: its time outside and inside provider calls (custom run)",
    )
    parser.add_argument(
        "--doc", type=Path, help=f"write the markdown report here (default for the full run: {DOC})"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not write the markdown report")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"raw results (default {RESULTS})")
    parser.add_argument("--from-json", type=Path, help="no run: report the raw results of an earlier run")
    parser.add_argument("--keep", action="store_true", help="keep the stacks' temp dirs (for inspection)")
    parser.add_argument("--plan", action="store_true", help="print the plan and exit")
    args = parser.parse_args(argv)
    default_signals()

    command = engine_command()
    info = machine()
    info["engine"] = engine_version(command)
    custom = any(
        x is not None
        for x in (
            args.sizes,
            args.latencies,
            args.variants,
            args.steps,
            args.runs,
            args.harnesses,
            args.fresh_runs,
            args.anatomy or None,
        )
    )
    if args.from_json:
        data = json.loads(args.from_json.read_text(encoding="utf-8"))
        cells = cells_from_json(data["cells"])
        info, plan_text, seconds = data["machine"], data["plan"], data["seconds"]
        overhead = data.get("overhead", {})
        info.setdefault("Pulumi Python SDK", sdk_version())  # pinned in constraints.txt
        full = data.get("full", False)
    else:
        if args.quick:
            groups = quick_plan(args.runs or 1)
        elif custom:
            groups = custom_plan(
                args.sizes,
                args.latencies,
                args.variants,
                args.steps,
                args.runs or 3,
                args.harnesses,
                fresh_runs=args.fresh_runs,
                anatomy=args.anatomy,
            )
        else:
            groups = full_plan()
        full = not (args.quick or custom)
        plan_text = [g.describe() for g in groups]
        if args.plan:
            print("\n".join(plan_text))
            return 0
        print(f"engine {info['engine']}, {info['CPUs (nproc)']} CPUs, load {info['load average at start']}")
        start = time.monotonic()
        bench = Bench(groups, keep=args.keep)
        cells = bench.run()
        overhead = bench.overhead
        seconds = time.monotonic() - start
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "machine": info,
            "plan": plan_text,
            "seconds": seconds,
            "full": full,
            "overhead": overhead,
            "cells": cells_to_json(cells),
        }
        args.json.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        print(f"\nraw results: {args.json}")

    results = Results(cells)
    print()
    print(text_report(results))
    print(f"\nthe run took {seconds / 60:.1f} min")
    doc = args.doc or (DOC if full else None)
    if doc is not None and not args.no_doc:
        from bench.doc import render
        from bench.plots import draw

        for path in draw(results, doc.parent / "img"):
            print(f"wrote {path}")

        doc.write_text(render(results, info, plan_text, seconds, overhead, full=full), encoding="utf-8")
        print(f"wrote {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
