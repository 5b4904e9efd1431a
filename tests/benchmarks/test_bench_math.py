"""The harness's arithmetic and bookkeeping on synthetic inputs: slopes, ratios, checks, files, targets."""

import os

import pytest

from benchmarks import report
from benchmarks import run as bench_run
from benchmarks.compare import Case, Implementation, add_ratios, prepare, run_case
from benchmarks.stats import loglog_slope, mlp_step_flops, ratio
from benchmarks.systems import NUMPY_FLOOR, OURS, TORCH, Unavailable, require
from benchmarks.targets import MET, MISSED, NOT_MEASURED, evaluate_targets
from benchmarks.timing import time_phases_interleaved

SIZES = [10**3, 10**4, 10**5, 10**6]


# ----- slopes and ratios -----------------------------------------------------------

@pytest.mark.parametrize("power", [0.5, 1.0, 2.0])
def test_slope_of_power_law(power):
    times = [3e-7 * n**power for n in SIZES]
    assert loglog_slope(SIZES, times) == pytest.approx(power, rel=1e-12)


def test_slope_ignores_constant_factor():
    assert loglog_slope([10, 1000], [1.0, 100.0]) == pytest.approx(1.0)
    assert loglog_slope([10, 1000], [5.0, 500.0]) == pytest.approx(1.0)


def test_slope_is_least_squares_fit():
    # log10 t = 0, 1.1, 1.9 at log10 N = 0, 1, 2: the least-squares slope is 0.95.
    times = [1.0, 10**1.1, 10**1.9]
    assert loglog_slope([1, 10, 100], times) == pytest.approx(0.95)


