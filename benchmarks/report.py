"""Markdown for benchmark results: number formats, tables, the run header, and atomic files."""

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.systems import label


@dataclass
class Table:
    """One table of a suite's report: a title, a sentence on what it shows, and the markdown."""

    title: str
    description: str
    markdown: str


def format_seconds(seconds):
    """Format a duration with 3 significant digits in ns, µs, ms or s."""
    if seconds is None:
        return "—"
    for unit, scale in (("ns", 1e-9), ("µs", 1e-6), ("ms", 1e-3)):
        if seconds < 1000 * scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def format_bytes(count):
    if count is None:
        return "—"
    if abs(count) < 1024:
        return f"{count:.0f} B"
    for unit in ("KiB", "MiB", "GiB"):
        count /= 1024
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.1f} {unit}"


def format_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def format_size(n):
    """Write a power of ten from 100 up as 10^k, other counts with thousands separators."""
    exponent = round(math.log10(n)) if n > 0 else 0
    if exponent >= 2 and 10**exponent == n:
        return f"10^{exponent}"
    return f"{n:,}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def status_rows(row, width):
    """Return table rows for the skipped and failed systems of a case row, padded to `width` cells.

    The first cell is the system's label, and the second gives the reason it has no time.
    """
    rows = []
    for name in row.get("skipped", {}):
        rows.append([label(name), "skipped: not installed", *[""] * (width - 2)])
    for name, reason in row.get("failed", {}).items():
        rows.append([label(name), f"failed: {reason.split(':')[0]}", *[""] * (width - 2)])
    return rows


def ratio_cells(entry):
    """Return the ×floor and ×torch cells of a result entry, or MISMATCH when its check failed."""
    if entry["check"] != "ok":
        return ["MISMATCH", "MISMATCH"]
    return [format_ratio(entry.get("ratio_floor")), format_ratio(entry.get("ratio_torch"))]


def _version(machine, name):
    return machine.get(name) or "not installed"


def run_header(result):
    """Return the line that every table repeats: machine, threads, versions and timing method."""
    machine = result["machine"]
    threads = result["thread_limits"]
    load_start = machine.get("load_average_1min")
    load_end = machine.get("load_average_1min_end")
    load = "unknown" if load_start is None else f"{load_start:.2f}"
    if load_end is not None:
        load += f" → {load_end:.2f}"
    blas_threads = threads.get("numpy_blas_threads")
    blas_threads = "not limited (threadpoolctl missing)" if blas_threads is None else blas_threads
    return (
        f"_{machine['cpu']}, {machine['logical_cores']} logical cores, load average {load}. "
        f"Threads: {threads['threads']} for every library (torch.set_num_threads; "
        f"threadpoolctl sets NumPy's {machine['numpy_blas']}, which reads back {blas_threads}). "
        f"{machine['python']}, NumPy {machine['numpy']}, autodiff {machine['autodiff']} at "
        f"{machine['git_commit']}, torch {_version(machine, 'torch')}, micrograd "
        f"{_version(machine, 'micrograd')}, autograd {_version(machine, 'autograd')}, mygrad "
        f"{_version(machine, 'mygrad')}. Times are medians over interleaved runs; ×floor and "
        "×torch divide a system's median by the floor's and by PyTorch's from this run._"
    )


def render_document(result, suites, target_table, summary=False):
    """Return the markdown report of one run: the header, the targets, then each suite's tables.

    With `summary`, each suite gives its short tables (the form kept in
    benchmarks/README.md) instead of the full ones.
    """
    machine = result["machine"]
    settings = result["settings"]
    header = run_header(result)
    lines = [
        f"# Benchmark results, {machine['date_utc']} ({result['mode']} mode)",
        "",
        f"Command: `{result['command']}`. Step workloads: {settings['repeat']} runs of at least "
        f"{settings['min_time']} s each; scalar workloads: the run counts in their tables. "
        "The cycle collector is on while timing.",
        "",
        "## Targets",
        "",
        header,
        "",
        target_table,
    ]
    for name, data in result["suites"].items():
        suite = suites[name]
        lines += ["", f"## {suite.TITLE} (`{name}`)"]
        for table in suite.render(data, summary=summary):
            lines += ["", f"### {table.title}", "", table.description, "", header, "",
                      table.markdown]
    for note in result.get("notes", []):
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def write_atomic(path, text):
    """Write `text` to `path` through a temporary file and a rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates the file readable by its owner only
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def write_json_atomic(path, data):
    write_atomic(path, json.dumps(data, indent=2) + "\n")
