"""The engine's performance targets, each checked against a run's results: measured value, met or missed.

A target whose suite did not run, or whose measurement is missing (a
skipped baseline, a failed check), reads "not measured". In quick and tiny
modes the sizes are smaller than the targets name (chains up to 10^5, fewer
steps), so each line names the sizes that were measured.
"""

from dataclasses import dataclass

from benchmarks.report import (
    format_bytes, format_ratio, format_seconds, format_size, markdown_table,
)
from benchmarks.systems import NUMPY_FLOOR, OURS

MET, MISSED, NOT_MEASURED = "met", "missed", "not measured"


@dataclass
class Outcome:
    measured: str
    status: str


class _Missing(Exception):
    """Raised inside an evaluation when a result it needs is absent."""


def _suite(result, name):
    if name not in result["suites"]:
        raise _Missing(f"suite {name} was not run")
    return result["suites"][name]


def _chain(result):
    """Return the chain measurements, which the scalar and backward/forward suites share."""
    for name in ("backward_forward", "scalar_circuits"):
        if name in result["suites"]:
            return result["suites"][name]["chain"]
    raise _Missing("neither scalar_circuits nor backward_forward was run")


def _checked(results, system, what):
    entry = results.get(system)
    if entry is None or entry["check"] != "ok":
        raise _Missing(f"{system} has no checked result for {what}")
    return entry


def _status(ok):
    return MET if ok else MISSED


def mlp_step_ratio(case_name, limit):
    """Target: autodiff's step at most `limit` times the NumPy floor's on the named workload."""

    def evaluate(result):
        rows = _suite(result, "mlp_step")["cases"]
        row = next((row for row in rows if row["case"] == case_name), None)
        if row is None:
            raise _Missing(f"workload {case_name} was not run")
        ours = _checked(row["results"], OURS, case_name)
        floor = _checked(row["results"], NUMPY_FLOOR, case_name)
        value = ours["ratio_floor"]
        return Outcome(f"{format_ratio(value)} ({format_seconds(ours['median'])} vs "
                       f"{format_seconds(floor['median'])})", _status(value <= limit))

    return evaluate


def per_op_limit(seconds):
    def evaluate(result):
        rows = _suite(result, "op_overhead")["cases"]
        row = next((row for row in rows if row["params"]["ops"] == 100), None)
        if row is None:
            raise _Missing("the 100-op graph was not run")
        ours = _checked(row["results"], OURS, row["case"])
        return Outcome(f"{format_seconds(ours['per_op'])} per op", _status(ours["per_op"] <= seconds))

    return evaluate


def faster_than_micrograd(result):
    data = _suite(result, "scalar_circuits")
    compared = [(data["mlp"]["case"], data["mlp"]["results"])]
    compared += [(f"chain N = {format_size(row['params']['n'])}", row["results"])
                 for row in data["chain"]["rows"]]
    parts, ratios = [], []
    for name, results in compared:
        ours = results.get(OURS)
        if ours is None or ours.get("ratio_micrograd") is None:
            continue  # micrograd did not run there (missing, or past its depth limit)
        ratios.append(ours["ratio_micrograd"])
        parts.append(f"{name}: {format_ratio(ours['ratio_micrograd'])} micrograd's time per node")
    if not ratios:
        raise _Missing("micrograd has no checked result")
    return Outcome("; ".join(parts), _status(max(ratios) < 1.0))


def no_depth_limit(result):
    limits = _chain(result)["depth_limits"]
    if OURS not in limits:
        raise _Missing("autodiff did not run the chain")
    limit = limits[OURS]
    if limit["first_failing_n"] is None:
        return Outcome(f"no failure up to N = {format_size(limit['sizes_tried_up_to'])}", MET)
    return Outcome(f"fails at N = {limit['first_failing_n']:,}: {limit['error']}", MISSED)


def backward_over_forward(limit):
    def evaluate(result):
        rows = _suite(result, "backward_forward")["grid"]
        ratios = [(row["results"][OURS]["backward_over_forward"], row["case"]) for row in rows
                  if row["results"].get(OURS, {}).get("check") == "ok"]
        if not ratios:
            raise _Missing("autodiff has no checked result on the grid")
        worst, case = max(ratios)
        return Outcome(f"at most {format_ratio(worst)} ({case}) over {len(ratios)} shapes",
                       _status(worst <= limit))

    return evaluate


def backward_slope(low, high):
    def evaluate(result):
        chain = _chain(result)
        slope = chain["slopes"].get(OURS)
        if slope is None:
            raise _Missing("autodiff ran fewer than two chain lengths from 10^3 on")
        sizes = f"N = {format_size(min(slope['sizes']))} … {format_size(max(slope['sizes']))}"
        return Outcome(f"{slope['backward']:.3f} over {sizes}",
                       _status(low <= slope["backward"] <= high))

    return evaluate


def peak_memory(limit):
    def evaluate(result):
        rows = _suite(result, "mlp_step")["cases"]
        ratios = [(row["results"][OURS]["peak_ratio_floor"], row["case"]) for row in rows
                  if row["results"].get(OURS, {}).get("peak_ratio_floor") is not None]
        if not ratios:
            raise _Missing("no peak memory of autodiff and the floor")
        worst, case = max(ratios)
        return Outcome(f"at most {format_ratio(worst)} ({case})", _status(worst <= limit))

    return evaluate


def flat_memory(result):
    data = _suite(result, "memory")
    entry = data["results"].get(OURS)
    if entry is None or entry.get("flat") is None:
        raise _Missing("autodiff has no memory samples over at least two intervals")
    return Outcome(f"{entry['growth']:+,} B traced from step {entry['samples'][0]['step']:,} to "
                   f"{entry['steps']:,} (step peak {format_bytes(entry['step_peak'])})",
                   _status(entry["flat"]))


@dataclass
class Target:
    goal: str
    evaluate: object


TARGETS = (
    Target("784-256-256-10, batch 128, float32: step at most 1.10× the NumPy floor",
           mlp_step_ratio("784-256-256-10, batch 128, float32", 1.10)),
    Target("13-64-64-1, batch 32, float64: step at most 2.5× the NumPy floor",
           mlp_step_ratio("13-64-64-1, batch 32, float64", 2.5)),
    Target("Graph of 100 tiny ops, forward + backward: at most 3 µs per op",
           per_op_limit(3e-6)),
    Target("Scalar circuits: faster per node than micrograd, cycle collector on",
           faster_than_micrograd),
    Target("Scalar circuits: no depth limit", no_depth_limit),
    Target("Backward at most 2.2× forward for every MLP shape", backward_over_forward(2.2)),
    Target("Slope of backward time against N between 0.95 and 1.05, N = 10^3 … 10^6, "
           "cycle collector on", backward_slope(0.95, 1.05)),
    Target("Peak memory of a training step at most 1.2× the NumPy floor's", peak_memory(1.2)),
    Target("Memory flat over 10,000 training steps", flat_memory),
)


def evaluate_targets(result):
    """Return [{"goal", "measured", "status"}] for every target."""
    outcomes = []
    for target in TARGETS:
        try:
            outcome = target.evaluate(result)
        except _Missing as missing:
            outcome = Outcome(str(missing), NOT_MEASURED)
        outcomes.append({"goal": target.goal, "measured": outcome.measured,
                         "status": outcome.status})
    return outcomes


def targets_table(outcomes):
    body = [[outcome["goal"], outcome["measured"], outcome["status"]] for outcome in outcomes]
    return markdown_table(["target", "measured", "result"], body)
