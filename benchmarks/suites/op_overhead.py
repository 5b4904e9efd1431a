"""Workload 3: the fixed cost per op, forward plus backward, of one and of 100 tiny elementwise ops."""

from functools import partial

from benchmarks.compare import Case, run_case
from benchmarks.report import Table, format_seconds, markdown_table, ratio_cells, status_rows
from benchmarks.systems import NUMPY_FLOOR, label, ordered
from benchmarks.workloads import elementwise

TITLE = "Per-op overhead"
DESCRIPTION = (
    "h ← h ⊙ y repeated k times on 2×2 float64 tensors from h = x, then backward with a seed "
    "of ones; time per op is the step's median divided by k. Gradients are cleared before "
    "each step."
)

OP_COUNTS = (1, 100)


def make_case(ops):
    implementations = {system: partial(factory, ops)
                       for system, factory in elementwise.IMPLEMENTATIONS.items()}
    name = "1 op" if ops == 1 else f"graph of {ops} ops"
    return Case(name, implementations, NUMPY_FLOOR, {"ops": ops, "shape": [2, 2]})


def run(config):
    rows = []
    for ops in OP_COUNTS:
        row = run_case(make_case(ops), config.repeat, config.min_time)
        for entry in row["results"].values():
            entry["per_op"] = entry["median"] / ops
        rows.append(row)
    return {"cases": rows}


def _table(row, summary):
    header = ["system", "per op", "step", "×floor", "×torch"]
    if not summary:
        header.insert(3, "step min")
    body = []
    for system in ordered(row["results"]):
        entry = row["results"][system]
        cells = [label(system), format_seconds(entry["per_op"]), format_seconds(entry["median"]),
                 *ratio_cells(entry)]
        if not summary:
            cells.insert(3, format_seconds(entry["min"]))
        body.append(cells)
    body += status_rows(row, len(header))
    return markdown_table(header, body)


def render(data, summary=False):
    return [Table(f"Forward + backward, {row['case']}", DESCRIPTION, _table(row, summary))
            for row in data["cases"]]
