"""Smoke tests of the benchmark harness: its quickest mode on tiny sizes, structure only.

Timings are never asserted; they depend on the machine. micrograd and
autograd come with the `bench` extra, not the `test` extra, so the harness
must record them as skipped when they are missing, and the tests that need
them skip.
"""

import json
import sys
from pathlib import Path

import pytest

# benchmarks/ is a folder of the repository, not an installed package.
REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import run as bench_run  # noqa: E402
from benchmarks.compare import OURS, Case, Unavailable, run_case  # noqa: E402

SUITE_NAMES = ("overhead", "scalar", "scaling", "mlp", "memory")
COMPARISON_SUITES = ("overhead", "scalar", "mlp")
SIZES = (50, 100)
REPEAT = 2
QUICKEST = ["--quick", "--repeat", str(REPEAT), "--min-time", "0.0005",
            "--sizes", ",".join(map(str, SIZES))]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """Run every suite once in the quickest mode; return (exit status, output dir, JSON)."""
    output_dir = tmp_path_factory.mktemp("bench")
    status = bench_run.main(QUICKEST + ["--output-dir", str(output_dir)])
    with open(output_dir / "latest-quick.json", encoding="utf-8") as file:
        result = json.load(file)
    return status, output_dir, result


def test_run_exits_zero(finished_run):
    status, _, _ = finished_run
    assert status == 0


def test_run_writes_json_and_markdown(finished_run):
    _, output_dir, _ = finished_run
    names = sorted(path.name for path in output_dir.iterdir())
    assert "latest-quick.json" in names
    assert "latest-quick.md" in names
    assert len([name for name in names if name.endswith("-quick.json")]) == 2  # stamped + latest
    assert not [name for name in names if name.endswith(".tmp")]


def test_run_records_machine_and_settings(finished_run):
    _, _, result = finished_run
    assert result["schema"] == bench_run.SCHEMA_VERSION
    assert result["mode"] == "quick"
    for key in ("cpu", "logical_cores", "numpy", "numpy_blas", "torch", "python", "date_utc"):
        assert result["machine"][key], key
    assert result["settings"]["repeat"] == REPEAT
    assert result["settings"]["sizes"] == list(SIZES)
    assert result["settings"]["threads"] == [1]
    assert result["thread_limits"][0]["threads"] == 1


def test_run_covers_every_suite(finished_run):
    _, _, result = finished_run
    assert tuple(result["suites"]) == SUITE_NAMES
    for name, rows in result["suites"].items():
        assert rows, name


@pytest.mark.parametrize("suite", COMPARISON_SUITES)
def test_comparison_rows_are_checked_and_timed(finished_run, suite):
    _, _, result = finished_run
    for row in result["suites"][suite]:
        results = row["results"]
        assert OURS in results, row["case"]
        assert "torch" in results, row["case"]  # torch is a test dependency
        for name, entry in results.items():
            label = f"{row['case']} / {name}"
            assert entry["check"] == "ok", label
            assert len(entry["runs"]) == REPEAT, label
            assert entry["number"] >= 1, label
            assert 0 < entry["min"] <= entry["median"], label
            assert len(entry["gc_collections"]) == 3, label
            if name == OURS:
                assert "ratio_min" not in entry, label
            else:
                assert entry["ratio_min"] == pytest.approx(results[OURS]["min"] / entry["min"])


def test_scaling_rows_follow_sizes(finished_run):
    _, _, result = finished_run
    rows = result["suites"]["scaling"]
    assert [row["n"] for row in rows] == list(SIZES)
    for row in rows:
        for mode in ("gc_on", "gc_off"):
            entry = row[OURS][mode]
            assert entry["forward_per_node"] > 0, (row["n"], mode)
            assert entry["backward_per_node"] > 0, (row["n"], mode)
            assert len(entry["gc_forward_per_run"]) == 3, (row["n"], mode)
        assert row["torch"]["gc_on"]["backward_per_node"] > 0, row["n"]


