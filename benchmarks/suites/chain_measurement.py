"""The chain y ← tanh(y·w + b) timed at growing N, shared by the scalar and backward/forward suites.

Both suites report the same measurements, so they are taken once per run:
`measure_chains` keeps its result for the settings it was called with.
The systems are interleaved at each N, with the cycle collector on. A
system that raises RecursionError or MemoryError at some N is not run at
larger N. Its depth limit is then narrowed down by bisection when the
failing N is small enough to make that cheap.
"""

from functools import partial

from benchmarks.compare import CAPACITY_ERRORS, Case, add_ratio, run_phased_case
from benchmarks.stats import loglog_slope
from benchmarks.systems import PYTHON_FLOOR
from benchmarks.workloads import chain

# The slope fit starts at this N: below it, fixed per-call costs bend the line.
SLOPE_FROM = 10**3

# Bisect a depth limit only when the first failing N is at most this.
_BISECT_UP_TO = 10**4

_cache = {}


def chain_case(n):
    """Return the Case of the chain of `n` steps, with the pure-Python floor."""
    implementations = {system: partial(factory, n)
                       for system, factory in chain.IMPLEMENTATIONS.items()}
    return Case(f"N = {n:,}", implementations, PYTHON_FLOOR,
                {"n": n, "nodes": chain.NODES_PER_STEP * n})


def _fails(system, n):
    """Return the error text when one forward + backward of the chain of n fails, else None."""
    try:
        implementation = chain.IMPLEMENTATIONS[system](n)
        implementation.step()
    except CAPACITY_ERRORS as error:
        return f"{type(error).__name__}: {error}"
    return None


def first_failing_n(system, passed, failed):
    """Return the smallest N in (passed, failed] at which `system` fails, by bisection."""
    while failed - passed > 1:
        middle = (passed + failed) // 2
        if _fails(system, middle):
            failed = middle
        else:
            passed = middle
    return failed


def _depth_limits(rows, sizes):
    """Return, per system, the first N at which it failed, or None when it ran every size."""
    limits = {}
    passed = {}
    for row in rows:
        for system in row["results"]:
            passed[system] = row["params"]["n"]
            limits.setdefault(system, {"first_failing_n": None, "error": None,
                                      "largest_n_run": None})
            limits[system]["largest_n_run"] = row["params"]["n"]
        for system, error in row["failed"].items():
            n = row["params"]["n"]
            low = passed.get(system, 0)
            exact = n <= _BISECT_UP_TO
            limits[system] = {
                "first_failing_n": first_failing_n(system, low, n) if exact else n,
                "exact": exact,
                "bracket": [low, n],
                "error": error,
                "largest_n_run": low or None,
            }
    for limit in limits.values():
        limit["sizes_tried_up_to"] = max(sizes)
    return limits


def _slopes(rows):
    """Fit log time against log N for each system and phase, over N >= SLOPE_FROM."""
    slopes = {}
    systems = {system for row in rows for system in row["results"]}
    for system in systems:
        points = [(row["params"]["n"], row["results"][system]) for row in rows
                  if system in row["results"] and row["params"]["n"] >= SLOPE_FROM]
        if len(points) < 2:
            continue
        sizes = [n for n, _ in points]
        slopes[system] = {"sizes": sizes}
        for phase in ("forward", "backward", "total"):
            slopes[system][phase] = loglog_slope(sizes, [entry[phase]["median"]
                                                         for _, entry in points])
    return slopes


def measure_chains(config):
    """Time the chain at each N of config.chain_sizes; return rows, depth limits and slopes."""
    key = (tuple(config.chain_sizes), config.chain_step_budget, tuple(config.chain_runs),
           config.threads, config.seed)
    if key in _cache:
        return _cache[key]

    rows = []
    failed = set()
    for n in config.chain_sizes:
        runs = config.chain_runs_for(n)
        row = run_phased_case(chain_case(n), repeat=runs, min_time=0.0, number=1, exclude=failed)
        row["runs"] = runs
        failed.update(row["failed"])
        nodes = chain.NODES_PER_STEP * n
        for entry in row["results"].values():
            for phase in ("forward", "backward", "garbage", "total"):
                entry[phase]["per_node"] = entry[phase]["median"] / nodes
        add_ratio(row["results"], "micrograd", "ratio_micrograd", key=("total", "median"))
        rows.append(row)

    data = {
        "rows": rows,
        "depth_limits": _depth_limits(rows, config.chain_sizes),
        "slopes": _slopes(rows),
        "slope_from": SLOPE_FROM,
    }
    _cache[key] = data
    return data
