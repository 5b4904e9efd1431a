"""Profile autodiff's side of the benchmark cases and list the functions that take the time.

    python -m benchmarks.profile                       # the default case of each suite
    python -m benchmarks.profile mlp_step --case 784 --top 25
    python -m benchmarks.profile --py-spy              # add py-spy's sampled self time
    python -m benchmarks.profile --pyinstrument        # add pyinstrument's flat profile

For each selected case, autodiff's step function is timed once without a
profiler, then run for about --seconds under cProfile. The table lists the
--top functions by own time (tottime), with calls and times divided by the
number of steps, so "calls/step" counts how often one step calls each
function. cProfile adds a fixed cost to every Python call, which inflates
small, often-called functions, so the times under it are longer than the
real step.

--py-spy samples a child process from outside (no cost inside it) and lists
the share of samples whose innermost frame is each function and each source
line, which is the least distorted view. --pyinstrument runs pyinstrument's
flat self-time view in this process.

NOTE: on steps of tens of µs, pyinstrument 5.1 charges much of its own
per-call cost to the `[self]` time of the benchmark's step function, so
trust its ranking of the other functions more than its absolute times.
"""

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (python benchmarks/profile.py): this file's folder must
    # not be on sys.path, or `import profile` inside cProfile would load this
    # file instead of the standard library module.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import collections  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from benchmarks.machine import thread_limit  # noqa: E402
from benchmarks.suites import backward_forward, mlp_step, op_overhead, scalar_circuits  # noqa: E402
from benchmarks.suites.chain_measurement import chain_case  # noqa: E402
from benchmarks.systems import OURS  # noqa: E402
from benchmarks.timing import calibrate  # noqa: E402

# The case that each suite profiles unless --case selects others.
DEFAULT_CASES = {
    "scalar_circuits": "MLP 2-16-16-1 on 100 points",
    "mlp_step": "13-64-64-1, batch 32, float64",
    "op_overhead": "graph of 100 ops",
    "backward_forward": "width 64, depth 2",
}
_REPO_ROOT = Path(__file__).resolve().parent.parent

# Chain lengths offered by --case for the scalar_circuits suite.
_CHAIN_SIZES = (10**3, 10**4, 10**5)


def suite_cases(name, seed=0):
    """Return the cases of suite `name` that can be profiled, with their full-mode sizes."""
    if name == "scalar_circuits":
        return [scalar_circuits.make_mlp_case(100, seed)] + [chain_case(n) for n in _CHAIN_SIZES]
    if name == "mlp_step":
        return [mlp_step.make_case(*workload, seed) for workload in mlp_step.WORKLOADS]
    if name == "op_overhead":
        return [op_overhead.make_case(ops) for ops in op_overhead.OP_COUNTS]
    return [backward_forward.make_grid_case(width, depth, 64, seed)
            for width in (16, 64, 256, 512) for depth in (1, 2, 4, 8)]


def _short_path(filename):
    """Shorten a source path to repo-relative, or to the part after site-packages."""
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1:])
    try:
        return str(path.relative_to(_REPO_ROOT))
    except ValueError:
        return filename  # the standard library, or "<string>"


def top_functions(stats, steps, top):
    """Return the `top` rows of (calls/step, tottime/step, cumtime/step, function) by tottime."""
    rows = []
    for (filename, line, function), (_, calls, tottime, cumtime, _) in stats.stats.items():
        if filename == "~":
            where = function  # a built-in, e.g. "<built-in method numpy...>"
        else:
            where = f"{_short_path(filename)}:{line}({function})"
        rows.append((calls / steps, tottime / steps, cumtime / steps, where))
    rows.sort(key=lambda row: row[1], reverse=True)
    return rows[:top]


def format_top(rows, step_seconds, profiled_seconds):
    lines = [
        f"step without profiler: {step_seconds * 1e6:.1f} µs; under cProfile: "
        f"{profiled_seconds * 1e6:.1f} µs",
        f"{'calls/step':>10}  {'tottime/step':>12}  {'cumtime/step':>12}  function",
    ]
    for calls, tottime, cumtime, where in rows:
        lines.append(f"{calls:10.1f}  {tottime * 1e6:9.2f} µs  {cumtime * 1e6:9.2f} µs  {where}")
    return "\n".join(lines)


def profile_case(case, suite, seconds, top, use_pyinstrument, use_py_spy):
    """Profile autodiff's implementation of `case`; return the report text."""
    step = case.implementations[OURS]().step
    step()  # warm-up

    number = calibrate(step, seconds)
    start = time.perf_counter()
    for _ in range(number):
        step()
    step_seconds = (time.perf_counter() - start) / number

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(number):
        step()
    profiler.disable()
    profiled_seconds = (time.perf_counter() - start) / number

    stats = pstats.Stats(profiler, stream=io.StringIO())
    text = format_top(top_functions(stats, number, top), step_seconds, profiled_seconds)
    if use_py_spy:
        text += "\n\n" + _py_spy_top(suite, case.name, seconds, top)
    if use_pyinstrument:
        text += "\n\n" + _pyinstrument_top(step, number, top)
    return text


