"""End-to-end tests of `python -m nn.examples.housing`, in process and as a subprocess."""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import threadpoolctl

import autodiff
import nn
from nn.examples import housing

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPO_ROOT = Path(__file__).resolve().parents[2]
TABLE_ROW = re.compile(r"^(linear least squares \(closed form\)|MLP [\d-]+ \(\w+, \d+ epochs\))\s+([\d,]+)\s+(-?\d\.\d{4})$")


def table_rows(text):
    """Return {model name: (RMSE in dollars, R²)} parsed from the printed table."""
    rows = {}
    for line in text.splitlines():
        match = TABLE_ROW.match(line.strip())
        if match:
            rows[match.group(1)] = (float(match.group(2).replace(",", "")), float(match.group(3)))
    return rows


def check_output_folder(folder):
    png = folder / "loss_curves.png"
    assert png.read_bytes()[:8] == PNG_MAGIC
    graphs = list(folder.glob("mlp_graph.*"))
    assert len(graphs) == 1
    assert graphs[0].suffix in (".svg", ".dot")
    text = graphs[0].read_text(encoding="utf-8")
    assert ("<svg" in text) if graphs[0].suffix == ".svg" else text.startswith("digraph")
    assert "value not kept" not in text  # the pass is recorded inside keep_values()
    assert (folder / "mlp.npz").exists()


def test_main_in_process(tmp_path, capsys):
    output = tmp_path / "out"
    assert housing.main(["--epochs", "2", "--output", str(output), "--no-progress"]) == 0
    printed = capsys.readouterr().out

    rows = table_rows(printed)
    assert len(rows) == 2, printed
    linear = rows["linear least squares (closed form)"]
    assert linear[1] == pytest.approx(0.6524, abs=5e-4)  # closed form: no randomness
    assert 60_000 < linear[0] < 80_000
    mlp_name = next(name for name in rows if name.startswith("MLP"))
    assert mlp_name == "MLP 8-128-64-1 (adam, 2 epochs)"
    assert rows[mlp_name][0] > 0
    assert "test RMSE ($)" in printed
    assert "test R²" in printed
    check_output_folder(output)


def test_default_run_mlp_beats_baseline(tmp_path, capsys):
    # The full default run (about 2 s with one BLAS thread): the claim the example prints must hold.
    housing.main(["--output", str(tmp_path), "--no-progress"])
    rows = table_rows(capsys.readouterr().out)
    linear_rmse, linear_r2 = rows["linear least squares (closed form)"]
    mlp_rmse, mlp_r2 = rows["MLP 8-128-64-1 (adam, 200 epochs)"]
    assert mlp_r2 > linear_r2 + 0.01
    assert mlp_rmse < linear_rmse


def test_saved_model_reloads(tmp_path, capsys):
    housing.main(["--epochs", "1", "--hidden", "4", "--output", str(tmp_path), "--no-progress"])
    capsys.readouterr()
    model = nn.MLP(8, hidden=[4]).load(tmp_path / "mlp.npz")
    assert model(np.zeros((1, 8))).shape == (1, 1)


def test_numeric_features_with_sgd(tmp_path, capsys):
    result = housing.run(housing.build_parser().parse_args(
        ["--epochs", "3", "--features", "numeric", "--optimizer", "sgd", "--lr", "0.01", "--hidden", "8",
         "--output", str(tmp_path), "--no-progress"]))
    printed = capsys.readouterr().out
    assert "features: sqft, beds, baths, latitude, longitude\n" in printed
    assert "MLP 5-8-1 (sgd, 3 epochs)" in printed
    assert result["linear"][1] == pytest.approx(0.6428, abs=5e-4)
    assert len(result["history"].train_loss) == 3
    assert len(result["test_loss"]) == 3
    assert result["history"].val_loss == []  # the test rows are monitored, not used as validation data


def test_graph_as_dot_without_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "")  # hides Graphviz's dot program
    housing.main(["--epochs", "1", "--hidden", "3", "--output", str(tmp_path), "--no-progress"])
    stderr = capsys.readouterr().err
    text = (tmp_path / "mlp_graph.dot").read_text(encoding="utf-8")
    assert text.startswith("digraph")
    assert "cluster" in text
    assert not (tmp_path / "mlp_graph.svg").exists()
    assert "Graphviz's dot program was not found on PATH" in stderr
    assert "apt-get install graphviz" in stderr
    assert "pip install" not in stderr  # the Python package is installed


