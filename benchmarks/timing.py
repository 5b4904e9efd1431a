"""Timing in the style of `timeit`: calibrate a loop count, then repeat runs.

Each run calls a step function `number` times and records the time per call.
The summary keeps the minimum (the run least disturbed by other processes)
and the median of the runs. Unlike `timeit`, the cycle collector stays
enabled, because collections triggered by an engine's allocations are part
of its cost. The collections seen during the runs are counted and reported.
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
    """Seconds per call of one step function, over `len(runs)` runs of `number` calls."""

    number: int
    runs: list
    gc_collections: list  # collections of generations 0, 1 and 2 during all runs

    @property
    def min(self):
        return min(self.runs)

    @property
    def median(self):
        return statistics.median(self.runs)

    def to_json(self):
        calls = self.number * len(self.runs)
        return {
            "min": self.min,
            "median": self.median,
            "number": self.number,
            "runs": self.runs,
            "gc_collections": self.gc_collections,
            "gc_collections_per_1000_calls": [1000 * n / calls for n in self.gc_collections],
        }


def gc_collection_counts():
    """Return how many collections each generation has run since start-up."""
    return [generation["collections"] for generation in gc.get_stats()]


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
    """Time each step function in `steps` (a dict name -> callable) and return name -> Timing.

    The runs are interleaved (one run of each step, then the next round) so
    that a slow phase of the machine, such as a neighbour's job, affects all
    implementations alike instead of one of them.
    """
    numbers = {name: calibrate(step, min_time) for name, step in steps.items()}
    runs = {name: [] for name in steps}
    collections = {name: [0, 0, 0] for name in steps}

    for _ in range(repeat):
        for name, step in steps.items():
            before = gc_collection_counts()
            elapsed = _run(step, numbers[name])
            after = gc_collection_counts()

            runs[name].append(elapsed / numbers[name])
            for generation, (start, end) in enumerate(zip(before, after)):
                collections[name][generation] += end - start

    return {
        name: Timing(numbers[name], runs[name], collections[name]) for name in steps
    }
