"""The benchmark's arithmetic and verdicts (`bench/report.py`, `bench/doc.py`) on hand-made samples:
`make bench` is not a test, but the figures it prints must be computed right."""

from __future__ import annotations

import json

import pytest

from bench.anatomy import anatomy, busy, provider_calls
from bench.doc import render
from bench.plan import full_plan
from bench.report import Results, anatomy_rows, native_notes, native_rows, phase_rows, targets, text_report
from bench.runner import ALL_VARIANTS, NATIVE, Cell, Sample, api_phases, program_source


def cell(variant: str, n: int, latency: int, step: str, seconds: list[float], **kw) -> Cell:
    calls = kw.pop("calls", {})
    harness = kw.pop("harness", "script" if variant.startswith("imperative") else "cli")
    made = Cell(variant, n, latency, step, harness, [Sample(s, dict(calls)) for s in seconds])
    made.state_bytes = kw.pop("state_bytes", None)
    return made


def target_a(results: Results):
    return next(t for t in targets(results) if t.name.startswith("(a)"))


def n200(rn: list[float], floor: list[float], **extra: list[float]) -> list[Cell]:
    """`floor` is floor_wide's seconds: target (a) compares RentedNumber with it."""
    cells = [cell("floor_wide", 200, 0, "first_up", floor), cell("rented_number", 200, 0, "first_up", rn)]
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


def test_target_a_not_measured_without_floor_wide():
    results = Results([cell("rented_number", 200, 0, "first_up", [5.0])])
    assert target_a(results).verdict == "n/a"


def test_paired_ratio_needs_matching_repetitions():
    results = Results(n200(rn=[2.0, 2.0], floor=[1.0, 1.0, 1.0]))
    assert results.paired_ratio("rented_number", "floor_wide", 200, 0, "first_up") is None
    assert results.ratio("rented_number", "floor_wide", 200, 0, "first_up") == pytest.approx(2.0)


def test_report_and_doc_take_the_gap_apart():
    results = Results(
        [
            cell("floor", 200, 0, "first_up", [10.0, 10.0, 10.0]),
            cell("floor_wide", 200, 0, "first_up", [11.5, 11.5, 11.5]),
            cell("rented_number", 200, 0, "first_up", [12.0, 12.0, 12.0]),
            cell("rented_number_slim", 200, 0, "first_up", [10.5, 10.5, 10.5]),
        ]
    )
    text = text_report(results)
    assert "PASS  (a) RentedNumber first up, N=200, 0 ms, vs floor_wide" in text
    assert "1.04x (median of the per-run ratios: 1.04x); the engine's share (floor_wide): 11.5 s" in text
    assert "is 1.15x the floor; RentedNumber, with its 400 API calls, is 1.04x that" in text
    doc = render(results, {"CPUs (nproc)": "2"}, [], 60.0, {}, full=False)
    assert "Without those outputs RentedNumber would be within 1.10x of the floor itself" in doc


def fleet(step: str, ours: float, script: float, calls: dict[str, int]) -> list[Cell]:
    return [
        cell("rented_number_set", 10_000, 50, step, [ours], calls=calls),
        cell("imperative_parallel", 10_000, 50, step, [script], calls=calls),
        cell("floor_set", 10_000, 0, step, [2.0]),
    ]


def test_fleet_targets_compare_the_set_with_the_parallel_script():
    results = Results(fleet("drift_up", 12.0, 10.0, {"GET": 500, "POST": 500}))
    reconcile = next(t for t in targets(results) if "reconcile" in t.name)
    assert reconcile.measured.startswith("1.20x (12.0 s vs 10.0 s)") and reconcile.verdict == "PASS"
    assert next(t for t in targets(results) if "first up, N=10,000" in t.name).verdict == "n/a"


def test_where_the_time_goes_shows_the_api_bound_and_the_floor():
    from bench.report import time_rows

    (row,) = time_rows(Results(fleet("drift_up", 13.0, 10.0, {"GET": 500, "POST": 500})))
    # 1,000 calls x 50 ms / 8 in flight = 6.25 s; floor 2.0 s; the rest 13 - 6.25 - 2 = 4.75 s
    assert row == ["10,000", "50", "drift_up", "13.00", "10.00", "1.30x", "6.25", "2.00", "4.75"]


def test_the_full_plan_measures_every_target_cell_with_known_variants():
    groups = full_plan()
    assert all(v in ALL_VARIANTS for g in groups for v in g.variants)
    n200 = [g for g in groups if g.n == 200]
    assert n200 and {"floor", "rented_number"} <= set(n200[0].variants) and n200[0].runs >= 3
    fleet = [g for g in groups if g.n == 10_000 and g.latency == 50 and "rented_number_set" in g.variants]
    assert fleet and {"first_up", "refresh", "drift_up", "preview_new", "noop_up"} <= set(fleet[0].steps)
    assert "imperative_parallel" in fleet[0].variants
    assert any(g.harnesses == ("inline",) for g in groups), (
        "the Automation API figures stay, as a second column"
    )


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


