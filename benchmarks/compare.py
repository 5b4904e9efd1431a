"""Comparison cases: one workload written for each library, checked for equal results, then timed.

An implementation is a factory that builds its inputs and returns
`(step, extract)`: `step()` runs the timed work once and returns its output,
and `extract(output)` turns that output into a dict of NumPy arrays (the
value and the gradients). Before timing, every implementation's first step
is compared with autodiff's, so a ratio is only reported for code that
computes the same numbers.
"""

import importlib
from dataclasses import dataclass, field

import numpy as np

from benchmarks.timing import time_interleaved

OURS = "autodiff"


class Unavailable(Exception):
    """Raised by an implementation factory whose library is not installed."""


def require(module_name):
    """Import `module_name`, or raise Unavailable with the install command."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise Unavailable(
            f"{module_name} is not installed ({error}); install the benchmark extra with "
            "pip install -e '.[bench]'"
        ) from None


@dataclass
class Case:
    """One row of a comparison table: a workload and its implementation factories.

    `implementations` maps a library name to its factory; autodiff's comes
    first and is the reference that the others are checked against with
    `numpy.allclose(rtol, atol)`.
    """

    name: str
    implementations: dict
    params: dict = field(default_factory=dict)
    rtol: float = 1e-7
    atol: float = 1e-10


def compare_outputs(reference, outputs, rtol, atol):
    """Return None when `outputs` matches `reference` (dicts of arrays), else what differs."""
    if set(outputs) != set(reference):
        return f"outputs {sorted(outputs)} differ from autodiff's {sorted(reference)}"
    for key, expected in reference.items():
        actual = outputs[key]
        if actual.shape != expected.shape:
            return f"{key}: shape {actual.shape}, expected {expected.shape}"
        if not np.allclose(actual, expected, rtol=rtol, atol=atol):
            error = np.max(np.abs(actual - expected))
            return f"{key}: max abs difference {error:.3g} (rtol={rtol}, atol={atol})"
    return None


def _as_float_arrays(outputs):
    return {key: np.asarray(value, dtype=np.float64) for key, value in outputs.items()}


def run_case(case, repeat, min_time):
    """Check and time every available implementation of `case`; return a JSON-ready dict."""
    if next(iter(case.implementations)) != OURS:
        raise ValueError(f"case {case.name!r}: the first implementation must be {OURS!r}")

    steps = {}
    outputs = {}
    skipped = {}
    for name, factory in case.implementations.items():
        try:
            step, extract = factory()
        except Unavailable as error:
            skipped[name] = str(error)
            continue
        steps[name] = step
        outputs[name] = _as_float_arrays(extract(step()))  # the first call also warms up

    timings = time_interleaved(steps, repeat, min_time)

    ours = timings[OURS]
    results = {}
    for name, timing in timings.items():
        entry = timing.to_json()
        mismatch = compare_outputs(outputs[OURS], outputs[name], case.rtol, case.atol)
        entry["check"] = "ok" if mismatch is None else f"mismatch: {mismatch}"
        if name != OURS:
            # ours / baseline: above 1 means autodiff is slower.
            entry["ratio_min"] = ours.min / timing.min
            entry["ratio_median"] = ours.median / timing.median
        results[name] = entry

    return {"case": case.name, "params": case.params, "results": results, "skipped": skipped}


def run_cases(cases, config):
    return [run_case(case, config.repeat, config.min_time) for case in cases]
