"""Comparison cases: one workload in several systems, checked for equal results, then timed.

A case maps each system to a factory that builds the inputs and returns an
`Implementation`. Before timing, the first call of every implementation is
compared with autodiff's (the value and every gradient), so that a ratio
is only reported for code that computes the same numbers. A system that
computes something else is marked MISMATCH and gets no ratio. A system
whose library is missing is reported as skipped. A system that raises
RecursionError or MemoryError on the workload is reported as failed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from benchmarks.stats import is_close_per_max, ratio
from benchmarks.systems import OURS, TORCH, Unavailable
from benchmarks.timing import time_interleaved, time_phases_interleaved

# The errors that mean "this system cannot run a workload this large".
CAPACITY_ERRORS = (RecursionError, MemoryError)


@dataclass
class Implementation:
    """One system's version of a workload.

    `step()` runs the timed work once and returns its output, and
    `extract(output)` turns that output into a dict of arrays: the value and
    the gradients. A workload timed in two phases also has `forward()`,
    which records the graph and returns a handle, and `backward(handle)`,
    which returns what `step()` would.
    """

    step: Callable
    extract: Callable
    forward: Callable = None
    backward: Callable = None


def phased(forward, backward, extract):
    """Return the Implementation whose step is backward(forward())."""
    return Implementation(lambda: backward(forward()), extract, forward, backward)


@dataclass
class Case:
    """One workload: its systems' factories, its floor, and the tolerance of the result check.

    autodiff must come first in `implementations`: it is the reference that
    the others are checked against with `is_close_per_max(rtol, atol)`.
    `floor` names the hand-written implementation that the ratios divide by.
    """

    name: str
    implementations: dict
    floor: str
    params: dict = field(default_factory=dict)
    rtol: float = 1e-7
    atol: float = 1e-9


def compare_outputs(reference, outputs, rtol, atol):
    """Return None when `outputs` matches `reference` (dicts of arrays), else what differs."""
    if set(outputs) != set(reference):
        return f"outputs {sorted(outputs)} differ from autodiff's {sorted(reference)}"
    for key, expected in reference.items():
        actual = outputs[key]
        if actual.shape != expected.shape:
            return f"{key}: shape {actual.shape}, expected {expected.shape}"
        if not is_close_per_max(actual, expected, rtol, atol):
            error = np.max(np.abs(actual - expected))
            return f"{key}: max abs difference {error:.3g} (rtol={rtol}, atol={atol} x max)"
    return None


def _as_float_arrays(outputs):
    return {key: np.asarray(value, dtype=np.float64) for key, value in outputs.items()}


def prepare(case, exclude=()):
    """Build and call every available implementation once; return (implementations, outputs, row).

    The row has the case's name, params and floor, and the systems that were
    skipped (library missing) or failed (RecursionError or MemoryError).
    Systems in `exclude` are left out without a call.
    """
    if next(iter(case.implementations)) != OURS:
        raise ValueError(f"case {case.name!r}: the first implementation must be {OURS!r}")

    row = {"case": case.name, "params": case.params, "floor": case.floor,
           "results": {}, "skipped": {}, "failed": {}}
    implementations = {}
    outputs = {}
    for name, factory in case.implementations.items():
        if name in exclude:
            continue
        try:
            implementation = factory()
            # The first call checks the result and also warms up caches.
            outputs[name] = _as_float_arrays(implementation.extract(implementation.step()))
        except Unavailable as error:
            row["skipped"][name] = str(error)
            continue
        except CAPACITY_ERRORS as error:
            row["failed"][name] = f"{type(error).__name__}: {error}"
            continue
        implementations[name] = implementation
    return implementations, outputs, row


def _check(outputs, name, case):
    """Compare a system's output with autodiff's, or with the floor's where autodiff failed."""
    reference = OURS if OURS in outputs else case.floor
    if reference not in outputs:
        return "not checked: neither autodiff nor the floor ran"
    mismatch = compare_outputs(outputs[reference], outputs[name], case.rtol, case.atol)
    return "ok" if mismatch is None else f"mismatch: {mismatch}"


def add_ratio(results, reference, field, key=("median",)):
    """Set entry[field] = the entry's time / the reference system's, for each checked entry.

    `key` is the path to the time inside an entry, e.g. ("total", "median").
    The ratio is None when the reference did not run or failed its check,
    and a system whose own check failed gets no ratio at all.
    """
    def time_of(entry):
        for part in key:
            entry = entry[part]
        return entry

    base = results.get(reference)
    base_time = time_of(base) if base is not None and base["check"] == "ok" else None
    for entry in results.values():
        if entry["check"] == "ok":
            entry[field] = ratio(time_of(entry), base_time)


def add_ratios(results, floor, key=("median",)):
    """Add ratio_floor and ratio_torch: each system's time over the floor's and over PyTorch's."""
    add_ratio(results, floor, "ratio_floor", key)
    add_ratio(results, TORCH, "ratio_torch", key)


def run_case(case, repeat, min_time):
    """Check and time the whole step of every available implementation; return a JSON-ready row."""
    implementations, outputs, row = prepare(case)
    timings = time_interleaved(
        {name: implementation.step for name, implementation in implementations.items()},
        repeat, min_time,
    )
    for name, timing in timings.items():
        entry = timing.to_json()
        entry["check"] = _check(outputs, name, case)
        row["results"][name] = entry
    add_ratios(row["results"], case.floor)
    return row


def run_phased_case(case, repeat, min_time, number=None, exclude=()):
    """Check every implementation, then time its forward and backward phases; return a row.

    Each result has "forward", "backward" and "total" timings, and
    "backward_over_forward", the ratio of the median backward time to the
    median forward time.
    """
    implementations, outputs, row = prepare(case, exclude)
    phases = {name: (implementation.forward, implementation.backward)
              for name, implementation in implementations.items()}
    timings = time_phases_interleaved(phases, repeat, min_time, number)
    for name, timing in timings.items():
        entry = {phase: value.to_json() for phase, value in timing.items()}
        entry["backward_over_forward"] = ratio(timing["backward"].median, timing["forward"].median)
        entry["check"] = _check(outputs, name, case)
        row["results"][name] = entry
    add_ratios(row["results"], case.floor, key=("total", "median"))
    return row