# -- where the time goes: the request log's phases and the engine log's provider calls ------------

SET = "urn:pulumi:s1::plivo-bench::pulumi-python:dynamic/plivo:RentedNumberSet::fleet"


def engine_line(at: str, msg: str) -> str:
    return json.dumps({"time": f"2026-11-28T10:50:{at}Z", "level": "INFO", "msg": msg, "v": 7})


def test_api_phases_split_a_run_by_its_requests():
    t0 = 1000.0
    requests = [
        {"method": "GET", "time": t0 + 1.05 + i * 0.1} for i in range(10)
    ]  # answered 50 ms after start
    requests += [{"method": "POST", "time": t0 + 3.05 + i * 0.1} for i in range(5)]
    phases = api_phases(requests, t0, t0 + 4.0, 0.05)
    # first GET starts at 1.0, the last answered at 1.95; POSTs from 3.0 to 3.45
    assert phases == {"before": 1.0, "reads": 0.95, "between": 1.05, "writes": 0.45, "after": 0.55}
    assert api_phases([], t0, t0 + 1, 0.05) == {}
    reads_only = api_phases(requests[:10], t0, t0 + 2.5, 0.05)
    assert set(reads_only) == {"before", "reads", "after"}


def test_provider_calls_pair_start_and_answer_of_the_resource_type_only():
    log = "\n".join(
        [
            "not json: the engine's plain stderr",
            engine_line(
                "38.100000000", f"Provider[0x1].Read(numberset-1,{SET}) executing (#inputs=4, #state=4)"
            ),
            engine_line("42.250000000", f"Provider[0x1].Read(numberset-1,{SET}) success; id=x"),
            engine_line("42.300000000", f"Provider[0x1].Diff({SET},numberset-1): executing (#oldInputs=4)"),
            engine_line("42.400000000", f"Provider[0x1].Diff({SET},numberset-1) success: changes=2"),
            engine_line(
                "43.000000000", "Provider[0x2].CheckConfig(urn:pulumi:s1::p::pulumi:providers:x) executing"
            ),
            engine_line("43.200000000", f"Provider[0x1].Check({SET}) executing (#oldInputs=4,#newInputs=4)"),
            engine_line("43.600000000", f"Provider[0x1].Check({SET}) success: inputs=#4 failures=#0"),
            engine_line("44.000000000", f"Provider[0x1].Update(numberset-1,{SET}) executing (#oldInputs=4)"),
            engine_line("47.700000000", f"Provider[0x1].Update(numberset-1,{SET}) success; #outs=4"),
        ]
    )
    calls = provider_calls(log, "dynamic/plivo:RentedNumberSet")
    assert [name for name, _, _ in calls] == ["Read", "Diff", "Check", "Update"]
    assert [round(end - start, 3) for _, start, end in calls] == [4.15, 0.1, 0.4, 3.7]
    split = anatomy(11.0, calls, {"reads": 4.0, "writes": 3.4})
    assert split["engine"] == pytest.approx(11.0 - 8.35)
    assert split["api"] == pytest.approx(7.4) and split["provider"] == pytest.approx(0.95)
    assert split["calls"] == {"Read": 4.15, "Diff": 0.1, "Check": 0.4, "Update": 3.7}


def test_the_report_shows_the_phases_and_the_dissected_reconcile():
    ours = cell("rented_number_set", 10000, 50, "drift_up", [11.0])
    script = cell("imperative_parallel", 10000, 50, "drift_up", [7.9])
    ours.samples[0].phases = {"before": 1.3, "reads": 4.0, "between": 2.0, "writes": 3.4, "after": 0.3}
    script.samples[0].phases = {"before": 0.2, "reads": 4.0, "between": 0.1, "writes": 3.4, "after": 0.2}
    ours.anatomy = anatomy(11.0, [("Read", 0.0, 4.2), ("Update", 6.0, 9.6)], {"reads": 4.0, "writes": 3.4})
    results = Results([ours, script])
    rows = phase_rows(results)
    assert [r[3] for r in rows] == ["rented_number_set", "imperative_parallel"]
    assert [r[-1] for r in rows] == ["3.60", "0.50"]  # outside the API: total - reads - writes
    assert anatomy_rows(results) == [
        [
            "rented_number_set",
            "10,000",
            "50",
            "drift_up",
            "11.00",
            "3.20",
            "7.40",
            "0.40",
            "Read 4.20, Update 3.60",
        ]
    ]
    report = text_report(results)
    assert "engine, API, provider" in report
    # 11.0 s - 0.4 s of provider work = 10.6 s against the script's 7.9 s; engine 3.2 s = 41%
    assert "would take 10.6 s, 1.34x the parallel script's 7.9 s" in report and "3.2 s alone is 41%" in report
    assert "One reconcile taken apart" in render(results, {}, [], 60.0, {}, full=False)


# -- the native provider beside the dynamic one ----------------------------------------------------


