"""Markdown tables and atomic JSON/markdown files for benchmark results."""

import json
import os
import tempfile
from pathlib import Path

from benchmarks.compare import OURS


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
        return f"{count} B"
    for unit in ("KiB", "MiB", "GiB"):
        count /= 1024
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.1f} {unit}"


def format_ratio(ratio):
    return "—" if ratio is None else f"{ratio:.2f}×"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def comparison_table(rows, baselines, ratios_only=False):
    """Render comparison cases: autodiff's min time, then each baseline's time and ours/baseline.

    A baseline column appears only when some case has it. A cell reads
    "skipped" when the library is not installed, and "MISMATCH", with no
    ratio, when its result differed from autodiff's. With `ratios_only`,
    the baselines' times are left out.
    """
    present = [
        name for name in baselines
        if any(name in row["results"] or name in row["skipped"] for row in rows)
    ]
    header = ["case", "threads", OURS]
    for name in present:
        header += [f"ours/{name}"] if ratios_only else [name, f"ours/{name}"]

    body = []
    for row in rows:
        ours = row["results"][OURS]
        cells = [row["case"], row.get("threads", "—"), _time_cell(ours)]
        for name in present:
            if name in row["skipped"]:
                time_cell, ratio_cell = "skipped", "skipped"
            elif name not in row["results"]:
                time_cell, ratio_cell = "", ""
            else:
                entry = row["results"][name]
                time_cell = _time_cell(entry)
                ratio_cell = format_ratio(entry["ratio_min"]) if entry["check"] == "ok" else "MISMATCH"
            cells += [ratio_cell] if ratios_only else [time_cell, ratio_cell]
        body.append(cells)
    return markdown_table(header, body)


def _time_cell(entry):
    text = format_seconds(entry["min"])
    return text if entry["check"] == "ok" else f"{text} MISMATCH"


def _load(machine, key):
    value = machine.get(key)
    return "unknown" if value is None else f"{value:.2f}"


def render_document(result, suites, summary=False):
    """Return the markdown report of one run: settings, machine and one table per suite.

    With `summary`, each suite gives its short table of ratios (the form
    kept in benchmarks/README.md) instead of the full one.
    """
    machine = result["machine"]
    settings = result["settings"]
    lines = [
        f"# Benchmark results, {machine['date_utc']} ({result['mode']} mode)",
        "",
        f"Machine: {machine['cpu']}, {machine['logical_cores']} logical cores "
        f"({machine['usable_cores']} usable), load average {_load(machine, 'load_average_1min')} "
        f"at start and {_load(machine, 'load_average_1min_end')} at the end; {machine['python']}; NumPy {machine['numpy']} ({machine['numpy_blas']}); "
        f"torch {machine['torch']}; micrograd {machine['micrograd']}; autograd "
        f"{machine['autograd']}; autodiff {machine['autodiff']} at commit {machine['git_commit']}.",
        "",
        f"Timing: min over {settings['repeat']} interleaved runs of at least "
        f"{settings['min_time']} s each, per call; ratios are ours / baseline on the min, "
        "so above 1× means autodiff is slower. Thread counts (torch and BLAS): "
        f"{', '.join(str(n) for n in settings['threads'])}.",
    ]
    for name, rows in result["suites"].items():
        suite = suites[name]
        table = suite.summarize(rows) if summary else suite.render(rows)
        lines += ["", f"## {suite.TITLE} (`{name}`)", "", suite.DESCRIPTION, "", table]
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
    write_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
