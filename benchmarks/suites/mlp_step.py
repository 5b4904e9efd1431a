"""Workload 2: one training step of a ReLU MLP, squared loss and plain SGD, in every system.

For each step it reports the median time and the peak memory above the
level before the step. It also reports the matrix-product throughput, the
step's matmul FLOPs (`stats.mlp_step_flops`) per second. That rate is then
given as a fraction of what np.matmul reaches on the same products alone,
with the same dtype and thread count. That fraction is the time the step's products take by
themselves over the step's time, so 100% means that nothing but the
products costs anything.
"""

import statistics

import numpy as np

from benchmarks import memory_probe
from benchmarks.compare import Case, run_case
from benchmarks.report import (
    Table, format_bytes, format_ratio, format_seconds, markdown_table, ratio_cells, status_rows,
)
from benchmarks.stats import mlp_step_flops, ratio
from benchmarks.systems import NUMPY_FLOOR, TORCH, Unavailable, label, ordered
from benchmarks.timing import time_interleaved
from benchmarks.workloads import tensor_mlp

TITLE = "Tensor MLP training step"
DESCRIPTION = (
    "Forward, squared loss J = (1/n) Σ ½‖h(x) − y‖², backward and an in-place SGD update "
    "of a ReLU MLP on one batch (gradients cleared before each step)."
)

# (name, layer sizes, batch, dtype)
WORKLOADS = (
    ("784-256-256-10, batch 128, float32", (784, 256, 256, 10), 128, np.float32),
    ("784-256-256-10, batch 128, float64", (784, 256, 256, 10), 128, np.float64),
    ("13-64-64-1, batch 32, float64", (13, 64, 64, 1), 32, np.float64),
)

# Measurements of peak memory per system; the median is kept.
_MEMORY_SAMPLES = 3


def _factory(model_class, sizes, batch, dtype, seed):
    # Each implementation builds the same initial problem (its own copy) when the case runs.
    return lambda: tensor_mlp.training_step(
        model_class(tensor_mlp.make_problem(sizes, batch, dtype, seed)))


def make_case(name, sizes, batch, dtype, seed):
    """Return the Case of one workload, with float32's looser result check."""
    # float32 sums taken in different orders differ by about 1e-6 relative
    # (measured on these workloads), well inside 1e-4.
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    implementations = {
        system: _factory(model_class, sizes, batch, dtype, seed)
        for system, model_class in tensor_mlp.MODELS.items()
    }
    params = {"sizes": list(sizes), "batch": batch, "dtype": np.dtype(dtype).name, "seed": seed}
    return Case(name, implementations, NUMPY_FLOOR, params, **tolerance)


def matmul_products(sizes, batch, dtype, seed):
    """Return the step's matrix products as name -> zero-argument callables on random operands.

    The operands have the layouts of a step: z[k] = a[k-1] @ W[k],
    ∂J/∂W[k] = a[k-1].T @ δ[k] and, past the first layer, δ[k] @ W[k].T.
    """
    rng = np.random.default_rng(seed)
    products = {}
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        a = rng.normal(size=(batch, fan_in)).astype(dtype)
        W = rng.normal(size=(fan_in, fan_out)).astype(dtype)
        delta = rng.normal(size=(batch, fan_out)).astype(dtype)
        products[f"a[{k - 1}] W[{k}]"] = lambda a=a, W=W: a @ W
        products[f"a[{k - 1}]^T δ[{k}]"] = lambda a=a, delta=delta: a.T @ delta
        if k > 1:
            products[f"δ[{k}] W[{k}]^T"] = lambda W=W, delta=delta: delta @ W.T
    return products


def matmul_seconds(sizes, batch, dtype, config):
    """Return the summed median time of the step's matrix products, each timed alone."""
    timings = time_interleaved(matmul_products(sizes, batch, dtype, config.seed),
                               config.repeat, config.min_time)
    return sum(timing.median for timing in timings.values())


def peak_memory(system, model_class, sizes, batch, dtype, seed):
    """Return the median peak bytes of one step of `system`, or None when it is not installed."""
    try:
        model = model_class(tensor_mlp.make_problem(sizes, batch, dtype, seed))
    except Unavailable:
        return None
    step = tensor_mlp.training_step(model).step
    measure = memory_probe.torch_profiler_peak if system == TORCH else memory_probe.tracemalloc_peak
    measure(step, model.zero_grad)  # warm-up: the first measurement counts one-time allocations
    return statistics.median(measure(step, model.zero_grad) for _ in range(_MEMORY_SAMPLES))


def run_workload(name, sizes, batch, dtype, config):
    row = run_case(make_case(name, sizes, batch, dtype, config.seed), config.repeat,
                   config.min_time)
    flops = mlp_step_flops(sizes, batch)
    products_seconds = matmul_seconds(sizes, batch, dtype, config)
    row.update(flops=flops, matmul_seconds=products_seconds,
               matmul_gflops=flops / products_seconds / 1e9)

    floor_peak = None
    for system, entry in row["results"].items():
        entry["gflops"] = flops / entry["median"] / 1e9
        entry["matmul_fraction"] = products_seconds / entry["median"]
        entry["peak_bytes"] = peak_memory(system, tensor_mlp.MODELS[system], sizes, batch,
                                          dtype, config.seed)
        entry["peak_instrument"] = "torch.profiler" if system == TORCH else "tracemalloc"
        if system == NUMPY_FLOOR:
            floor_peak = entry["peak_bytes"]
    for entry in row["results"].values():
        entry["peak_ratio_floor"] = ratio(entry["peak_bytes"], floor_peak)
    return row


def run(config):
    return {"cases": [run_workload(*workload, config) for workload in WORKLOADS]}


def _table(row, summary):
    header = ["system", "median", "×floor", "×torch", "peak memory", "memory ×floor",
              "matmul GFLOP/s", "of np.matmul's"]
    if not summary:
        header[2:2] = ["min"]
    body = []
    for system in ordered(row["results"]):
        entry = row["results"][system]
        memory = format_bytes(entry["peak_bytes"])
        if system == TORCH and entry["peak_bytes"] is not None:
            memory += " (profiler)"
        cells = [label(system), format_seconds(entry["median"]), *ratio_cells(entry), memory,
                 format_ratio(entry["peak_ratio_floor"]), f"{entry['gflops']:.1f}",
                 f"{100 * entry['matmul_fraction']:.0f}%"]
        if not summary:
            cells[2:2] = [format_seconds(entry["min"])]
        body.append(cells)
    body += status_rows(row, len(header))
    return markdown_table(header, body)


def render(data, summary=False):
    tables = []
    for row in data["cases"]:
        description = (
            f"{DESCRIPTION} {row['flops'] / 1e6:.1f} MFLOP of matrix products per step; "
            f"np.matmul runs them alone in {format_seconds(row['matmul_seconds'])} "
            f"({row['matmul_gflops']:.1f} GFLOP/s). Peak memory: tracemalloc bytes above the "
            "level before the step; PyTorch's from torch.profiler's allocator events, because "
            "tracemalloc cannot see its C++ allocations."
        )
        tables.append(Table(row["case"], description, _table(row, summary)))
    return tables