def run_steps(step, number):
    """Call `step` `number` times; py-spy's report keeps only samples inside this function."""
    for _ in range(number):
        step()


def _py_spy_executable():
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else shutil.which("py-spy")


def _py_spy_top(suite, case_name, seconds, top):
    """Sample a worker process that runs the case with py-spy; return the top functions and lines."""
    executable = _py_spy_executable()
    if executable is None:
        return "py-spy is not installed; pip install py-spy to add its sampled profile"

    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "stacks.txt"
        command = [
            executable, "record", "--format", "raw", "--rate", "1000", "--output", str(output),
            "--", sys.executable, "-m", "benchmarks.profile", suite, "--worker", case_name,
            "--seconds", str(seconds),
        ]
        completed = subprocess.run(command, cwd=_REPO_ROOT, capture_output=True, text=True)
        if completed.returncode != 0 or not output.exists():
            return f"py-spy failed (exit status {completed.returncode}): {completed.stderr.strip()[-500:]}"
        stacks = output.read_text(encoding="utf-8").splitlines()
    return format_py_spy(stacks, top)


def format_py_spy(stacks, top):
    """Rank the innermost frames of py-spy's raw stacks by share of samples, by function and by line.

    Only samples taken inside `run_steps` count, so start-up and imports are left out.
    """
    by_function = collections.Counter()
    by_line = collections.Counter()
    total = 0
    for line in stacks:
        stack, _, count = line.rpartition(" ")
        if "run_steps (" not in stack:
            continue
        count = int(count)
        total += count
        innermost = stack.split(";")[-1]
        by_line[innermost] += count
        by_function[re.sub(r":\d+\)$", ")", innermost)] += count
    if total == 0:
        return "py-spy recorded no samples inside run_steps"

    lines = [f"py-spy: share of {total} samples by innermost function"]
    lines += [f"{100 * n / total:5.1f}%  {where}" for where, n in by_function.most_common(top)]
    lines += ["", "py-spy: share of samples by innermost source line"]
    lines += [f"{100 * n / total:5.1f}%  {where}" for where, n in by_line.most_common(top)]
    return "\n".join(lines)


def _worker(suite, case_name, seconds):
    """Run one case's steps for about `seconds`: the process that py-spy samples."""
    case = next(case for case in suite_cases(suite) if case.name == case_name)
    step = case.implementations[OURS]().step
    step()
    run_steps(step, calibrate(step, seconds))


def _pyinstrument_top(step, number, top):
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "pyinstrument is not installed; pip install -e '.[bench]' to add its sampling profile"

    profiler = Profiler()
    profiler.start()
    for _ in range(number):
        step()
    profiler.stop()
    text = profiler.output_text(flat=True, flat_time="self", unicode=True, color=False)

    # Keep the function lines: they follow pyinstrument's banner, which ends
    # with the "Profile at <file>" line.
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith("Profile at")), 0)
    return (
        f"pyinstrument: seconds of self time over the {number} steps (sampling every 1 ms)\n"
        + "\n".join(lines[start:start + top])
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile",
        description="Profile autodiff on the cases of the benchmark suites.",
    )
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"suites to profile, from {', '.join(DEFAULT_CASES)} (default: all)")
    parser.add_argument("--case", help="profile every case whose name contains this text "
                                       "instead of each suite's default case")
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="approximate seconds of steps to profile per case (default: 1)")
    parser.add_argument("--top", type=int, default=15, help="functions to list per case (default: 15)")
    parser.add_argument("--py-spy", action="store_true",
                        help="also sample a child process with py-spy and list self time by function and line")
    parser.add_argument("--pyinstrument", action="store_true",
                        help="also run pyinstrument's sampling profiler and list self times")
    parser.add_argument("--worker", metavar="CASE", help=argparse.SUPPRESS)  # py-spy's child process
    args = parser.parse_args(argv)

    unknown = [name for name in args.suites if name not in DEFAULT_CASES]
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; choose from {', '.join(DEFAULT_CASES)}")
    if args.seconds <= 0:
        parser.error(f"--seconds must be positive, got {args.seconds}")
    if args.top < 1:
        parser.error(f"--top must be at least 1, got {args.top}")
    return args


def main(argv=None):
    args = parse_args(argv)
    names = args.suites or list(DEFAULT_CASES)
    if args.worker:
        with thread_limit(1):
            _worker(names[0], args.worker, args.seconds)
        return 0

    profiled = 0
    with thread_limit(1):
        for name in names:
            for case in suite_cases(name):
                selected = args.case in case.name if args.case else case.name == DEFAULT_CASES[name]
                if not selected:
                    continue
                print(f"## {name}: {case.name}\n")
                print(profile_case(case, name, args.seconds, args.top, args.pyinstrument, args.py_spy))
                print()
                profiled += 1
    if profiled == 0:
        print(f"error: no case of {', '.join(names)} has {args.case!r} in its name", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
