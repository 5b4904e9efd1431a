"""Run the benchmark suites and save the results as JSON and markdown.

    python -m benchmarks.run                    # every suite, full mode
    python -m benchmarks.run overhead mlp       # some suites
    python -m benchmarks.run --quick            # fast smoke run
    python -m benchmarks.run --summarize benchmarks/results/latest-full.json

Results go to benchmarks/results/ as <UTC time>-<mode>.json and .md, and
are copied to latest-<mode>.json and .md; the markdown is also printed.
--summarize prints the short ratio tables of a saved run, the form kept in
benchmarks/README.md, without running anything. The exit status is 1 when an implementation's result differed from
autodiff's (the table marks it MISMATCH).
"""

import argparse
import datetime
import gc
import importlib
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script (python benchmarks/run.py): import `benchmarks` from the
    # repository root instead of this folder, whose names could shadow modules.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from benchmarks.config import Config  # noqa: E402
from benchmarks.machine import load_average, machine_info, thread_limit  # noqa: E402
from benchmarks.report import render_document, write_atomic, write_json_atomic  # noqa: E402
from benchmarks.suites import SUITES  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCHEMA_VERSION = 1

# A load average above this fraction of the cores means that other processes
# compete for the CPU, and the run records a warning.
BUSY_LOAD_PER_CORE = 0.5

# Imported before the cycle collector's generations are frozen (see run_suites).
BASELINE_MODULES = (
    "autodiff", "torch", "micrograd.engine", "micrograd.nn", "autograd", "autograd.numpy",
    "autograd.scipy.special",
)


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
        description="Time autodiff against PyTorch, micrograd, HIPS autograd and NumPy.",
    )
    parser.add_argument(
        "suites", nargs="*", metavar="SUITE",
        help=f"suites to run, from {', '.join(SUITES)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true",
                        help="smoke mode: fewer and shorter runs, N up to 10^5, 1 thread")
    parser.add_argument("--repeat", type=int,
                        help="timed runs per implementation (default: 150, quick: 20)")
    parser.add_argument("--min-time", type=float,
                        help="minimum seconds per timed run (default: 0.002, quick: 0.001)")
    parser.add_argument("--sizes", type=_positive_ints,
                        help="graph sizes N of the scaling suite, comma-separated "
                             "(default: 10^3..10^6, quick: 10^3..10^5)")
    parser.add_argument("--threads", type=_positive_ints,
                        help="thread counts for torch and BLAS, comma-separated; thread-sensitive "
                             "suites run under each, the others under the first (default: 1,2, quick: 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default: 0)")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR,
                        help=f"where to write the results (default: {RESULTS_DIR})")
    parser.add_argument("--no-save", action="store_true", help="print the table without writing files")
    parser.add_argument("--summarize", type=Path, metavar="JSON",
                        help="print the short ratio tables of a saved results file and exit")
    args = parser.parse_args(argv)

    unknown = [name for name in args.suites if name not in SUITES]
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.min_time is not None and args.min_time <= 0:
        parser.error(f"--min-time must be positive, got {args.min_time}")
    return args


def make_config(args):
    config = Config.for_mode(args.quick)
    config.seed = args.seed
    for option in ("repeat", "min_time", "sizes", "threads"):
        value = getattr(args, option)
        if value is not None:
            setattr(config, option, value)
    return config


def _import_baselines():
    for name in BASELINE_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # the suites record the library as skipped


def run_suites(names, config, log=print):
    """Run the named suites and return the JSON-ready result of the whole run.

    Every library is imported first and the objects alive at that point are
    moved to the collector's permanent generation (`gc.freeze()`), so that
    the collections which the benchmarks trigger or request scan only the
    objects that the benchmarks create. Otherwise each full collection would
    also scan the objects of torch and SciPy (about 210,000 with torch 2.13),
    and the gc costs that suites c and e report would depend on which
    baselines are installed.
    """
    _import_baselines()
    gc.collect()
    gc.freeze()
    try:
        return _run_suites(names, config, log)
    finally:
        gc.unfreeze()


def _run_suites(names, config, log):
    result = {
        "schema": SCHEMA_VERSION,
        "mode": "quick" if config.quick else "full",
        "machine": machine_info(),
        "settings": {
            "repeat": config.repeat, "min_time": config.min_time, "sizes": list(config.sizes),
            "threads": list(config.threads), "seed": config.seed,
            "gc": "enabled while timing, collections counted; start-up objects frozen (gc.freeze)",
        },
        "thread_limits": [],
        "suites": {},
        "notes": [],
    }
    busy = _busy_warning(result["machine"])
    if busy:
        log(f"warning: {busy}", file=sys.stderr)
        result["notes"].append(busy)

    for name in names:
        suite = SUITES[name]
        counts = config.threads if suite.THREAD_SENSITIVE else config.threads[:1]
        rows = []
        for count in counts:
            log(f"running {name} with {count} thread(s)...", file=sys.stderr)
            with thread_limit(count) as limits:
                suite_rows = suite.run(config)
            if limits not in result["thread_limits"]:
                result["thread_limits"].append(limits)
            for row in suite_rows:
                row["threads"] = count
            rows += suite_rows
        result["suites"][name] = rows
    result["machine"]["load_average_1min_end"] = load_average()
    return result


def _busy_warning(machine):
    load, cores = machine["load_average_1min"], machine["logical_cores"]
    if load is None or not cores or load <= BUSY_LOAD_PER_CORE * cores:
        return None
    return (
        f"the machine was busy at the start (load average {load:.2f} on {cores} cores), so "
        "other processes shared the CPU and the timings are noisier than on an idle machine"
    )


def count_mismatches(result):
    return sum(
        1
        for rows in result["suites"].values()
        for row in rows
        for entry in row.get("results", {}).values()
        if isinstance(entry, dict) and str(entry.get("check", "ok")) != "ok"
    )


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
    """Print the ratio summary of a saved results file; return the exit status."""
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
    print(render_document(result, SUITES, summary=True))
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.summarize is not None:
        return summarize(args.summarize)
    config = make_config(args)
    names = args.suites or list(SUITES)

    result = run_suites(names, config)
    markdown = render_document(result, SUITES)
    print(markdown)
    if not args.no_save:
        for path in save(result, markdown, args.output_dir):
            print(f"wrote {path}", file=sys.stderr)

    mismatches = count_mismatches(result)
    if mismatches:
        print(f"error: {mismatches} implementation(s) computed results that differ from "
              "autodiff's; see the MISMATCH cells", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
