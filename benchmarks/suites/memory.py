"""Memory over many training steps: does it stay flat?

Runs `config.memory_steps` training steps of the 13-64-64-1 MLP at batch
32 in float64 (workload 2's small case) and samples memory at even
intervals. For the NumPy-based systems a sample is tracemalloc's peak
since the previous sample, then its current bytes after a full
collection. For every system it also records the resident set size.
Growth is the current bytes at the last sample minus those at the first,
which comes after one interval of warm-up. A step that leaked even one
small object would show here as growth proportional to the steps.

PyTorch's allocations are invisible to tracemalloc, so torch runs without
it and reports only the resident set size, which also moves with the
allocator's caching and is a coarse check.
"""

import gc
import tracemalloc
from array import array

import numpy as np

from benchmarks.memory_probe import resident_bytes
from benchmarks.report import Table, format_bytes, markdown_table
from benchmarks.systems import TORCH, Unavailable, label, ordered
from benchmarks.workloads import tensor_mlp

TITLE = "Memory over many steps"
DESCRIPTION = "Memory sampled while training for many steps, with the cycle collector on."

SIZES = (13, 64, 64, 1)
BATCH = 32

# Growth above this fraction of one step's peak counts as not flat.
FLAT_TOLERANCE = 0.01


def run_system(system, steps, samples, seed):
    """Train `system` for `steps` steps; return the samples and the growth between the first and last."""
    model = tensor_mlp.MODELS[system](tensor_mlp.make_problem(SIZES, BATCH, np.float64, seed))
    step = tensor_mlp.training_step(model).step
    interval = max(1, steps // samples)
    tracing = system != TORCH

    # The readings go into arrays allocated before tracing starts, so that
    # recording them allocates nothing that the later readings would count.
    count = steps // interval
    current, peak, rss = (array("q", bytes(8 * count)) for _ in range(3))
    resident_bytes()  # a first call may fill caches; this one is not traced
    gc.collect()
    if tracing:
        tracemalloc.start()
    try:
        for done in range(1, count * interval + 1):
            step()
            if done % interval == 0:
                index = done // interval - 1
                if tracing:
                    peak[index] = tracemalloc.get_traced_memory()[1]
                    # A full collection also empties CPython's free lists, which
                    # tracemalloc counts as allocated (up to 2,000 tuples of
                    # each size, for example), so that `current` is live memory.
                    gc.collect()
                    current[index] = tracemalloc.get_traced_memory()[0]
                    tracemalloc.reset_peak()
                rss[index] = resident_bytes() or 0
    finally:
        if tracing:
            tracemalloc.stop()

    points = [{"step": (index + 1) * interval,
               "current": current[index] if tracing else None,
               "peak": peak[index] if tracing else None,
               "rss": rss[index] or None} for index in range(count)]
    first, last = points[0], points[-1]
    result = {
        "steps": count * interval,
        "instrument": "tracemalloc" if tracing else "resident set size",
        "samples": points,
        "rss_growth": None if first["rss"] is None else last["rss"] - first["rss"],
    }
    if tracing:
        # A step's peak above the resting level: each interval's peak over the
        # level measured when the interval began (after the previous collection).
        step_peak = max((later["peak"] - earlier["current"]
                         for earlier, later in zip(points, points[1:])), default=None)
        growth = last["current"] - first["current"]
        flat = None if step_peak is None else growth <= FLAT_TOLERANCE * step_peak
        result.update(growth=growth, step_peak=step_peak, flat=flat)
    return result


def run(config):
    results, skipped = {}, {}
    for system in tensor_mlp.MODELS:
        try:
            results[system] = run_system(system, config.memory_steps, config.memory_samples,
                                         config.seed)
        except Unavailable as error:
            skipped[system] = str(error)
    return {"sizes": list(SIZES), "batch": BATCH, "samples": config.memory_samples,
            "results": results, "skipped": skipped}


def _growth_cells(entry):
    if entry.get("growth") is None:
        return ["—", "—", "—", "n/a (RSS only)"]
    first = entry["samples"][0]
    return [format_bytes(first["current"]), format_bytes(entry["growth"]),
            format_bytes(entry["step_peak"]), {True: "yes", False: "no", None: "—"}[entry["flat"]]]


def render(data, summary=False):
    header = ["system", "steps", "traced at first sample", "traced growth", "step peak", "flat",
              "RSS growth"]
    body = []
    for system in ordered(data["results"]):
        entry = data["results"][system]
        body.append([label(system), f"{entry['steps']:,}", *_growth_cells(entry),
                     format_bytes(entry["rss_growth"])])
    for system in data["skipped"]:
        body.append([label(system), "skipped: not installed", *[""] * 5])
    sizes = "-".join(map(str, data["sizes"]))
    description = (
        f"{sizes} MLP, batch {data['batch']}, float64, {data['samples']} samples. Traced "
        "growth is tracemalloc's current bytes (after a full collection) at the last sample "
        "minus the first, which comes after the first interval of steps. Step peak is the "
        "largest rise of an interval's peak over the level at its start. Flat means growth of "
        f"at most {FLAT_TOLERANCE:.0%} of the step peak. RSS growth is the same difference of "
        "the resident set size."
    )
    return [Table(f"{sizes}, batch {data['batch']}", description, markdown_table(header, body))]
