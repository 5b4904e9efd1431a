"""Workload 1: scalar circuits, where every node contains one number.

Two graphs: a 2-16-16-1 tanh MLP evaluated point by point on 2-d points
with a squared loss (about 64,000 nodes on 100 points), and the chain
y ← tanh(y·w + b) of N steps (3N nodes). Times are per node, forward and
backward separately, with the cycle collector on. The pure-Python floor
does the same arithmetic on floats with a hand-written backward pass. Its
"per node" time is its time divided by the engines' node count.
"""

from functools import partial

from benchmarks.compare import Case, add_ratio, run_phased_case
from benchmarks.report import (
    Table, format_ratio, format_seconds, format_size, markdown_table, ratio_cells, status_rows,
)
from benchmarks.suites.chain_measurement import measure_chains
from benchmarks.systems import PYTHON_FLOOR, label, ordered
from benchmarks.workloads import chain, scalar_mlp

TITLE = "Scalar circuits"
DESCRIPTION = (
    "Graphs of scalar nodes, forward and backward timed separately, per node, with the cycle "
    "collector on."
)


def make_mlp_case(points, seed):
    implementations = {system: partial(factory, points, seed)
                       for system, factory in scalar_mlp.IMPLEMENTATIONS.items()}
    sizes = "-".join(map(str, scalar_mlp.SIZES))
    return Case(f"MLP {sizes} on {points} points", implementations, PYTHON_FLOOR,
                {"sizes": list(scalar_mlp.SIZES), "points": points, "seed": seed,
                 "nodes": scalar_mlp.count_nodes(points)})


def run(config):
    case = make_mlp_case(config.scalar_points, config.seed)
    mlp = run_phased_case(case, repeat=config.scalar_runs, min_time=0.0, number=1)
    mlp["runs"] = config.scalar_runs
    nodes = case.params["nodes"]
    for entry in mlp["results"].values():
        for phase in ("forward", "backward", "garbage", "total"):
            entry[phase]["per_node"] = entry[phase]["median"] / nodes
    add_ratio(mlp["results"], "micrograd", "ratio_micrograd", key=("total", "median"))
    return {"mlp": mlp, "chain": measure_chains(config)}


def per_node_cells(entry):
    """Return the per-node cells of each phase and the total, then ×floor, ×torch and ×micrograd."""
    ratio_micrograd = "MISMATCH" if entry["check"] != "ok" else format_ratio(
        entry.get("ratio_micrograd"))
    return [format_seconds(entry[phase]["per_node"])
            for phase in ("forward", "backward", "garbage", "total")] + [
        *ratio_cells(entry), ratio_micrograd]


PER_NODE_HEADER = ["forward/node", "backward/node", "cycle gc/node", "total/node", "×floor",
                   "×torch", "×micrograd"]


def mlp_table(row):
    header = ["system", *PER_NODE_HEADER]
    body = [[label(system), *per_node_cells(row["results"][system])]
            for system in ordered(row["results"])]
    body += status_rows(row, len(header))
    return markdown_table(header, body)


def chain_table(rows, summary):
    header = ["N", "system", "runs", *PER_NODE_HEADER]
    if summary:
        header.remove("runs")
    body = []
    for row in rows:
        n = format_size(row["params"]["n"])
        for system in ordered(row["results"]):
            cells = [n, label(system), row["runs"], *per_node_cells(row["results"][system])]
            if summary:
                del cells[2]
            body.append(cells)
        body += [[n, *cells] for cells in status_rows(row, len(header) - 1)]
    return markdown_table(header, body)


def describe_limit(limit):
    """Return the depth-limit cell of one system: the first failing N, or "none up to N"."""
    if limit["first_failing_n"] is None:
        return f"none up to N = {format_size(limit['sizes_tried_up_to'])}"
    n = limit["first_failing_n"]
    if limit.get("exact"):
        return f"N = {n:,} ({chain.NODES_PER_STEP * n:,} nodes deep)"
    low, high = limit["bracket"]
    return f"between N = {format_size(low)} and {format_size(high)}"


def depth_table(limits):
    header = ["system", "first failing chain length", "error"]
    body = [[label(system), describe_limit(limits[system]),
             (limits[system]["error"] or "").split(" (")[0] or "—"]
            for system in ordered(limits)]
    return markdown_table(header, body)


def render(data, summary=False):
    mlp = data["mlp"]
    chains = data["chain"]
    return [
        Table(
            f"{mlp['case']} ({mlp['params']['nodes']:,} nodes), forward + backward",
            f"Time per node over {mlp['runs']} interleaved runs; one leaf per weight, tanh "
            "hidden units, linear output, J = (1/n) Σ ½ (h(x) − y)².",
            mlp_table(mlp),
        ),
        Table(
            "Chain y ← tanh(y·w + b), N steps (3N nodes)",
            "Time per node at each N; the run count falls as N grows. A system that failed at "
            "a smaller N is not run again.",
            chain_table(chains["rows"], summary),
        ),
        Table(
            "Depth limits",
            "The smallest chain length N at which forward + backward raised RecursionError or "
            "MemoryError (by bisection below 10^4), with the interpreter's default recursion "
            "limit.",
            depth_table(chains["depth_limits"]),
        ),
    ]