def test_slope_rejects_bad_input():
    with pytest.raises(ValueError, match="two distinct sizes"):
        loglog_slope([100, 100], [1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([10, 100], [1.0, 0.0])
    with pytest.raises(ValueError, match="2 sizes but 3 times"):
        loglog_slope([10, 100], [1.0, 2.0, 3.0])


def test_ratio_handles_missing_values():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None
    assert ratio(3.0, None) is None
    assert ratio(3.0, 0.0) is None


def _entry(median, check="ok"):
    return {"median": median, "check": check}


def test_ratios_divide_medians_by_floor_and_torch():
    results = {OURS: _entry(3.0), NUMPY_FLOOR: _entry(2.0), TORCH: _entry(4.0),
               "other": _entry(8.0)}
    add_ratios(results, NUMPY_FLOOR)
    assert results[OURS]["ratio_floor"] == 1.5
    assert results[OURS]["ratio_torch"] == 0.75
    assert results[NUMPY_FLOOR]["ratio_floor"] == 1.0
    assert results["other"]["ratio_torch"] == 2.0


def test_ratios_skip_mismatched_systems():
    results = {OURS: _entry(3.0), NUMPY_FLOOR: _entry(2.0),
               TORCH: _entry(4.0, check="mismatch: dW1")}
    add_ratios(results, NUMPY_FLOOR)
    assert "ratio_floor" not in results[TORCH]
    assert results[OURS]["ratio_torch"] is None  # no checked torch time to divide by


def test_flops_of_mlp_step():
    # 784-256-256-10 at batch 128: 2 products in layer 1, 3 in the others.
    expected = 2 * 128 * (2 * 784 * 256 + 3 * 256 * 256 + 3 * 256 * 10)
    assert mlp_step_flops((784, 256, 256, 10), 128) == expected
    assert mlp_step_flops((5, 3), 4) == 2 * 2 * 4 * 5 * 3


# ----- cases: result checks, skipped and failed systems ---------------------------

def _constant(value):
    return lambda: Implementation(lambda: value, lambda output: {"value": output})


def _missing():
    raise Unavailable("examplelib is not installed")


def _too_deep():
    def step():
        raise RecursionError("maximum recursion depth exceeded")

    return Implementation(step, lambda output: {})


def test_missing_system_is_skipped_not_timed():
    case = Case("toy", {OURS: _constant(1.0), "examplelib": _missing}, floor=OURS)
    row = run_case(case, repeat=1, min_time=0.0001)
    assert row["skipped"] == {"examplelib": "examplelib is not installed"}
    assert list(row["results"]) == [OURS]


def test_wrong_result_is_flagged_mismatch():
    case = Case("toy", {OURS: _constant(1.0), "wrong": _constant(1.5)}, floor=OURS)
    row = run_case(case, repeat=1, min_time=0.0001)
    assert row["results"]["wrong"]["check"].startswith("mismatch: value")
    assert "ratio_floor" not in row["results"]["wrong"]
    assert bench_run.count_mismatches({"toy": [row]}) == 1


def test_recursion_error_is_reported_as_failure():
    case = Case("toy", {OURS: _constant(1.0), "deep": _too_deep}, floor=OURS)
    _, _, row = prepare(case)
    assert row["failed"] == {"deep": "RecursionError: maximum recursion depth exceeded"}


def test_require_names_the_package(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "mygrad", None)
    with pytest.raises(Unavailable, match=r"pip install 'mygrad'"):
        require("mygrad")


def test_report_marks_mismatch_and_skipped():
    row = {"results": {}, "skipped": {"mygrad": "missing"}, "failed": {"micrograd": "RecursionError: deep"}}
    rows = report.status_rows(row, 4)
    assert rows == [["MyGrad", "skipped: not installed", "", ""],
                    ["micrograd", "failed: RecursionError", "", ""]]
    assert report.ratio_cells({"check": "mismatch: x"}) == ["MISMATCH", "MISMATCH"]


# ----- phase timing bookkeeping (values, not speed) ------------------------------

def test_phase_total_is_sum_of_phases_per_run():
    timings = time_phases_interleaved({"a": (lambda: 1, lambda handle: handle)}, repeat=3,
                                      min_time=0.0, number=2)["a"]
    for phase in ("forward", "backward", "garbage", "total"):
        assert len(timings[phase].runs) == 3
    for parts in zip(timings["forward"].runs, timings["backward"].runs,
                     timings["garbage"].runs, timings["total"].runs):
        assert parts[3] == pytest.approx(sum(parts[:3]))


# ----- atomic files ----------------------------------------------------------------

def test_write_atomic_replaces_whole_file(tmp_path):
    path = tmp_path / "out" / "result.md"
    report.write_atomic(path, "first\n")
    report.write_atomic(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert os.listdir(path.parent) == ["result.md"]
    assert os.stat(path).st_mode & 0o777 == 0o644


def test_write_atomic_keeps_old_file_when_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "result.json"
    report.write_json_atomic(path, {"old": 1})

    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        report.write_json_atomic(path, {"new": 2})
    assert path.read_text(encoding="utf-8") == '{\n  "old": 1\n}\n'
    assert os.listdir(tmp_path) == ["result.json"]  # the temporary file is gone


def test_save_writes_stamped_and_latest(tmp_path):
    paths = bench_run.save({"mode": "quick", "x": 1}, "# report\n", tmp_path)
    names = sorted(path.name for path in paths)
    assert names[-2:] == ["latest-quick.json", "latest-quick.md"]
    assert all(path.exists() for path in paths)


# ----- formats ---------------------------------------------------------------------

def test_formats():
    assert report.format_seconds(2.5e-6) == "2.5 µs"
    assert report.format_seconds(0.0123) == "12.3 ms"
    assert report.format_bytes(2048) == "2.0 KiB"
    assert report.format_ratio(1.234) == "1.23×"
    assert report.format_size(10**6) == "10^6"
    assert report.format_size(1500) == "1,500"


# ----- targets on synthetic results ------------------------------------------------

def _mlp_row(name, ours, floor, ours_peak=100, floor_peak=100):
    return {"case": name, "results": {
        OURS: {"check": "ok", "median": ours, "ratio_floor": ours / floor,
               "peak_ratio_floor": ours_peak / floor_peak},
        NUMPY_FLOOR: {"check": "ok", "median": floor, "ratio_floor": 1.0,
                      "peak_ratio_floor": 1.0},
    }}


def _synthetic_result(big_ratio, small_ratio, per_op, slope):
    chain = {
        "rows": [],
        "depth_limits": {OURS: {"first_failing_n": None, "sizes_tried_up_to": 10**6}},
        "slopes": {OURS: {"sizes": SIZES, "forward": 1.0, "backward": slope, "total": 1.0}},
    }
    return {"suites": {
        "mlp_step": {"cases": [
            _mlp_row("784-256-256-10, batch 128, float32", big_ratio * 1e-3, 1e-3),
            _mlp_row("13-64-64-1, batch 32, float64", small_ratio * 1e-4, 1e-4, 130, 100),
        ]},
        "op_overhead": {"cases": [{"case": "graph of 100 ops", "params": {"ops": 100},
                                   "results": {OURS: {"check": "ok", "per_op": per_op}}}]},
        "backward_forward": {"grid": [], "chain": chain},
    }}


def _status(outcomes, prefix):
    return next(o["status"] for o in outcomes if o["goal"].startswith(prefix))


def test_targets_met_and_missed():
    outcomes = evaluate_targets(_synthetic_result(1.05, 2.6, 2.9e-6, 1.01))
    assert _status(outcomes, "784-256-256-10") == MET
    assert _status(outcomes, "13-64-64-1") == MISSED
    assert _status(outcomes, "Graph of 100 tiny ops") == MET
    assert _status(outcomes, "Slope of backward") == MET
    assert _status(outcomes, "Scalar circuits: no depth limit") == MET
    assert _status(outcomes, "Peak memory") == MISSED  # 1.3× on the small MLP


def test_targets_boundaries():
    outcomes = evaluate_targets(_synthetic_result(1.10, 2.5, 3.1e-6, 1.06))
    assert _status(outcomes, "784-256-256-10") == MET  # at most 1.10×
    assert _status(outcomes, "13-64-64-1") == MET
    assert _status(outcomes, "Graph of 100 tiny ops") == MISSED
    assert _status(outcomes, "Slope of backward") == MISSED


def test_targets_without_suites_are_not_measured():
    outcomes = evaluate_targets({"suites": {}})
    assert {o["status"] for o in outcomes} == {NOT_MEASURED}
    outcomes = evaluate_targets(_synthetic_result(1.0, 1.0, 1e-6, 1.0))
    assert _status(outcomes, "Backward at most 2.2×") == NOT_MEASURED  # empty grid
    assert _status(outcomes, "Memory flat") == NOT_MEASURED  # memory suite not run
