"""End-to-end tests of `python -m nn.examples.housing`, in process and as a subprocess."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

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
    # The full default run (about 10 s): the claim the example prints must hold.
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
    assert "install graphviz" in stderr.lower()


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