def test_graph_as_dot_without_graphviz_package(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    monkeypatch.setattr(housing.shutil, "which", lambda name: f"/usr/bin/{name}")
    housing.main(["--epochs", "1", "--hidden", "3", "--output", str(tmp_path), "--no-progress"])
    stderr = capsys.readouterr().err
    assert (tmp_path / "mlp_graph.dot").read_text(encoding="utf-8").startswith("digraph")
    assert "the graphviz Python package is not installed; `pip install graphviz` to get SVG" in stderr
    assert "dot program" not in stderr


def test_svg_hint_names_only_the_missing_part(monkeypatch):
    program_hint = housing.svg_hint(autodiff.draw.GraphvizNotFoundError("no dot"))
    assert "dot program was not found on PATH" in program_hint
    assert "pip install" not in program_hint

    monkeypatch.setattr(housing.shutil, "which", lambda name: None)
    both_hint = housing.svg_hint(ImportError("no graphviz"))
    assert "`pip install graphviz`" in both_hint
    assert "dot program was not found on PATH" in both_hint


def test_help_lists_options_with_units(capsys):
    with pytest.raises(SystemExit) as info:
        housing.main(["--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # undo argparse's line wrapping
    for option in ("--epochs", "--lr", "--batch-size", "--hidden", "--seed", "--output", "--weight-decay"):
        assert option in text
    assert "passes over the training rows (default: 200)" in text
    assert "examples per step" in text
    assert "(default: housing-output)" in text
    assert "US dollars" in text


@pytest.mark.parametrize("argv", [["--epochs", "-1"], ["--lr", "0"], ["--batch-size", "0"], ["--hidden", "0"],
                                  ["--optimizer", "lbfgs"], ["--features", "city"], ["--momentum", "1"]])
def test_invalid_arguments_rejected(argv, capsys):
    with pytest.raises(SystemExit) as info:
        housing.main(argv)
    assert info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_output_folder_not_writable(tmp_path, capsys, monkeypatch):
    # Tests may run as root, which can write anywhere, so the refusal is simulated.
    def deny(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(housing.tempfile, "NamedTemporaryFile", deny)
    monkeypatch.setattr(housing, "run", lambda args: pytest.fail("trained despite an unwritable output folder"))
    with pytest.raises(SystemExit) as info:
        housing.main(["--epochs", "1", "--output", str(tmp_path)])
    assert info.value.code == 2
    assert f"error: cannot write to the output folder {str(tmp_path)!r}: Permission denied" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write to a mode-555 folder")
def test_read_only_output_folder(tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(SystemExit) as info:
            housing.main(["--epochs", "1", "--output", str(folder)])
    finally:
        folder.chmod(0o755)
    assert info.value.code == 2
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_writable_check_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(housing, "run", lambda args: None)
    assert housing.main(["--output", str(tmp_path / "new")]) == 0
    assert list((tmp_path / "new").iterdir()) == []


def test_divergence_is_one_line_error(tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow warnings must not reach the user either
        with pytest.raises(SystemExit) as info:
            housing.main(["--optimizer", "sgd", "--lr", "10", "--epochs", "5", "--hidden", "16",
                          "--output", str(tmp_path), "--no-progress"])
    assert info.value.code == 1
    stderr = capsys.readouterr().err
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("python -m nn.examples.housing: error: training diverged with --optimizer sgd --lr 10: "
                             "the training loss became ")
    assert "lower --lr, e.g. to 1" in stderr
    assert "or standardise the inputs" not in stderr  # fit's generic hint: the job already standardises
    assert not (tmp_path / "mlp.npz").exists()


def test_other_floating_point_errors_propagate(tmp_path, monkeypatch):
    def fail(args):
        raise FloatingPointError("not from fit")

    monkeypatch.setattr(housing, "run", fail)
    with pytest.raises(FloatingPointError, match="not from fit"):
        housing.main(["--output", str(tmp_path)])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--hidden", "abc"], "argument --hidden: must be a positive integer, got 'abc'"),
        (["--epochs", "1.5"], "argument --epochs: must be a non-negative integer, got '1.5'"),
        (["--lr", "nan"], "argument --lr: must be a positive number, got 'nan'"),
        (["--momentum", "x"], "argument --momentum: must be a number in [0, 1), got 'x'"),
        (["--threads", "-2"], "argument --threads: must be a non-negative integer, got '-2'"),
    ],
)
def test_invalid_argument_messages(argv, message, capsys):
    with pytest.raises(SystemExit):
        housing.main(argv)
    stderr = capsys.readouterr().err
    assert message in stderr
    assert "invalid" not in stderr  # argparse's "invalid <function name> value" would leak private names


def fit_recording_blas_threads(monkeypatch):
    """Patch nn.fit to record the BLAS thread counts in force while it runs."""
    seen = []
    real_fit = nn.fit

    def recording_fit(*args, **kwargs):
        seen.append([pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"])
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(nn, "fit", recording_fit)
    return seen


def test_training_uses_one_blas_thread(tmp_path, capsys, monkeypatch):
    seen = fit_recording_blas_threads(monkeypatch)
    housing.main(["--epochs", "1", "--hidden", "4", "--output", str(tmp_path), "--no-progress"])
    assert len(seen) == 1
    assert seen[0]  # NumPy's BLAS was found
    assert seen[0] == [1] * len(seen[0])
    assert capsys.readouterr().err == ""


def test_threads_zero_keeps_blas_default(tmp_path, capsys, monkeypatch):
    default = [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    seen = fit_recording_blas_threads(monkeypatch)
    housing.main(["--epochs", "1", "--hidden", "4", "--threads", "0", "--output", str(tmp_path), "--no-progress"])
    assert seen == [default]


def test_threads_without_threadpoolctl(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(housing, "threadpool_limits", None)
    housing.main(["--epochs", "1", "--hidden", "4", "--output", str(tmp_path), "--no-progress"])
    assert "threadpoolctl is not installed" in capsys.readouterr().err


def test_output_folder_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as info:
        housing.main(["--epochs", "1", "--output", str(blocker)])
    assert info.value.code == 2
    assert "cannot create the output folder" in capsys.readouterr().err


def test_zero_epochs_still_writes_outputs(tmp_path, capsys):
    housing.main(["--epochs", "0", "--hidden", "4", "--output", str(tmp_path), "--no-progress"])
    rows = table_rows(capsys.readouterr().out)
    assert "MLP 8-4-1 (adam, 0 epochs)" in rows
    check_output_folder(tmp_path)


def test_subprocess_run(tmp_path):
    output = tmp_path / "subprocess-out"
    environment = dict(os.environ, MPLBACKEND="Agg")
    completed = subprocess.run(
        [sys.executable, "-m", "nn.examples.housing", "--epochs", "2", "--output", str(output)],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    rows = table_rows(completed.stdout)
    assert set(rows) == {"linear least squares (closed form)", "MLP 8-128-64-1 (adam, 2 epochs)"}
    assert completed.stderr == ""  # no progress bar when stderr is not a terminal
    check_output_folder(output)
