"""Smoke tests of the benchmark harness: one run in tiny mode, checked for structure only.

Timings are never asserted; they depend on the machine. micrograd,
autograd and MyGrad come with the `bench` extra, not the `test` extra, so
the tests that need them skip when they are missing.
"""

import json
import sys

import pytest

from benchmarks import run as bench_run
from benchmarks.config import Config
from benchmarks.report import run_header
from benchmarks.systems import NUMPY_FLOOR, OURS, PYTHON_FLOOR, TORCH
from benchmarks.targets import MET, MISSED, NOT_MEASURED, TARGETS

SUITE_NAMES = ("scalar_circuits", "mlp_step", "op_overhead", "backward_forward", "memory")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """Run every suite once in tiny mode; return (exit status, output dir, JSON, markdown)."""
    output_dir = tmp_path_factory.mktemp("bench")
    status = bench_run.main(["--tiny", "--output-dir", str(output_dir)])
    result = json.loads((output_dir / "latest-tiny.json").read_text(encoding="utf-8"))
    markdown = (output_dir / "latest-tiny.md").read_text(encoding="utf-8")
    return status, output_dir, result, markdown


def _entries(data):
    """Yield every dict in `data` that has a result check."""
    if isinstance(data, dict):
        if "check" in data:
            yield data
        for value in data.values():
            yield from _entries(value)
    elif isinstance(data, list):
        for value in data:
            yield from _entries(value)


def test_run_exits_zero(finished_run):
    status, _, _, _ = finished_run
    assert status == 0


def test_run_writes_json_and_markdown(finished_run):
    _, output_dir, _, _ = finished_run
    names = sorted(path.name for path in output_dir.iterdir())
    assert "latest-tiny.json" in names
    assert "latest-tiny.md" in names
    assert len([name for name in names if name.endswith("-tiny.json")]) == 2  # stamped + latest
    assert not [name for name in names if name.endswith(".tmp")]


def test_run_records_machine_and_versions(finished_run):
    _, _, result, _ = finished_run
    assert result["schema"] == bench_run.SCHEMA_VERSION
    assert result["mode"] == "tiny"
    assert result["command"].startswith("python -m benchmarks.run --tiny")
    for key in ("cpu", "logical_cores", "numpy", "numpy_blas", "torch", "python", "date_utc",
                "load_average_1min_end"):
        assert result["machine"][key] is not None, key


def test_run_gives_every_library_one_thread(finished_run):
    _, _, result, _ = finished_run
    limits = result["thread_limits"]
    assert limits["threads"] == 1
    assert limits["torch_threads"] == 1
    if limits["numpy_blas_threads"] is not None:  # None when threadpoolctl is missing
        assert limits["numpy_blas_threads"] == 1


def test_run_covers_every_suite(finished_run):
    _, _, result, _ = finished_run
    assert tuple(result["suites"]) == SUITE_NAMES


def test_every_result_agrees_with_autodiff(finished_run):
    _, _, result, _ = finished_run
    entries = list(_entries(result["suites"]))
    assert entries
    for entry in entries:
        assert entry["check"] == "ok", entry["check"]


def test_every_target_has_a_line(finished_run):
    _, _, result, markdown = finished_run
    assert [outcome["goal"] for outcome in result["targets"]] == [t.goal for t in TARGETS]
    for outcome in result["targets"]:
        assert outcome["status"] in (MET, MISSED, NOT_MEASURED), outcome
        assert f"| {outcome['goal']} | {outcome['measured']} | {outcome['status']} |" in markdown


def test_every_table_repeats_the_run_header(finished_run):
    _, _, result, markdown = finished_run
    tables = markdown.count("\n### ") + 1  # the suites' tables and the targets table
    header = run_header(result)
    assert markdown.count(header) == tables
    assert "Threads: 1 for every library" in header
    assert "mygrad" in header


def test_mlp_step_reports_ratios_memory_and_throughput(finished_run):
    _, _, result, _ = finished_run
    for row in result["suites"]["mlp_step"]["cases"]:
        results = row["results"]
        floor, torch = results[NUMPY_FLOOR], results[TORCH]
        ours = results[OURS]
        assert ours["ratio_floor"] == pytest.approx(ours["median"] / floor["median"])
        assert ours["ratio_torch"] == pytest.approx(ours["median"] / torch["median"])
        assert floor["ratio_floor"] == 1.0
        assert ours["peak_bytes"] > 0
        assert floor["peak_bytes"] > 0
        assert ours["peak_ratio_floor"] == pytest.approx(ours["peak_bytes"] / floor["peak_bytes"])
        assert ours["matmul_fraction"] == pytest.approx(row["matmul_seconds"] / ours["median"])
        assert len(ours["runs"]) == 2  # tiny mode repeats twice


def test_scalar_circuits_time_each_phase_per_node(finished_run):
    _, _, result, _ = finished_run
    mlp = result["suites"]["scalar_circuits"]["mlp"]
    nodes = mlp["params"]["nodes"]
    for entry in mlp["results"].values():
        assert entry["forward"]["per_node"] == pytest.approx(entry["forward"]["median"] / nodes)
        assert entry["backward"]["per_node"] > 0
    assert PYTHON_FLOOR in mlp["results"]


