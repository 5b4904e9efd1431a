"""Workload 4: backward time against forward time, over MLP shapes and chain lengths.

An engine's backward pass does about twice the forward's arithmetic (two
matrix products per layer for one), so backward/forward near 2 means that
the engine adds little of its own. For the chain, the log-log slope of
time against N shows whether the cost per node stays constant (slope 1)
as the graph grows; it is fitted from N = 10^3 on, with the cycle
collector on.
"""

import numpy as np

from benchmarks.compare import Case, run_phased_case
from benchmarks.report import Table, format_ratio, format_seconds, format_size, markdown_table
from benchmarks.suites.chain_measurement import measure_chains
from benchmarks.systems import NUMPY_FLOOR, OURS, TORCH, label, ordered
from benchmarks.workloads import tensor_mlp

TITLE = "Backward against forward"
DESCRIPTION = "Median backward time over median forward time."

GRID_SYSTEMS = (OURS, NUMPY_FLOOR, TORCH)


def grid_sizes(width, depth):
    """Return the layer sizes of `depth` hidden layers of `width` units, on `width` inputs, 1 output."""
    return (width,) + (width,) * depth + (1,)


def make_grid_case(width, depth, batch, seed):
    sizes = grid_sizes(width, depth)

    def factory(model_class):
        # The problem is built when the case runs, not when it is listed.
        return lambda: tensor_mlp.gradient_phases(
            model_class(tensor_mlp.make_problem(sizes, batch, np.float64, seed)))

    implementations = {system: factory(tensor_mlp.MODELS[system]) for system in GRID_SYSTEMS}
    return Case(f"width {width}, depth {depth}", implementations, NUMPY_FLOOR,
                {"width": width, "depth": depth, "sizes": list(sizes), "batch": batch})


def run(config):
    grid = []
    for width in config.grid_widths:
        for depth in config.grid_depths:
            case = make_grid_case(width, depth, config.grid_batch, config.seed)
            grid.append(run_phased_case(case, config.repeat, config.min_time))
    return {"grid": grid, "batch": config.grid_batch, "chain": measure_chains(config)}


def _ratio_cell(row, system):
    entry = row["results"].get(system)
    if entry is None:
        return "skipped" if system in row["skipped"] else "—"
    if entry["check"] != "ok":
        return "MISMATCH"
    return format_ratio(entry["backward_over_forward"])


def grid_table(rows):
    header = ["width", "depth", "autodiff forward", "autodiff backward", "autodiff bwd/fwd",
              f"{label(NUMPY_FLOOR)} bwd/fwd", f"{label(TORCH)} bwd/fwd"]
    body = []
    for row in rows:
        ours = row["results"][OURS]
        body.append([row["params"]["width"], row["params"]["depth"],
                     format_seconds(ours["forward"]["median"]),
                     format_seconds(ours["backward"]["median"]),
                     _ratio_cell(row, OURS), _ratio_cell(row, NUMPY_FLOOR), _ratio_cell(row, TORCH)])
    return markdown_table(header, body)


def chain_table(rows):
    systems = ordered({system for row in rows for system in row["results"]})
    header = ["N", *[f"{label(system)} bwd/fwd" for system in systems]]
    body = [[format_size(row["params"]["n"]), *[_ratio_cell(row, system) for system in systems]]
            for row in rows]
    return markdown_table(header, body)


def slope_table(chain):
    header = ["system", "N fitted", "forward slope", "backward slope", "forward + backward slope"]
    body = []
    for system in ordered(chain["slopes"]):
        slope = chain["slopes"][system]
        fitted = f"{format_size(min(slope['sizes']))} … {format_size(max(slope['sizes']))}"
        body.append([label(system), fitted, f"{slope['forward']:.3f}", f"{slope['backward']:.3f}",
                     f"{slope['total']:.3f}"])
    return markdown_table(header, body)


def render(data, summary=False):
    return [
        Table(
            "MLP shapes",
            f"Forward (to the loss) and backward of a ReLU MLP with `depth` hidden layers of "
            f"`width` units, `width` inputs and 1 output, squared loss, batch {data['batch']}, "
            "float64.",
            grid_table(data["grid"]),
        ),
        Table("Chain y ← tanh(y·w + b)", "Backward over forward at each N.",
              chain_table(data["chain"]["rows"])),
        Table(
            "Log-log slope of time against N",
            "Least-squares slope of log(median time) against log N over the chain lengths "
            f"from {format_size(data['chain']['slope_from'])} on; 1 means a constant cost "
            "per node.",
            slope_table(data["chain"]),
        ),
    ]
