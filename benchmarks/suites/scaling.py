"""Suite c: time per node of a chain of N ops as N grows, with the cycle collector on and off.

The graph is y = x * c * c * ... * c (N multiply nodes on 0-d float64
tensors, c a constant), built and then differentiated. A linear-time
engine has a flat backward time per node. Python's cycle collector runs
when allocations outnumber deallocations, which building a graph does, so
each size is also run with the collector disabled (`gc.disable()` around
forward and backward) and the collections of each generation are counted
with `gc.get_stats()`.

autodiff's backward() pauses the collector for its whole run, sort
included, because the graph has no reference cycles. The collections
counted here therefore come from the forward pass.
"""

import gc
import math
import time

from benchmarks.compare import OURS, Unavailable, require
from benchmarks.report import format_ratio, format_seconds, markdown_table
from benchmarks.timing import gc_collection_counts

TITLE = "Scaling in N"
DESCRIPTION = (
    "A chain of N multiply nodes on 0-d float64 tensors: forward (build) and backward time "
    "per node, min over runs, with the cycle collector on and off, and the collections per "
    "run of generations 0/1/2. torch runs the same chain with the collector on."
)
BASELINES = ("torch",)
THREAD_SENSITIVE = False

FACTOR = 1.0 + 1e-7  # FACTOR**N stays near 1 up to N = 10**6, so no overflow

# Nodes per (size, mode) across all runs: small sizes get `repeat` runs and
# large ones fewer, but at least _MIN_RUNS (two at 10**6 nodes in full mode).
_NODE_BUDGET = {True: 10**5, False: 3 * 10**5}
_MIN_RUNS = {True: 1, False: 2}


def _chain_ours(n):
    import autodiff as ad

    x = ad.tensor(0.5, requires_grad=True)
    c = ad.tensor(FACTOR)

    def forward():
        y = x
        for _ in range(n):
            y = y * c
        return y

    def backward(y):
        y.backward()
        return x.grad.item()

    return forward, backward


def _chain_torch(n):
    torch = require("torch")
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    c = torch.tensor(FACTOR, dtype=torch.float64)

    def forward():
        y = x
        for _ in range(n):
            y = y * c
        return y

    def backward(y):
        x.grad = None
        y.backward()
        return x.grad.item()

    return forward, backward


def _measure_once(chain, n, collector_on):
    """Build and differentiate one chain; return seconds and gc collections of each phase."""
    forward, backward = chain(n)
    gc.collect()
    was_enabled = gc.isenabled()
    if not collector_on:
        gc.disable()
    try:
        counts_start = gc_collection_counts()
        start = time.perf_counter()
        y = forward()
        built = time.perf_counter()
        counts_built = gc_collection_counts()
        gradient = backward(y)
        done = time.perf_counter()
        counts_done = gc_collection_counts()
    finally:
        if was_enabled:
            gc.enable()

    if not math.isclose(gradient, FACTOR**n, rel_tol=1e-9):
        raise AssertionError(f"chain of {n}: dx = {gradient}, expected FACTOR**n = {FACTOR**n}")
    return {
        "forward": built - start,
        "backward": done - built,
        "gc_forward": [b - a for a, b in zip(counts_start, counts_built)],
        "gc_backward": [b - a for a, b in zip(counts_built, counts_done)],
    }


def _measure(chain, n, collector_on, runs):
    samples = [_measure_once(chain, n, collector_on) for _ in range(runs)]
    return {
        "runs": runs,
        "forward_per_node": min(s["forward"] for s in samples) / n,
        "backward_per_node": min(s["backward"] for s in samples) / n,
        "forward_per_node_median": sorted(s["forward"] for s in samples)[runs // 2] / n,
        "backward_per_node_median": sorted(s["backward"] for s in samples)[runs // 2] / n,
        "gc_forward_per_run": [sum(s["gc_forward"][g] for s in samples) / runs for g in range(3)],
        "gc_backward_per_run": [sum(s["gc_backward"][g] for s in samples) / runs for g in range(3)],
    }


def run(config):
    rows = []
    for n in config.sizes:
        runs = max(_MIN_RUNS[config.quick], min(config.repeat, _NODE_BUDGET[config.quick] // n))
        row = {
            "case": f"N = {n:,}",
            "n": n,
            OURS: {
                "gc_on": _measure(_chain_ours, n, True, runs),
                "gc_off": _measure(_chain_ours, n, False, runs),
            },
        }
        try:
            row["torch"] = {"gc_on": _measure(_chain_torch, n, True, runs)}
        except Unavailable as error:
            row["torch"] = {"skipped": str(error)}
        rows.append(row)
    return rows


def _gc_cell(counts):
    return "/".join(f"{count:g}" for count in counts)


def _cells(row, first_backward):
    """Return the formatted cells of one size, by column name."""
    on, off = row[OURS]["gc_on"], row[OURS]["gc_off"]
    cells = {
        "N": f"{row['n']:,}",
        "runs": on["runs"],
        "fwd/node": format_seconds(on["forward_per_node"]),
        "bwd/node": format_seconds(on["backward_per_node"]),
        "bwd/node vs smallest N": format_ratio(on["backward_per_node"] / first_backward),
        "fwd/node gc off": format_seconds(off["forward_per_node"]),
        "bwd/node gc off": format_seconds(off["backward_per_node"]),
        "gc fwd (gen 0/1/2)": _gc_cell(on["gc_forward_per_run"]),
        "gc bwd (gen 0/1/2)": _gc_cell(on["gc_backward_per_run"]),
    }
    torch = row["torch"].get("gc_on")
    if torch is None:
        cells.update({"torch fwd/node": "skipped", "torch bwd/node": "skipped",
                      "ours/torch (fwd+bwd)": "skipped"})
    else:
        ours_total = on["forward_per_node"] + on["backward_per_node"]
        torch_total = torch["forward_per_node"] + torch["backward_per_node"]
        cells.update({
            "torch fwd/node": format_seconds(torch["forward_per_node"]),
            "torch bwd/node": format_seconds(torch["backward_per_node"]),
            "ours/torch (fwd+bwd)": format_ratio(ours_total / torch_total),
        })
    return cells


def _table(rows, header):
    if not rows:
        return markdown_table(header, [])
    first_backward = rows[0][OURS]["gc_on"]["backward_per_node"]
    body = []
    for row in rows:
        cells = _cells(row, first_backward)
        body.append([cells[column] for column in header])
    return markdown_table(header, body)


def render(rows):
    return _table(rows, [
        "N", "runs", "fwd/node", "bwd/node", "bwd/node vs smallest N", "fwd/node gc off",
        "bwd/node gc off", "gc fwd (gen 0/1/2)", "gc bwd (gen 0/1/2)", "torch fwd/node",
        "torch bwd/node", "ours/torch (fwd+bwd)",
    ])


def summarize(rows):
    return _table(rows, [
        "N", "fwd/node", "bwd/node", "bwd/node vs smallest N", "fwd/node gc off",
        "bwd/node gc off", "ours/torch (fwd+bwd)",
    ])