def test_the_full_plan_measures_the_native_variants_beside_the_dynamic_ones():
    groups = full_plan()
    n200 = [g for g in groups if g.n == 200 and "native_rented_number" in g.variants]
    assert n200 and {"floor_wide", "rented_number"} <= set(n200[0].variants)
    assert {"first_up", "noop_up"} <= set(n200[0].steps) and n200[0].runs >= 3
    fleet = [g for g in groups if g.n == 10_000 and "native_rented_number_set" in g.variants]
    assert fleet and fleet[0].latency == 50 and fleet[0].runs >= 3
    assert {"rented_number_set", "imperative_parallel"} <= set(fleet[0].variants)
    assert {"first_up", "refresh", "drift_up"} <= set(fleet[0].steps)  # first_up: the state per number


@pytest.mark.parametrize("sdk", [True, False])
def test_native_programs_use_the_sdk_or_the_raw_type_tokens(sdk):
    for variant in NATIVE:
        source = program_source(variant, sdk=sdk)
        compile(source, variant, "exec")
        assert ("import pulumi_plivo as plivo" in source) is sdk
        assert sdk or "plivo:index:RentedNumber" in source


def test_busy_is_the_union_of_overlapping_calls():
    assert busy([("Check", 0.0, 1.0), ("Create", 0.5, 2.0), ("Create", 3.0, 4.0)]) == pytest.approx(3.0)
    split = anatomy(5.0, [("Create", 0.0, 2.0), ("Create", 1.0, 3.0)], {})
    assert split["engine"] == pytest.approx(2.0) and split["provider"] == pytest.approx(3.0)
    assert split["counts"] == {"Create": 2} and split["calls"] == {"Create": 4.0}  # the sum of the calls


def native_cells(native_first: float, native_set: float) -> list[Cell]:
    cells = n200(rn=[12.0, 12.0, 12.0], floor=[10.0, 10.0, 10.0])
    cells.append(cell("native_rented_number", 200, 0, "first_up", [native_first] * 3, state_bytes=200 * 900))
    cells[1].state_bytes = 200 * 2800
    for step in ("noop_up",):
        cells += [
            cell(v, 200, 0, step, [4.0] * 3) for v in ("floor_wide", "rented_number", "native_rented_number")
        ]
    cells += [
        cell("rented_number_set", 10_000, 50, "drift_up", [11.0]),
        cell("native_rented_number_set", 10_000, 50, "drift_up", [native_set]),
        cell("imperative_parallel", 10_000, 50, "drift_up", [8.0]),
    ]
    return cells


def test_native_aims_and_rows():
    results = Results(native_cells(native_first=10.5, native_set=11.0))
    native = {t.name.split(",")[0]: t for t in targets(results) if t.name.startswith("(native)")}
    assert native["(native) RentedNumber first up"].verdict == "PASS"
    assert native["(native) RentedNumber first up"].measured == "1.05x (10.5 s / 10.0 s; per run 1.05x)"
    assert native["(native) RentedNumber no-op up"].verdict == "PASS"
    reconcile = next(t for name, t in native.items() if "Set" in name)
    assert reconcile.verdict == "MISS" and reconcile.limit == "<= 1.25x"  # 11/8 = 1.375
    rows = {row[0]: row for row in native_rows(results)}
    first = rows["RentedNumber first up / floor_wide, N=200, 0 ms"]
    assert first[1].startswith("1.20x") and first[2].startswith("1.05x") and first[4] == "PASS"
    assert rows["state per number: RentedNumber, N=200"][1:3] == ["2,800 B", "900 B"]
    assert rows["state per number: RentedNumberSet, N=10,000"][1:3] == ["not measured", "not measured"]
    notes = native_notes(results)
    assert any("within the aim" in n for n in notes)
    assert any("1.38x the parallel script" in n and "not taken apart" in n for n in notes)


def test_what_stops_the_native_set_is_named_from_its_anatomy():
    cells = native_cells(native_first=12.0, native_set=11.0)
    native_set = next(c for c in cells if c.variant == "native_rented_number_set")
    # engine 4 s + API 6 s = 10 s > 1.25 x 8 s: the engine and the API alone miss the aim
    native_set.anatomy = anatomy(
        11.0, [("Read", 0.0, 3.5), ("Update", 4.0, 7.0)], {"reads": 3.0, "writes": 3.0}
    )
    notes = " ".join(native_notes(Results(cells)))
    assert "no provider reaches 1.25x" in notes
    native_set.anatomy = anatomy(
        11.0, [("Read", 0.0, 4.0), ("Update", 4.0, 9.0)], {"reads": 2.0, "writes": 2.0}
    )
    notes = " ".join(native_notes(Results(cells)))  # engine 2 + API 4 = 6 s of 10 s: the provider's 5 s
    assert "what stops it is the provider's own 5.0 s" in notes


def test_old_results_without_native_cells_still_report():
    results = Results(n200(rn=[11.0], floor=[10.0]))
    text = text_report(results)
    assert "not measured" in text and "(native) RentedNumber first up" in text
    doc = render(results, {}, [], 60.0, {}, full=True)
    assert "## The native provider beside the dynamic one" in doc
