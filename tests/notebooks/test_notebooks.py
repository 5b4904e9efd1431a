"""Execute every notebook in notebooks/ and fail on the first cell that raises.

Each notebook runs in a fresh "python3" kernel (the running interpreter, via
ipykernel), with notebooks/ as the working directory and matplotlib on the
Agg backend, so no display is needed. The asserts inside the notebooks turn a
wrong derivative or a failed training run into a failing test here.
"""

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

# Seconds per cell. The slowest cell, the Algorithm 1 training in 02, took about 4 s on a 2-core VM.
CELL_TIMEOUT = 120

# Source text that marks a cell which shows a computation graph.
DRAWING_CALLS = ("draw_graph(", "draw_backprop(", ".draw(")


def run_notebook(path):
    """Execute the notebook at `path` cell by cell and return it with its outputs.

    A cell that raises, times out or kills the kernel fails the test through
    pytest.fail, with the notebook's name, the cell's index and first line, and
    the kernel's traceback.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
                first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                pytest.fail(
                    f"{path.name}: cell {index} (0-based, markdown cells counted) failed. "
                    f"It starts with {first_line!r}\n{error}",
                    pytrace=False,
                )
    return notebook


def test_notebooks_exist():
    assert NOTEBOOKS, f"no .ipynb files found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"{path.name}: cell {index} has outputs. Clear them before committing"
        assert cell.execution_count is None, f"{path.name}: cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path, monkeypatch):
    # The kernel inherits this process's environment.
    monkeypatch.setenv("MPLBACKEND", "Agg")

    start = time.perf_counter()
    notebook = run_notebook(path)
    print(f"{path.name} ran in {time.perf_counter() - start:.1f} s")

    drawing_cells = [
        cell for cell in notebook.cells
        if cell.cell_type == "code" and any(call in cell.source for call in DRAWING_CALLS)
    ]
    if drawing_cells and shutil.which("dot"):
        # With Graphviz installed, each drawing must show inline as SVG.
        for cell in drawing_cells:
            svg_outputs = [output for output in cell.outputs if "image/svg+xml" in output.get("data", {})]
            assert svg_outputs, f"{path.name}: the cell starting {cell.source.splitlines()[0]!r} showed no SVG"
