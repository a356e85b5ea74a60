"""The benchmark's arithmetic and verdicts (`bench/report.py`, `bench/doc.py`) on hand-made samples:
`make bench` is not a test, but the figures it prints must be computed right."""

from __future__ import annotations

import pytest

from bench.doc import render
from bench.plan import full_plan
from bench.report import Results, targets, text_report
from bench.runner import ALL_VARIANTS, Cell, Sample


def cell(variant: str, n: int, latency: int, step: str, seconds: list[float], **kw) -> Cell:
    calls = kw.pop("calls", {})
    made = Cell(variant, n, latency, step, [Sample(s, dict(calls)) for s in seconds])
    made.state_bytes = kw.pop("state_bytes", None)
    return made


def target_a(results: Results):
    return next(t for t in targets(results) if t.name.startswith("(a)"))


def n200(rn: list[float], floor: list[float], **extra: list[float]) -> list[Cell]:
    cells = [cell("floor", 200, 0, "first_up", floor), cell("rented_number", 200, 0, "first_up", rn)]
    cells += [cell(name, 200, 0, "first_up", secs) for name, secs in extra.items()]
    return cells


def test_target_a_is_the_ratio_of_medians_and_shows_the_paired_ratio():
    results = Results(n200(rn=[11.0, 9.0, 10.0], floor=[10.0, 8.0, 9.5]))
    a = target_a(results)
    assert a.measured.startswith(f"{10.0 / 9.5:.2f}x")
    # per-run ratios 1.10, 1.125, 1.0526 -> median 1.10
    assert "median of the per-run ratios: 1.10x" in a.measured
    assert a.ok is True and a.verdict == "PASS"


@pytest.mark.parametrize(("rn", "verdict"), [([11.0, 11.0, 11.0], "PASS"), ([11.2, 11.2, 11.2], "MISS")])
def test_target_a_limit_is_inclusive(rn, verdict):
    assert target_a(Results(n200(rn=rn, floor=[10.0, 10.0, 10.0]))).verdict == verdict


def test_target_a_not_measured_without_the_floor():
    results = Results([cell("rented_number", 200, 0, "first_up", [5.0])])
    assert target_a(results).verdict == "n/a"


def test_paired_ratio_needs_matching_repetitions():
    results = Results(n200(rn=[2.0, 2.0], floor=[1.0, 1.0, 1.0]))
    assert results.paired_ratio("rented_number", "floor", 200, 0, "first_up") is None
    assert results.ratio("rented_number", "floor", 200, 0, "first_up") == pytest.approx(2.0)


def test_report_and_doc_take_the_gap_apart():
    results = Results(
        n200(
            rn=[12.0, 12.0, 12.0],
            floor=[10.0, 10.0, 10.0],
            floor_wide=[11.5, 11.5, 11.5],
            rented_number_slim=[10.5, 10.5, 10.5],
        )
    )
    text = text_report(results)
    assert "MISS  (a) RentedNumber first up, N=200, 0 ms, vs the floor: 1.20x" in text
    assert "is 1.15x the floor; RentedNumber, with its 400 API calls, is 1.04x that" in text
    assert "RentedNumber without the 9 API-reported outputs, same API calls, is 1.05x the floor" in text
    doc = render(results, {"CPUs (nproc)": "2"}, [], 60.0, {}, full=False)
    assert "Without those outputs RentedNumber would meet target (a)" in doc


def test_the_full_plan_measures_every_target_cell_with_known_variants():
    groups = full_plan()
    assert all(v in ALL_VARIANTS for g in groups for v in g.variants)
    n200 = [g for g in groups if g.n == 200]
    assert n200 and {"floor", "rented_number"} <= set(n200[0].variants) and n200[0].runs >= 3
    reconcile = [g for g in groups if g.n == 1000 and g.latency == 50 and "rented_number_set" in g.variants]
    assert reconcile and {"refresh", "drift_up"} <= set(reconcile[0].steps)
    assert "imperative" in reconcile[0].variants and reconcile[0].runs >= 3


def test_backends_report_gives_medians_and_ratios():
    from bench.backends import render

    samples = {
        "file": {"first_up": [2.0, 4.0, 3.0], "noop_up": [1.0, 1.0, 1.0], "reconcile": [2.0, 2.0, 2.0]},
        "postgres": {"first_up": [6.0, 6.0, 6.0], "noop_up": [1.0, 1.5, 1.0], "reconcile": [3.0, 3.0, 3.0]},
    }
    report = render(samples, 50, 3)
    assert "| first_up | 3.00 s | 6.00 s | 2.00x |" in report
    assert "| noop_up | 1.00 s | 1.00 s | 1.00x |" in report
    assert "| reconcile | 2.00 s | 3.00 s | 1.50x |" in report
