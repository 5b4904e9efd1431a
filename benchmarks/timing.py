"""Timing in the style of `timeit`, with the systems of a case interleaved.

A loop count is calibrated so that one run lasts at least `min_time`, then
`repeat` runs are made, one run of each system per round, so that a busy
phase of the machine slows all systems alike. Tables report the median
over runs; the JSON also keeps the minimum and every run.

Unlike `timeit`, the cycle collector stays enabled, because the
collections that an engine's allocations trigger are part of its cost.
The collections of each generation during the runs are counted.

Interleaving would let one system's cyclic garbage (micrograd leaves its
whole graph as reference cycles) be collected during the next system's
run. So after each run the harness collects, and when that collection
finds unreachable objects, the system that left them is billed the
collection's time, less the time of a collection that finds nothing.
Systems whose graphs are freed by reference counting are billed nothing.
"""

import gc
import statistics
import time
from dataclasses import dataclass

# Calibration stops doubling the loop count once one run takes this long,
# even below the requested minimum, so that a slow step is never timed for
# minutes.
_MAX_CALIBRATION_SECONDS = 2.0


@dataclass
class Timing:
    """Seconds per call over `len(runs)` runs of `number` calls each."""

    number: int
    runs: list
    gc_collections: list  # collections of generations 0, 1 and 2 during all runs

    @property
    def median(self):
        return statistics.median(self.runs)

    @property
    def min(self):
        return min(self.runs)

    def to_json(self):
        calls = self.number * len(self.runs)
        return {
            "median": self.median,
            "min": self.min,
            "number": self.number,
            "runs": self.runs,
            "gc_collections": self.gc_collections,
            "gc_collections_per_1000_calls": [1000 * n / calls for n in self.gc_collections],
        }


def gc_collection_counts():
    """Return how many collections each generation has run since start-up."""
    return [generation["collections"] for generation in gc.get_stats()]


def collect_garbage():
    """Collect cyclic garbage; return the seconds to bill for it, 0.0 when there was none."""
    start = time.perf_counter()
    found = gc.collect()
    elapsed = time.perf_counter() - start
    if not found:
        return 0.0
    start = time.perf_counter()
    gc.collect()  # nothing left to free: the cost of scanning the live objects alone
    empty = time.perf_counter() - start
    return max(0.0, elapsed - empty)


def _run(step, number):
    start = time.perf_counter()
    for _ in range(number):
        step()
    return time.perf_counter() - start


def calibrate(step, min_time):
    """Return the loop count (1, 2, 4, ...) at which one run of `step` takes >= min_time seconds."""
    number = 1
    while True:
        elapsed = _run(step, number)
        if elapsed >= min_time or elapsed >= _MAX_CALIBRATION_SECONDS:
            return number
        # Jump straight to about the right count (with 20% to spare) when
        # the first runs are fast, but by at most 1000x on one measurement.
        estimate = int(1.2 * number * min_time / max(elapsed, 1e-9))
        number = max(2 * number, min(estimate, 1000 * number))


def time_interleaved(steps, repeat, min_time):
    """Time each step function of `steps` (a dict name -> callable); return name -> Timing.

    A run's time includes the collection of the cyclic garbage it left
    (see the module docstring).
    """
    numbers = {name: calibrate(step, min_time) for name, step in steps.items()}
    collect_garbage()
    runs = {name: [] for name in steps}
    collections = {name: [0, 0, 0] for name in steps}

    for _ in range(repeat):
        for name, step in steps.items():
            before = gc_collection_counts()
            elapsed = _run(step, numbers[name])
            after = gc_collection_counts()
            elapsed += collect_garbage()

            runs[name].append(elapsed / numbers[name])
            _add_counts(collections[name], before, after)

    return {name: Timing(numbers[name], runs[name], collections[name]) for name in steps}


def _run_phases(forward, backward, number, counts):
    """Call backward(forward()) `number` times; return the seconds spent in each phase."""
    forward_seconds = backward_seconds = 0.0
    for _ in range(number):
        before = gc_collection_counts()
        start = time.perf_counter()
        handle = forward()
        middle = time.perf_counter()
        between = gc_collection_counts()
        backward(handle)
        end = time.perf_counter()
        after = gc_collection_counts()

        del handle
        forward_seconds += middle - start
        backward_seconds += end - middle
        _add_counts(counts["forward"], before, between)
        _add_counts(counts["backward"], between, after)
    return forward_seconds, backward_seconds


def time_phases_interleaved(phases, repeat, min_time, number=None):
    """Time the forward and backward phases of each system; return name -> {phase: Timing}.

    `phases` maps a name to (forward, backward), where forward() records the
    graph and returns a handle and backward(handle) differentiates it. The
    loop count is calibrated on both phases together unless `number` is
    given, which skips calibration (for steps of seconds). Besides
    "forward" and "backward", the result has "garbage", the collection of
    the cyclic garbage that the run left (see the module docstring), and
    "total", the sum of the three per run.
    """
    if number is None:
        numbers = {
            name: calibrate(lambda f=forward, b=backward: b(f()), min_time)
            for name, (forward, backward) in phases.items()
        }
    else:
        numbers = dict.fromkeys(phases, number)
    collect_garbage()
    runs = {name: {"forward": [], "backward": [], "garbage": []} for name in phases}
    counts = {name: {"forward": [0, 0, 0], "backward": [0, 0, 0], "garbage": [0, 0, 0]}
              for name in phases}

    for _ in range(repeat):
        for name, (forward, backward) in phases.items():
            forward_seconds, backward_seconds = _run_phases(forward, backward, numbers[name],
                                                            counts[name])
            garbage_seconds = collect_garbage()
            runs[name]["forward"].append(forward_seconds / numbers[name])
            runs[name]["backward"].append(backward_seconds / numbers[name])
            runs[name]["garbage"].append(garbage_seconds / numbers[name])

    result = {}
    for name in phases:
        number = numbers[name]
        timings = {phase: Timing(number, runs[name][phase], counts[name][phase])
                   for phase in ("forward", "backward", "garbage")}
        totals = [sum(parts) for parts in zip(*(runs[name][phase] for phase in timings))]
        total_counts = [sum(parts) for parts in zip(*(counts[name][phase] for phase in timings))]
        timings["total"] = Timing(number, totals, total_counts)
        result[name] = timings
    return result


def _add_counts(totals, before, after):
    for generation, (start, end) in enumerate(zip(before, after)):
        totals[generation] += end - start