def test_memory_shows_graph_freed_by_backward(finished_run):
    _, _, result = finished_run
    for row in result["suites"]["memory"]:
        ours = row["results"][OURS]
        assert ours["graph_freed_after_backward"] is True, row["case"]
        assert ours["graph_freed_on_drop"] is True, row["case"]
        assert ours["peak"] >= ours["after_forward"] > 0, row["case"]
        retained = row["results"].get("autodiff, retain_graph=True")
        if retained is not None:
            assert retained["graph_freed_after_backward"] is False, row["case"]


def test_markdown_has_a_table_per_suite(finished_run):
    _, output_dir, _ = finished_run
    markdown = (output_dir / "latest-quick.md").read_text(encoding="utf-8")
    for name in SUITE_NAMES:
        assert f"(`{name}`)" in markdown, name
    assert markdown.count("|---|") >= len(SUITE_NAMES)


def test_micrograd_compared_when_installed(finished_run):
    pytest.importorskip("micrograd")
    _, _, result = finished_run
    for row in result["suites"]["scalar"]:
        assert row["results"]["micrograd"]["check"] == "ok", row["case"]


def test_autograd_compared_when_installed(finished_run):
    pytest.importorskip("autograd")
    _, _, result = finished_run
    for row in result["suites"]["mlp"]:
        assert row["results"]["autograd"]["check"] == "ok", row["case"]


# ----- the harness's own logic, on toy implementations ---------------------------

def _constant(value):
    return lambda: ((lambda: value), (lambda output: {"value": output}))


def _missing():
    raise Unavailable("examplelib is not installed")


def test_missing_baseline_is_skipped():
    case = Case("toy", {OURS: _constant(1.0), "examplelib": _missing})
    row = run_case(case, repeat=1, min_time=0.0001)
    assert row["skipped"] == {"examplelib": "examplelib is not installed"}
    assert list(row["results"]) == [OURS]


def test_wrong_baseline_is_flagged():
    case = Case("toy", {OURS: _constant(1.0), "wrong": _constant(1.5)})
    row = run_case(case, repeat=1, min_time=0.0001)
    assert row["results"]["wrong"]["check"].startswith("mismatch: value")
    assert bench_run.count_mismatches({"suites": {"toy": [row]}}) == 1


def test_cli_rejects_unknown_suite(capsys):
    with pytest.raises(SystemExit) as raised:
        bench_run.parse_args(["nonexistent"])
    assert raised.value.code == 2
    assert "unknown suite nonexistent" in capsys.readouterr().err


def test_cli_rejects_bad_sizes(capsys):
    with pytest.raises(SystemExit):
        bench_run.parse_args(["--sizes", "10,zero"])
    assert "comma-separated positive integers" in capsys.readouterr().err


def test_summarize_prints_ratio_tables(finished_run, capsys):
    _, output_dir, _ = finished_run
    status = bench_run.main(["--summarize", str(output_dir / "latest-quick.json")])
    printed = capsys.readouterr().out
    assert status == 0
    assert "ours/torch" in printed
    assert "| 13-64-64-1 regression |" in printed


def test_summarize_rejects_other_schema(tmp_path, capsys):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema": 0}), encoding="utf-8")
    assert bench_run.main(["--summarize", str(path)]) == 2
    assert "schema" in capsys.readouterr().err


# ----- the profiler ---------------------------------------------------------------

def test_profile_lists_engine_functions():
    from benchmarks import profile as bench_profile
    from benchmarks.suites import overhead

    case = overhead.cases()[0]
    text = bench_profile.profile_case(case, "overhead", 0.01, 5, False, False)
    lines = text.splitlines()
    assert lines[1].split() == ["calls/step", "tottime/step", "cumtime/step", "function"]
    assert len(lines) == 2 + 5
    assert "autodiff/" in text


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
