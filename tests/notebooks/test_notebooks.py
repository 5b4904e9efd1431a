"""Check the stored notebooks, execute each one again, and test notebooks/execute.py.

The notebooks are stored with their outputs, written by notebooks/execute.py,
so each file must be the record of one complete top-to-bottom run.
test_notebook_runs executes every notebook in a fresh "python3" kernel (the
running interpreter, via ipykernel) with notebooks/ as the working directory
and matplotlib's inline backend, so no display is needed. The asserts inside
the notebooks turn a wrong derivative or a failed training run into a failing
test here. Every figure a notebook shows must have a title, and every axes
that shows data an x and a y label.
"""

import importlib.util
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def load_execute_script():
    """Import notebooks/execute.py, which is a script rather than a package module."""
    spec = importlib.util.spec_from_file_location("notebooks_execute", NOTEBOOK_DIR / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


execute_script = load_execute_script()

# Seconds per cell. The slowest cells (training runs and timings) take a few seconds on a 2-core VM.
CELL_TIMEOUT = 120

# Source text that marks a cell which shows a computation graph.
DRAWING_CALLS = ("draw_graph(", "draw_backprop(", ".draw(")

# Run in the kernel before the notebook, without entering its history. The
# inline backend renders each figure through FigureCanvasBase.print_figure at
# the end of the cell that made it, so a wrapper around that method is called
# for every figure that the notebook stores. It records each axes that shows
# data without a title, an x label or a y label. Axes hidden with
# ax.axis("off") are exempt, and an axis shared with a labelled axes
# (plt.subplots(..., sharey=True)) counts as labelled.
FIGURE_CHECK_SETUP = '''
import matplotlib.backend_bases

_notebook_test_figure_problems = []
_notebook_test_print_figure = matplotlib.backend_bases.FigureCanvasBase.print_figure


def _notebook_test_axis_labelled(axes, letter):
    """Return True if the `letter` axis ("x" or "y") of `axes`, or an axis shared with it, has a label."""
    shared = axes.get_shared_x_axes() if letter == "x" else axes.get_shared_y_axes()
    siblings = shared.get_siblings(axes)
    return any(getattr(sibling, f"get_{letter}label")() for sibling in siblings)


def _notebook_test_axes_problems(figure):
    """Return one message per missing title or axis label on the visible axes of `figure` that show data.

    A suptitle on the figure counts as the title of every axes.
    """
    has_suptitle = hasattr(figure, "get_suptitle") and bool(figure.get_suptitle())
    problems = []
    for axes in figure.axes:
        if axes.get_label() == "<colorbar>" or not axes.axison or not axes.has_data():
            continue
        titles = [axes.get_title(loc) for loc in ("left", "center", "right")]
        title = " ".join(text for text in titles if text)
        described = f"axes titled {title!r}" if title else (
            f"axes with x label {axes.get_xlabel()!r} and y label {axes.get_ylabel()!r}")
        if not title and not has_suptitle:
            problems.append(f"{described} has no title: call ax.set_title() or fig.suptitle()")
        for letter in ("x", "y"):
            if not _notebook_test_axis_labelled(axes, letter):
                problems.append(f"{described} has no {letter} label: call ax.set_{letter}label()")
    return problems


def _notebook_test_checked_print_figure(canvas, *args, **kwargs):
    _notebook_test_figure_problems.extend(_notebook_test_axes_problems(canvas.figure))
    return _notebook_test_print_figure(canvas, *args, **kwargs)


matplotlib.backend_bases.FigureCanvasBase.print_figure = _notebook_test_checked_print_figure
'''

# Run after each cell. It fails when the cell showed a figure that lacks a title or an axis label.
FIGURE_CHECK = '''
_problems, _notebook_test_figure_problems[:] = list(_notebook_test_figure_problems), []
assert not _problems, "; ".join(_problems)
'''


def fail_at_cell(path, index, cell, error, failure):
    first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    pytest.fail(
        f"{path.name}: cell {index} (0-based, markdown cells counted) {failure}. "
        f"It starts with {first_line!r}\n{error}",
        pytrace=False,
    )


def run_notebook(path):
    """Execute the notebook at `path` cell by cell and return it with its outputs.

    A cell that raises, times out, kills the kernel or shows a figure
    without a title or an axis label fails the test through pytest.fail,
    with the notebook's name, the cell's index and first line, and the
    kernel's traceback.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    with client.setup_kernel(env=execute_script.kernel_environment()):
        error = run_hidden(client, FIGURE_CHECK_SETUP)
        assert error is None, f"the figure check could not be set up in the kernel: {error}"
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
                fail_at_cell(path, index, cell, error, "failed")
            error = run_hidden(client, FIGURE_CHECK)
            if error is not None:
                fail_at_cell(path, index, cell, error, "showed a figure without a title or an axis label")
    return notebook


def run_hidden(client, code):
    """Run `code` in the client's kernel outside the notebook and its history.

    Returns None on success, else the error as "name: value". Only the reply
    is read, and nbclient skips the output messages of this request because
    their parent differs from the next cell's. client.execute_cell is not used
    because it stores the cell it runs in the notebook at the index it is given.
    """
    reply = client.wait_for_reply(client.kc.execute(code, store_history=False))
    if reply is None:
        return f"no reply from the kernel within {CELL_TIMEOUT} s"
    content = reply["content"]
    if content["status"] == "ok":
        return None
    return f"{content.get('ename')}: {content.get('evalue')}"


def test_notebooks_exist():
    assert NOTEBOOKS, f"no .ipynb files found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_stored_after_full_run(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"

    code_cells = [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    counts = [cell.execution_count for _, cell in code_cells]
    # A run from the top in a fresh kernel numbers the code cells 1, 2, 3, ...
    assert counts == list(range(1, len(code_cells) + 1)), (
        f"{path.name}: execution counts {counts} show no complete top-to-bottom run; "
        f"store it with `.venv/bin/python notebooks/execute.py {path.stem}`"
    )
    for index, cell in code_cells:
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"{path.name}: cell {index} stores an error output: {errors[0].ename}: {errors[0].evalue}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path):
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
            # A picture for learners shows every value (keep_values() where the graph is large).
            for output in svg_outputs:
                assert "value not kept" not in output["data"]["image/svg+xml"], (
                    f"{path.name}: the picture of the cell starting "
                    f"{cell.source.splitlines()[0]!r} has a node whose value was not kept"
                )


def write_notebook(path, *sources):
    """Write a notebook with a markdown heading and one code cell per source to `path`."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells.append(nbformat.v4.new_markdown_cell("# A notebook written by the test"))
    notebook.cells.extend(nbformat.v4.new_code_cell(source) for source in sources)
    nbformat.write(notebook, path)


def test_execute_stores_outputs(tmp_path, monkeypatch):
    # An MPLBACKEND of Agg in the caller's environment must not keep the figure out of the outputs.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = tmp_path / "tiny.ipynb"
    write_notebook(
        path,
        "print(6 * 7)",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\nax.set_title('line');",
    )

    seconds = execute_script.store_with_outputs(path)

    stored = nbformat.read(path, as_version=4)
    nbformat.validate(stored)
    printed, plotted = stored.cells[1], stored.cells[2]
    assert seconds > 0
    assert [printed.execution_count, plotted.execution_count] == [1, 2]
    assert printed.outputs[0].text == "42\n"
    assert any("image/png" in output.get("data", {}) for output in plotted.outputs)
    assert sorted(file.name for file in tmp_path.iterdir()) == ["tiny.ipynb"], "a temporary file was left behind"


def test_execute_stores_no_timestamps(tmp_path):
    # Timestamps would make every cell differ between two runs of the same notebook.
    path = tmp_path / "tiny.ipynb"
    write_notebook(path, "print(1)")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nbformat.write(notebook, path)

    execute_script.store_with_outputs(path)

    stored = nbformat.read(path, as_version=4)
    assert all("execution" not in cell.metadata for cell in stored.cells)


def test_execute_keeps_file_when_cell_fails(tmp_path):
    path = tmp_path / "failing.ipynb"
    write_notebook(path, "x = 1", "1 / 0")
    before = path.read_bytes()

    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute_script.store_with_outputs(path)

    assert path.read_bytes() == before
    assert sorted(file.name for file in tmp_path.iterdir()) == ["failing.ipynb"], "a temporary file was left behind"


def test_execute_resolves_names(tmp_path):
    elsewhere = tmp_path / "elsewhere.ipynb"
    write_notebook(elsewhere, "pass")
    first = NOTEBOOKS[0]

    assert execute_script.resolve_notebooks([]) == NOTEBOOKS
    assert execute_script.resolve_notebooks([first.stem, first.name]) == [first, first]
    assert execute_script.resolve_notebooks([str(elsewhere)]) == [elsewhere]
    with pytest.raises(FileNotFoundError, match="no_such_notebook"):
        execute_script.resolve_notebooks(["no_such_notebook"])


def test_untitled_figure_fails_run(tmp_path):
    path = tmp_path / "untitled.ipynb"
    write_notebook(
        path,
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\n"
        "ax.set_xlabel('x')\nax.set_ylabel('y');",
    )

    with pytest.raises(
        pytest.fail.Exception,
        match=r"(?s)cell 1 .*showed a figure without a title.*x label 'x' and y label 'y' has no title",
    ):
        run_notebook(path)


@pytest.mark.parametrize("missing, present", [("x", "y"), ("y", "x")])
def test_unlabelled_axis_fails_run(tmp_path, missing, present):
    path = tmp_path / "unlabelled.ipynb"
    write_notebook(
        path,
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2])\n"
        f"ax.set_title('line')\nax.set_{present}label('{present}');",
    )

    with pytest.raises(pytest.fail.Exception, match=rf"(?s)cell 1 .*axes titled 'line' has no {missing} label"):
        run_notebook(path)


def test_hidden_and_shared_axes_pass_run(tmp_path):
    # An image drawn with axis("off") needs no labels, and a y axis shared with a
    # labelled one counts as labelled.
    path = tmp_path / "exempt.ipynb"
    write_notebook(
        path,
        "import matplotlib.pyplot as plt\n"
        "fig, (left, middle, right) = plt.subplots(1, 3, sharey=True)\n"
        "for ax in (left, middle):\n"
        "    ax.plot([1, 2])\n"
        "    ax.set_title('line')\n"
        "    ax.set_xlabel('x')\n"
        "left.set_ylabel('y')\n"
        "right.imshow([[0, 1], [1, 0]])\n"
        "right.set_title('image')\n"
        "right.axis('off');",
    )

    notebook = run_notebook(path)

    figure = notebook.cells[1]
    assert any("image/png" in output.get("data", {}) for output in figure.outputs), "the figure was not shown"
