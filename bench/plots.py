"""Figures of one run for docs/benchmarks.md: time against N per variant (log scales), one image per
step and latency, with the API bound (the set's calls x latency / 8 requests in flight) as a dashed
line. matplotlib is a benchmark-only extra (`pip install -e '.[bench]'`, which `make bench` does)."""

from __future__ import annotations

from pathlib import Path

from bench.report import STEP_LABELS, Results, api_bound
from bench.runner import STEPS

PLOTTED = ("floor", "floor_set", "rented_number", "rented_number_set", "imperative_parallel", "imperative")
LABELS = {
    "floor": "floor (do-nothing resources)",
    "floor_set": "floor_set (one do-nothing map)",
    "rented_number": "RentedNumber",
    "rented_number_set": "RentedNumberSet",
    "imperative_parallel": "parallel script (fair baseline)",
    "imperative": "sequential script",
}


def draw(results: Results, out_dir: Path) -> list[Path]:
    """Write one PNG per (step, latency) that has at least two sizes; returns their paths. Nothing
    is drawn (and nothing fails) when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    latencies = sorted({lat for _, lat in results.sizes_latencies()})
    sizes = sorted({n for n, _ in results.sizes_latencies()})
    for latency in latencies:
        for step in STEPS:
            fig, ax = plt.subplots(figsize=(7, 4.5))
            drawn = False
            for variant in PLOTTED:
                points = [(n, results.get(variant, n, latency, step)) for n in sizes]
                points = [(n, c.median) for n, c in points if c is not None]
                if len(points) >= 2:
                    ax.plot(*zip(*points, strict=True), marker="o", label=LABELS[variant])
                    drawn = True
            bound = [(n, results.get("rented_number_set", n, latency, step)) for n in sizes]
            bound = [(n, api_bound(c)) for n, c in bound if c is not None and api_bound(c)]
            if len(bound) >= 2:
                ax.plot(*zip(*bound, strict=True), linestyle="--", color="grey", label="API bound of the set")
            if not drawn:
                plt.close(fig)
                continue
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("numbers (N)")
            ax.set_ylabel("seconds (median)")
            ax.set_title(f"{STEP_LABELS.get(step, step)}, API latency {latency} ms")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
            path = out_dir / f"bench-{step}-{latency}ms.png"
            fig.tight_layout()
            fig.savefig(path, dpi=90)
            plt.close(fig)
            written.append(path)
    return written
