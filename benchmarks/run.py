"""Run the benchmark suites and save the results as JSON and markdown.

    python -m benchmarks.run                    # every suite, full mode
    python -m benchmarks.run --quick            # every suite, smaller sizes
    python -m benchmarks.run mlp_step memory    # some suites
    python -m benchmarks.run --summarize benchmarks/results/latest-full.json

Results go to benchmarks/results/ as <UTC time>-<mode>.json and .md, and
are copied to latest-<mode>.json and .md; the markdown is also printed.
--summarize prints the short tables of a saved run, the form kept in
benchmarks/README.md, without running anything. The exit status is 1 when
some system's result differed from autodiff's (its cells read MISMATCH).
"""

import argparse
import datetime
import gc
import importlib
import json
import shlex
import sys
from functools import partial
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (python benchmarks/run.py): import `benchmarks` from the
    # repository root instead of this folder, whose names could shadow modules.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.config import Config  # noqa: E402
from benchmarks.machine import load_average, machine_info, thread_limit  # noqa: E402
from benchmarks.report import render_document, write_atomic, write_json_atomic  # noqa: E402
from benchmarks.suites import SUITES  # noqa: E402
from benchmarks.systems import BASELINE_MODULES, Unavailable  # noqa: E402
from benchmarks.targets import evaluate_targets, targets_table  # noqa: E402
from benchmarks.workloads import chain, elementwise, scalar_mlp, tensor_mlp  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCHEMA_VERSION = 2

# A load average above this fraction of the cores means that other processes
# compete for the CPU, and the run records a warning.
BUSY_LOAD_PER_CORE = 0.5


def _positive_ints(text):
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 1000,10000, got {text!r}"
        ) from None
    if not values or any(value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time autodiff against PyTorch, micrograd, HIPS autograd, MyGrad and "
                    "hand-written NumPy and Python.",
    )
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"suites to run, from {', '.join(SUITES)} (default: all)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_const", const="quick", dest="mode",
                      help="smaller sizes and fewer runs: a few minutes on 2 cores")
    mode.add_argument("--tiny", action="store_const", const="tiny", dest="mode",
                      help="about 15 seconds, for testing the harness; the numbers mean nothing")
    # The defaults quoted in the help come from Config, so they cannot go stale.
    full, quick = Config.for_mode("full"), Config.for_mode("quick")
    parser.add_argument("--repeat", type=int,
                        help=f"timed runs per system of the step workloads (full: {full.repeat}, "
                             f"quick: {quick.repeat})")
    parser.add_argument("--min-time", type=float,
                        help=f"minimum seconds per timed run (full: {full.min_time}, "
                             f"quick: {quick.min_time})")
    parser.add_argument("--sizes", type=_positive_ints,
                        help="chain lengths N, comma-separated (full: 10^2..10^6, quick: "
                             "10^2..10^5)")
    parser.add_argument("--memory-steps", type=int,
                        help=f"training steps of the memory suite (full: {full.memory_steps}, "
                             f"quick: {quick.memory_steps})")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads given to every library: torch and the BLAS and OpenMP "
                             "pools (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default: 0)")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR,
                        help=f"where to write the results (default: {RESULTS_DIR})")
    parser.add_argument("--no-save", action="store_true", help="print the report without writing files")
    parser.add_argument("--summarize", type=Path, metavar="JSON",
                        help="print the short tables of a saved results file and exit")
    args = parser.parse_args(argv)

    unknown = [name for name in args.suites if name not in SUITES]
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    for option in ("repeat", "memory_steps", "threads"):
        value = getattr(args, option)
        if value is not None and value < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1, got {value}")
    if args.min_time is not None and args.min_time < 0:
        parser.error(f"--min-time must be zero or positive, got {args.min_time}")
    return args


def make_config(args):
    config = Config.for_mode(args.mode or "full")
    config.seed = args.seed
    config.threads = args.threads
    overrides = {"repeat": args.repeat, "min_time": args.min_time, "chain_sizes": args.sizes,
                 "memory_steps": args.memory_steps}
    for option, value in overrides.items():
        if value is not None:
            setattr(config, option, value)
    return config


def _import_baselines():
    """Import every library, then run each workload once on tiny inputs in every system.

    The tiny runs load what the libraries import lazily (torch's first
    backward imports SymPy, about 38,000 objects), so that those objects
    exist before gc.freeze() and no timed collection has to scan them.
    """
    for name in BASELINE_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # the suites record the library as skipped

    factories = [
        *[partial(factory, 1) for factory in elementwise.IMPLEMENTATIONS.values()],
        *[partial(factory, 2) for factory in chain.IMPLEMENTATIONS.values()],
        *[partial(factory, 1, 0) for factory in scalar_mlp.IMPLEMENTATIONS.values()],
        *[partial(_tiny_training_step, model) for model in tensor_mlp.MODELS.values()],
    ]
    for factory in factories:
        try:
            factory().step()
        except Unavailable:
            pass


