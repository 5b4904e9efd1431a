"""Run notebooks top to bottom and store them with their outputs.

    .venv/bin/python notebooks/execute.py                  # every notebook in this folder
    .venv/bin/python notebooks/execute.py 01_one_neuron    # some, by name in this folder
    .venv/bin/python notebooks/execute.py path/to/any.ipynb

The notebooks are kept with their outputs so that they read on GitHub. Each
one runs in a fresh "python3" kernel with the notebook's folder as the
working directory and matplotlib's inline backend, so every figure is stored
as a PNG output. The file is replaced atomically, and only when every cell
ran, so a failure never leaves a half-executed notebook behind.

The functions are importable (the tests load this file by path).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent

# Seconds per cell before the kernel is interrupted.
CELL_TIMEOUT = 300

# The backend ipykernel picks by default. It is set explicitly because an
# MPLBACKEND such as "Agg" in the caller's environment would keep figures
# out of the stored outputs.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def kernel_environment():
    """Return the kernel's environment: this process's, with matplotlib's inline backend."""
    return {**os.environ, "MPLBACKEND": INLINE_BACKEND}


def execute(path, timeout=CELL_TIMEOUT):
    """Execute the notebook at `path` in a fresh kernel and return it with its outputs.

    Raises nbclient's CellExecutionError at the first cell that raises.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps of an earlier run
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.resolve().parent)}},
        record_timing=False,  # per-cell timestamps would change every stored cell on each run
    )
    client.execute(env=kernel_environment())
    return notebook


def write_atomically(notebook, path):
    """Write `notebook` to a temporary file next to `path`, then rename it over `path`."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".ipynb")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            # mkstemp makes the file private (0600); give it the usual mode for new files.
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(file.fileno(), 0o666 & ~umask)
            nbformat.write(notebook, file)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def store_with_outputs(path, timeout=CELL_TIMEOUT):
    """Execute the notebook at `path`, store it in place with its outputs and return the seconds taken.

    The file stays untouched when a cell raises.
    """
    start = time.perf_counter()
    notebook = execute(path, timeout)
    write_atomically(notebook, path)
    return time.perf_counter() - start


def resolve_notebooks(names):
    """Return the notebook paths for command-line `names`: all of this folder's when `names` is empty.

    A name is a path to an .ipynb file or the name of a notebook in this
    folder, with or without the suffix.

    Raises:
        FileNotFoundError: a name matches no file.
    """
    if not names:
        return sorted(NOTEBOOK_DIR.glob("*.ipynb"))

    paths = []
    for name in names:
        path = Path(name)
        if not path.is_file():
            path = NOTEBOOK_DIR / (name if name.endswith(".ipynb") else f"{name}.ipynb")
        if not path.is_file():
            raise FileNotFoundError(f"no notebook {name!r}: neither a file nor a notebook in {NOTEBOOK_DIR}")
        paths.append(path)
    return paths


def main(argv=None):
    names = sys.argv[1:] if argv is None else argv
    try:
        paths = resolve_notebooks(names)
    except FileNotFoundError as error:
        sys.exit(str(error))

    for path in paths:
        seconds = store_with_outputs(path)
        print(f"{path.name}: ran in {seconds:.1f} s, stored with outputs")


if __name__ == "__main__":
    main()