def test_chain_records_micrograd_depth_limit(finished_run):
    pytest.importorskip("micrograd")
    _, _, result, _ = finished_run
    limits = result["suites"]["scalar_circuits"]["chain"]["depth_limits"]
    # micrograd's recursive sort fails near 1000 frames, 3 frames per step.
    assert 100 < limits["micrograd"]["first_failing_n"] <= 1000
    assert limits["micrograd"]["error"].startswith("RecursionError")
    assert limits[OURS]["first_failing_n"] is None
    assert limits[TORCH]["first_failing_n"] is None


def test_backward_forward_ratios_are_consistent(finished_run):
    _, _, result, _ = finished_run
    for row in result["suites"]["backward_forward"]["grid"]:
        entry = row["results"][OURS]
        expected = entry["backward"]["median"] / entry["forward"]["median"]
        assert entry["backward_over_forward"] == pytest.approx(expected)


def test_memory_samples_every_system(finished_run):
    _, _, result, _ = finished_run
    data = result["suites"]["memory"]
    config = Config.for_mode("tiny")
    for name, entry in data["results"].items():
        assert entry["steps"] == config.memory_steps, name
        assert len(entry["samples"]) == config.memory_samples, name
    assert data["results"][TORCH]["instrument"] == "resident set size"
    assert data["results"][OURS]["step_peak"] > 0


def test_summarize_prints_short_tables(finished_run, capsys):
    _, output_dir, _, _ = finished_run
    status = bench_run.main(["--summarize", str(output_dir / "latest-tiny.json")])
    printed = capsys.readouterr().out
    assert status == 0
    assert "## Targets" in printed
    assert "### 13-64-64-1, batch 32, float64" in printed
    assert "| min |" not in printed  # the full tables' extra column


def test_summarize_rejects_other_schema(tmp_path, capsys):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema": 1}), encoding="utf-8")
    assert bench_run.main(["--summarize", str(path)]) == 2
    assert "schema" in capsys.readouterr().err


def test_cli_rejects_unknown_suite(capsys):
    with pytest.raises(SystemExit) as raised:
        bench_run.parse_args(["nonexistent"])
    assert raised.value.code == 2
    assert "unknown suite nonexistent" in capsys.readouterr().err


def test_cli_rejects_bad_sizes(capsys):
    with pytest.raises(SystemExit):
        bench_run.parse_args(["--sizes", "10,zero"])
    assert "comma-separated positive integers" in capsys.readouterr().err


def test_cli_quick_and_tiny_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        bench_run.parse_args(["--quick", "--tiny"])
    assert "not allowed with" in capsys.readouterr().err


# ----- a missing baseline ----------------------------------------------------------

def test_missing_baseline_is_skipped(monkeypatch):
    from benchmarks.suites import op_overhead

    # A None entry in sys.modules makes `import mygrad` raise ImportError.
    monkeypatch.setitem(sys.modules, "mygrad", None)
    data = op_overhead.run(Config.for_mode("tiny"))

    for row in data["cases"]:
        assert "mygrad" not in row["results"]
        assert "pip install 'mygrad'" in row["skipped"]["mygrad"]
        assert OURS in row["results"]
    markdown = "\n".join(table.markdown for table in op_overhead.render(data))
    assert "| MyGrad | skipped: not installed |" in markdown


def test_missing_torch_leaves_no_torch_ratio(monkeypatch):
    from benchmarks.suites import op_overhead

    monkeypatch.setitem(sys.modules, "torch", None)
    data = op_overhead.run(Config.for_mode("tiny"))
    for row in data["cases"]:
        assert TORCH in row["skipped"]
        assert row["results"][OURS]["ratio_torch"] is None
        assert row["results"][OURS]["ratio_floor"] > 0


# ----- the profiler ---------------------------------------------------------------

def test_profile_lists_engine_functions():
    from benchmarks import profile as bench_profile

    case = bench_profile.suite_cases("op_overhead")[1]
    text = bench_profile.profile_case(case, "op_overhead", 0.01, 5, False, False)
    lines = text.splitlines()
    assert lines[1].split() == ["calls/step", "tottime/step", "cumtime/step", "function"]
    assert len(lines) == 2 + 5
    assert "autodiff/" in text


@pytest.mark.parametrize("suite", ["scalar_circuits", "mlp_step", "op_overhead", "backward_forward"])
def test_profile_default_case_exists(suite):
    from benchmarks import profile as bench_profile

    names = [case.name for case in bench_profile.suite_cases(suite)]
    assert bench_profile.DEFAULT_CASES[suite] in names


def test_py_spy_stacks_are_ranked():
    from benchmarks import profile as bench_profile

    stacks = [
        "<module> (x.py:1);run_steps (benchmarks/profile.py:9);apply (autodiff/tensor.py:340) 6",
        "<module> (x.py:1);run_steps (benchmarks/profile.py:9);apply (autodiff/tensor.py:350) 2",
        "<module> (x.py:1);run_steps (benchmarks/profile.py:9);_run (autodiff/backprop.py:20) 2",
        "<module> (x.py:1);import_something (importlib:5) 90",
    ]
    lines = bench_profile.format_py_spy(stacks, top=5).splitlines()
    assert lines[0] == "py-spy: share of 10 samples by innermost function"
    assert lines[1].split() == ["80.0%", "apply", "(autodiff/tensor.py)"]
    assert lines[2].split() == ["20.0%", "_run", "(autodiff/backprop.py)"]
    assert " 60.0%  apply (autodiff/tensor.py:340)" in lines