def _tiny_training_step(model_class):
    return tensor_mlp.training_step(model_class(tensor_mlp.make_problem((2, 3, 1), 2, "float64", 0)))


def run_suites(names, config, command, log=print):
    """Run the named suites and return the JSON-ready result of the whole run.

    Every library is imported and warmed up first, and the objects alive at
    that point are moved to the collector's permanent generation
    (`gc.freeze()`), so that the collections which the benchmarks trigger
    scan only the objects that the benchmarks create. Otherwise each full
    collection would also scan the objects of torch and SymPy (about
    250,000 with torch 2.13), and the cost of the cycle collector would
    depend on which baselines are installed.
    """
    _import_baselines()
    gc.collect()
    gc.freeze()
    try:
        with thread_limit(config.threads) as limits:
            return _run_suites(names, config, command, limits, log)
    finally:
        gc.unfreeze()


def _run_suites(names, config, command, limits, log):
    result = {
        "schema": SCHEMA_VERSION,
        "mode": config.mode,
        "command": command,
        "machine": machine_info(),
        "settings": {
            "repeat": config.repeat, "min_time": config.min_time, "seed": config.seed,
            "chain_sizes": list(config.chain_sizes), "scalar_points": config.scalar_points,
            "scalar_runs": config.scalar_runs, "grid_widths": list(config.grid_widths),
            "grid_depths": list(config.grid_depths), "grid_batch": config.grid_batch,
            "memory_steps": config.memory_steps,
            "gc": "enabled while timing; objects alive at start-up frozen (gc.freeze)",
        },
        "thread_limits": limits,
        "suites": {},
        "notes": [],
    }
    busy = _busy_warning(result["machine"])
    if busy:
        log(f"warning: {busy}", file=sys.stderr)
        result["notes"].append(busy)

    for name in names:
        log(f"running {name}...", file=sys.stderr)
        started = datetime.datetime.now()
        result["suites"][name] = SUITES[name].run(config)
        seconds = (datetime.datetime.now() - started).total_seconds()
        log(f"  {name} took {seconds:.0f} s", file=sys.stderr)
    result["machine"]["load_average_1min_end"] = load_average()
    result["targets"] = evaluate_targets(result)
    return result


def _busy_warning(machine):
    load, cores = machine["load_average_1min"], machine["logical_cores"]
    if load is None or not cores or load <= BUSY_LOAD_PER_CORE * cores:
        return None
    return (
        f"the machine was busy at the start (load average {load:.2f} on {cores} cores), so "
        "other processes shared the CPU and the timings are noisier than on an idle machine"
    )


def count_mismatches(data):
    """Return how many result entries anywhere in `data` failed their check against autodiff."""
    if isinstance(data, dict):
        own = 1 if str(data.get("check", "ok")).startswith("mismatch") else 0
        return own + sum(count_mismatches(value) for value in data.values())
    if isinstance(data, list):
        return sum(count_mismatches(value) for value in data)
    return 0


def render(result, summary=False):
    return render_document(result, SUITES, targets_table(result["targets"]), summary=summary)


def save(result, markdown, output_dir):
    """Write <time>-<mode>.json/.md and latest-<mode>.json/.md atomically; return the paths."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    paths = []
    for stem in (f"{stamp}-{result['mode']}", f"latest-{result['mode']}"):
        json_path = Path(output_dir) / f"{stem}.json"
        markdown_path = Path(output_dir) / f"{stem}.md"
        write_json_atomic(json_path, result)
        write_atomic(markdown_path, markdown)
        paths += [json_path, markdown_path]
    return paths


def summarize(path):
    """Print the short tables of a saved results file; return the exit status."""
    try:
        with open(path, encoding="utf-8") as file:
            result = json.load(file)
    except (OSError, json.JSONDecodeError) as error:
        print(f"error: cannot read results file {path}: {error}", file=sys.stderr)
        return 2
    if result.get("schema") != SCHEMA_VERSION:
        print(f"error: {path} has schema {result.get('schema')!r}; this harness reads schema "
              f"{SCHEMA_VERSION}", file=sys.stderr)
        return 2
    print(render(result, summary=True))
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.summarize is not None:
        return summarize(args.summarize)
    config = make_config(args)
    names = args.suites or list(SUITES)
    command = shlex.join(["python", "-m", "benchmarks.run",
                          *(sys.argv[1:] if argv is None else argv)])

    result = run_suites(names, config, command)
    markdown = render(result)
    print(markdown)
    if not args.no_save:
        for path in save(result, markdown, args.output_dir):
            print(f"wrote {path}", file=sys.stderr)

    mismatches = count_mismatches(result["suites"])
    if mismatches:
        print(f"error: {mismatches} result(s) differ from autodiff's; see the MISMATCH cells",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
